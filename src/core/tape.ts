/** Clean-up of a gradient tape abandoned by an error (internal). */
import { engine } from './tf.js';

/**
 * Runs `run` (which computes gradients) and, if it throws, frees what tfjs leaves behind. While
 * recording, tfjs keeps a clone of every tensor an op saves for its backward pass and frees them
 * only after the backward pass; when the function being differentiated throws (a model or a loss
 * failing on bad input), the clones stay on the abandoned tape, out of reach of any `tidy`. At
 * gradient depth 0 nothing else can use that tape, so its saved tensors are disposed here.
 * Inside an outer gradient computation (depth > 0) the tape is left alone.
 */
export function withTapeCleanup<T>(run: () => T): T {
  try {
    return run();
  } catch (e) {
    const state = engine().state;
    if (state.gradientDepth === 0 && state.activeTape != null) {
      for (const node of state.activeTape) for (const t of node.saved ?? []) t.dispose();
      state.activeTape = null as unknown as typeof state.activeTape;
    }
    throw e;
  }
}

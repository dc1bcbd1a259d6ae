/**
 * The one batched evaluation loop of the perturbation methods (internal): many perturbed copies
 * of many examples go through the model together, `batchRows` per forward call, each row taking
 * the input's value where its mask keeps it and the baseline's elsewhere (values copied, never
 * computed, so a kept element is exactly the input's and a removed one exactly the baseline's).
 */
import { betweenSteps } from '../../core/eventLoop.js';
import { tensor, tensor1d, tidy, type Tensor } from '../../core/tf.js';
import type { ExplainContext } from '../context.js';
import { selectTargetOutputs } from '../targets.js';

/** Perturbed rows described without materialising them all at once. */
export interface MaskedRows {
  /** Number of rows. */
  readonly count: number;
  /** The example row `row` perturbs. */
  exampleOf(row: number): number;
  /**
   * Writes the row's mask into `keep` (one entry per element of an example, all 1 on entry):
   * 1 keeps the input's value, 0 takes the baseline's.
   */
  fillKeep(row: number, keep: Uint8Array): void;
}

/** What every evaluation needs besides the rows. */
export interface MaskedEvaluation {
  readonly ctx: ExplainContext;
  /** The baseline of every example, of `x`'s shape. */
  readonly baseline: Tensor;
  /** Most rows per forward call. */
  readonly batchRows: number;
  readonly signal: AbortSignal | undefined;
}

/**
 * The target output of every row (float32, in row order). Yields to the event loop and checks
 * the abort signal before every forward call; every tensor is freed, on errors too.
 */
export async function maskedTargetOutputs(run: MaskedEvaluation, rows: MaskedRows): Promise<Float32Array> {
  const { ctx, baseline, batchRows, signal } = run;
  const size = ctx.featureSize;
  const exampleShape = ctx.x.shape.slice(1);
  const out = new Float32Array(rows.count);
  // The perturbed rows are assembled here from one read of x and of the baseline: on cpu and wasm
  // this is several times faster than gathering rows and selecting on the device, and it is the
  // same upload as a mask would be on a GPU.
  const inputs = (await ctx.x.data()) as Float32Array;
  const baselines = (await baseline.data()) as Float32Array;
  const keep = new Uint8Array(size);
  for (let start = 0; start < rows.count; start += batchRows) {
    await betweenSteps(ctx.fn, signal);
    const n = Math.min(batchRows, rows.count - start);
    const z = new Float32Array(n * size);
    const targets = new Int32Array(n);
    for (let r = 0; r < n; r++) {
      const example = rows.exampleOf(start + r);
      targets[r] = ctx.targets[example] as number;
      keep.fill(1);
      rows.fillKeep(start + r, keep);
      const from = example * size;
      const to = r * size;
      for (let e = 0; e < size; e++) z[to + e] = (keep[e] === 1 ? inputs[from + e] : baselines[from + e]) as number;
    }
    const values = tidy(() => selectTargetOutputs(ctx.forward(tensor(z, [n, ...exampleShape], 'float32')), tensor1d(targets, 'int32'), ctx.kind));
    try {
      out.set((await values.data()) as Float32Array, start);
    } finally {
      values.dispose();
    }
  }
  return out;
}

/** The target output of every example on the unperturbed input, `f(x)[t]`. */
export async function unperturbedOutputs(ctx: ExplainContext): Promise<Float32Array> {
  const values = tidy(() => selectTargetOutputs(ctx.forward(ctx.x), tensor1d(ctx.targets, 'int32'), ctx.kind));
  try {
    return Float32Array.from((await values.data()) as Float32Array);
  } finally {
    values.dispose();
  }
}

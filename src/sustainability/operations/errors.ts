/** Typed errors of the operation counts. */
import { ResponsibleError } from '../../core/errors.js';

/** A layer {@link countOperations} cannot count, with where it is and why. */
export interface UncountableLayer {
  /** The layer's name. */
  readonly name: string;
  /** Its path through nested models, e.g. `outer/inner/lstm_1`. */
  readonly path: string;
  /** Its tfjs class name, e.g. `LSTM`. */
  readonly className: string;
  /** Why it cannot be counted. */
  readonly reason: string;
}

/**
 * A model has layers that {@link countOperations} has no counting rule for (or whose shapes are not
 * fully known). Thrown before anything is counted, listing every such layer at once: a report
 * that silently left layers out would under-count.
 *
 * @example
 * ```ts
 * import { countOperations, UnsupportedLayerForCountingError } from 'responsible-tfjs/sustainability';
 * try {
 *   await countOperations(model);
 * } catch (e) {
 *   if (e instanceof UnsupportedLayerForCountingError) for (const l of e.layers) console.log(l.path, l.className, l.reason);
 * }
 * ```
 */
export class UnsupportedLayerForCountingError extends ResponsibleError {
  /** Every layer that cannot be counted, in layer order. */
  readonly layers: readonly UncountableLayer[];
  /**
   * Builds the error and its message.
   * @param fn - The public function that met the layers.
   * @param layers - Every layer that cannot be counted.
   */
  constructor(fn: string, layers: readonly UncountableLayer[]) {
    const lines = layers.map((l) => `  - ${l.path} (${l.className}): ${l.reason}`);
    super(
      'UNSUPPORTED_LAYER',
      `${fn}: the model has ${layers.length} layer${layers.length === 1 ? '' : 's'} that cannot be counted:\n${lines.join('\n')}`,
    );
    this.layers = layers;
  }
}

/** Typed errors of DP-SGD. */
import { ResponsibleError } from '../../core/errors.js';

/**
 * A layer the per-example gradient engine cannot handle, with where it is and what to use instead.
 */
export interface UnsupportedLayer {
  /** The layer's name. */
  readonly name: string;
  /** Its path through nested models, e.g. `outer/inner/bn`. */
  readonly path: string;
  /** Its tfjs class name, e.g. `BatchNormalization`. */
  readonly className: string;
  /** Why it cannot be handled. */
  readonly reason: string;
  /** What to use instead. */
  readonly suggestion: string;
}

/**
 * A model contains layers that per-example gradients (and so DP-SGD) cannot handle. Thrown before
 * any training, listing every such layer at once (not only the first).
 *
 * @example
 * ```ts
 * import { checkModelSupport, UnsupportedLayerError } from 'responsible-tfjs/privacy';
 * try {
 *   await fitPrivately(model, x, y, options);
 * } catch (e) {
 *   if (e instanceof UnsupportedLayerError) for (const l of e.layers) console.log(l.path, l.suggestion);
 * }
 * ```
 */
export class UnsupportedLayerError extends ResponsibleError {
  /** Every unsupported layer, in graph order. */
  readonly layers: readonly UnsupportedLayer[];
  constructor(fn: string, layers: readonly UnsupportedLayer[]) {
    const lines = layers.map((l) => `  - ${l.path} (${l.className}): ${l.reason}. Use instead: ${l.suggestion}`);
    super(
      'UNSUPPORTED_LAYER',
      `${fn}: the model has ${layers.length} layer${layers.length === 1 ? '' : 's'} that per-example gradients cannot handle:\n${lines.join('\n')}`,
    );
    this.layers = layers;
  }
}

import type { LayersModel } from '../../core/tf.js';
import { UnsupportedLayerError, type UnsupportedLayer } from './errors.js';
import { modelPlan } from './modelPlan.js';

/**
 * What {@link checkModelSupport} found.
 */
export interface ModelSupportReport {
  /** True when every layer can be handled. */
  readonly supported: boolean;
  /** Paths of the layers whose weights get per-example gradients. */
  readonly layers: readonly string[];
  /** Every layer that cannot be handled, with the reason and a replacement. */
  readonly unsupported: readonly UnsupportedLayer[];
}

/**
 * Checks a whole model for per-example gradients (and so DP-SGD) without running it: layers with
 * a gradient rule (Dense, Conv1D, Conv2D, DepthwiseConv2D, SeparableConv2D, Embedding,
 * LayerNormalization), weight-free layers that treat examples independently (Flatten, Reshape,
 * Dropout, pooling, activations, merges...), and the rest, each with a reason and a replacement
 * (BatchNormalization mixes the examples of a batch, which breaks the privacy guarantee: use
 * LayerNormalization).
 *
 * @param model - A Sequential or functional `LayersModel`.
 * @returns A report; the training functions throw an {@link UnsupportedLayerError} with the same list.
 * @example
 * ```ts
 * import { checkModelSupport } from 'responsible-tfjs/privacy';
 * const report = checkModelSupport(model);
 * for (const u of report.unsupported) console.log(`${u.path} (${u.className}): ${u.reason}; use ${u.suggestion}`);
 * ```
 */
export function checkModelSupport(model: LayersModel): ModelSupportReport {
  try {
    const plan = modelPlan('checkModelSupport', model);
    return { supported: true, layers: plan.groups.map((g) => g.path), unsupported: [] };
  } catch (e) {
    if (e instanceof UnsupportedLayerError) return { supported: false, layers: [], unsupported: e.layers };
    throw e;
  }
}

/** Reading a model's trainable weights into one flat vector. */
import type { LayersModel } from '../../core/tf.js';
import type { WeightLayout } from '../types.js';
import { trainableWeightsOf, weightLayoutOf } from './weightLayoutOf.js';

/**
 * Reads a model's trainable weights (in `model.trainableWeights` order) into one flat
 * float32 vector, with the {@link WeightLayout} that says where each weight sits. The read is
 * asynchronous (`data()`), so it does not stall GPU backends.
 *
 * @param model - A `tf.LayersModel`.
 * @returns The layout and a new `Float32Array` of `layout.size` values (the caller owns it; no tensor is made).
 * @throws {@link InvalidArgumentError} when `model` is not a LayersModel.
 * @example
 * ```ts
 * import { readWeights, writeWeights } from 'responsible-tfjs/federated';
 * const { layout, values } = await readWeights(model);
 * // ... send `values` to the server, receive new global weights `next` ...
 * writeWeights(model, layout, next);
 * ```
 */
export async function readWeights(model: LayersModel): Promise<{ layout: WeightLayout; values: Float32Array }> {
  const weights = trainableWeightsOf('readWeights', model);
  const layout = weightLayoutOf(model);
  const values = new Float32Array(layout.size);
  const data = await Promise.all(weights.map((w) => w.read().data()));
  data.forEach((d, i) => values.set(d as Float32Array, layout.offsets[i] as number));
  return { layout, values };
}

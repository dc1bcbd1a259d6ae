/** The flat layout of a model's trainable weights. */
import type { LayersModel } from '../../core/tf.js';
import { invalid } from '../../core/validate.js';
import type { WeightLayout } from '../types.js';

/** The trainable weights of a LayersModel, checked to look like one (internal). */
export function trainableWeightsOf(fn: string, model: unknown): LayersModel['trainableWeights'] {
  const weights = (model as Partial<LayersModel> | null)?.trainableWeights;
  if (typeof model !== 'object' || model === null || !Array.isArray(weights)) {
    invalid(fn, 'model', model, 'a tf.LayersModel');
  }
  return weights;
}

/**
 * The {@link WeightLayout} of a model's trainable weights: their names and shapes in
 * `model.trainableWeights` order, and where each starts in one flat row-major vector. Every
 * participant of a federation derives the same layout from the same architecture, so flat
 * vectors (updates, global weights) can be exchanged without the model.
 *
 * Weight names carry tfjs's per-process unique suffixes (`dense_Dense3/kernel`): two copies of
 * one architecture built in the same process have different names but the same shapes, so
 * {@link writeWeights} compares shapes, not names.
 *
 * @param model - A `tf.LayersModel` (built: its weights exist).
 * @returns A new layout (plain, JSON-serialisable).
 * @throws {@link InvalidArgumentError} when `model` is not a LayersModel.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { weightLayoutOf } from 'responsible-tfjs/federated';
 * const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4] })] });
 * const layout = weightLayoutOf(model);
 * console.log(layout.shapes, layout.offsets, layout.size); // [[4, 3], [3]] [0, 12, 15] 15
 * ```
 */
export function weightLayoutOf(model: LayersModel): WeightLayout {
  const weights = trainableWeightsOf('weightLayoutOf', model);
  const names: string[] = [];
  const shapes: number[][] = [];
  const offsets: number[] = [0];
  let size = 0;
  for (const w of weights) {
    names.push(w.name);
    shapes.push([...w.shape] as number[]);
    size += w.shape.reduce((a: number, b) => a * (b as number), 1);
    offsets.push(size);
  }
  return { names, shapes, offsets, size };
}

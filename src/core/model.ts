import type { LayersModel, Tensor } from './tf.js';
import { invalid } from './validate.js';

/**
 * A model as the attack, training and evaluation functions accept it: a tfjs `LayersModel`, or
 * any function from a batch of inputs to a batch of outputs (logits unless stated otherwise).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import type { ModelLike } from 'responsible-tfjs';
 * const w = tf.randomNormal([4, 3]);
 * const linear: ModelLike = (x) => tf.matMul(x, w);
 * ```
 */
export type ModelLike = LayersModel | ((x: Tensor) => Tensor);

/**
 * Turns a {@link ModelLike} into a plain forward function (internal: `fn` is the public function
 * whose argument `model` is checked, for error messages). A `LayersModel` is called with
 * `training: false` semantics through `model.apply`, so it composes with `tf.grad`.
 */
export function toForwardFn(fn: string, model: ModelLike): (x: Tensor) => Tensor {
  if (typeof model === 'function') return model;
  if (typeof model === 'object' && model !== null && typeof (model as LayersModel).apply === 'function') {
    const m = model as LayersModel;
    return (x: Tensor) => {
      const out = m.apply(x, { training: false });
      if (Array.isArray(out)) invalid(fn, 'model', model, 'a model with a single output');
      return out as Tensor;
    };
  }
  return invalid(fn, 'model', model, 'a tf.LayersModel or a function (x: Tensor) => Tensor');
}

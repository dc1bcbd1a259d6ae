import type { ModelLike } from '../../core/model.js';
import { mul, tidy, type Tensor } from '../../core/tf.js';
import { optionsObject } from '../../core/validate.js';
import { prepareExplanation, targetGradients, targetsTensor } from '../context.js';
import type { AttributionResult, TargetOptions } from '../types.js';

/** Options of {@link inputXGradient}. */
export type InputXGradientOptions = TargetOptions;

/**
 * Input × gradient (Shrikumar et al. 2016, https://arxiv.org/abs/1605.01713): each input element
 * times the gradient of the example's target output with respect to it, as Captum's
 * `InputXGradient` (`captum/attr/_core/input_x_gradient.py`). It is the first-order estimate of
 * how much the output would change if that element were set to 0; for a ReLU network without
 * biases it equals integrated gradients from a zero baseline. One batched gradient computation.
 *
 * @param model - A `tf.LayersModel` or a function from inputs to logits or probabilities.
 * @param x - A float32 batch `[batch, ...features]` of finite values.
 * @param options - The target (default `'predicted'`).
 * @returns `{ attributions }` of `x`'s shape, in output units, owned by the caller.
 * @throws {@link InvalidArgumentError} for a bad model output, target, `x` or option.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { inputXGradient } from 'responsible-tfjs/explain';
 * const model = await tf.loadLayersModel('/models/adult/model.json'); // Dense(1, 'sigmoid')
 * const people = tf.tensor2d(rows, [2, 10]);
 * // Contribution of each feature to P(income > 50K) (class 1 of the single sigmoid unit).
 * const { attributions } = await inputXGradient(model, people, { target: [1, 1] });
 * attributions.print();
 * attributions.dispose();
 * ```
 */
export async function inputXGradient(model: ModelLike, x: Tensor, options?: InputXGradientOptions): Promise<AttributionResult> {
  const fn = 'inputXGradient';
  const opts = optionsObject(fn, 'options', options);
  const ctx = await prepareExplanation(fn, model, x, opts);
  const attributions = tidy(() => mul(ctx.x, targetGradients(ctx, ctx.x, targetsTensor(ctx, ctx.batch, (r) => r))));
  return { attributions };
}

import type { ModelLike } from '../../core/model.js';
import { abs as absolute, tidy, type Tensor } from '../../core/tf.js';
import { booleanValue, optionsObject } from '../../core/validate.js';
import { prepareExplanation, targetGradients, targetsTensor } from '../context.js';
import type { AttributionResult, TargetOptions } from '../types.js';

/** Options of {@link saliency}. */
export interface SaliencyOptions extends TargetOptions {
  /**
   * Return the gradient's absolute value (Simonyan et al.'s saliency map) instead of the signed
   * gradient. Default `true`, Captum's default (`Saliency.attribute(abs=True)`).
   */
  readonly abs?: boolean;
}

/**
 * Saliency (Simonyan, Vedaldi & Zisserman 2014, https://arxiv.org/abs/1312.6034): the gradient of
 * each example's target output with respect to its input, as Captum's `Saliency`
 * (`captum/attr/_core/saliency.py`). With `abs: true` (the default, as in Captum) it returns
 * `|∂f_t/∂x|`, how strongly each input element moves the output; with `abs: false` the signed
 * gradient, which also tells the direction. One batched gradient computation for the whole batch.
 *
 * @param model - A `tf.LayersModel` or a function from inputs to logits or probabilities
 *   (`[batch, classes]`, or `[batch, 1]` for a binary model).
 * @param x - A float32 batch `[batch, ...features]` of finite values.
 * @param options - The target (default `'predicted'`) and `abs`.
 * @returns `{ attributions }` of `x`'s shape, in output units per input unit, owned by the caller.
 * @throws {@link InvalidArgumentError} for a bad model output, target, `x` or option.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { saliency } from 'responsible-tfjs/explain';
 * const model = await tf.loadLayersModel('/models/digits/model.json');
 * const x = tf.tensor4d(pixels, [4, 8, 8, 1]);      // four 8x8 digits in [0, 1]
 * // |gradient| of each digit's predicted class with respect to its pixels.
 * const { attributions } = await saliency(model, x);
 * // Signed gradient of class 3 for every digit.
 * const signed = await saliency(model, x, { target: [3, 3, 3, 3], abs: false });
 * tf.dispose([attributions, signed.attributions]);
 * ```
 */
export async function saliency(model: ModelLike, x: Tensor, options?: SaliencyOptions): Promise<AttributionResult> {
  const fn = 'saliency';
  const opts = optionsObject(fn, 'options', options);
  const abs = booleanValue(fn, 'options.abs', opts.abs ?? true);
  const ctx = await prepareExplanation(fn, model, x, opts);
  const attributions = tidy(() => {
    const gradients = targetGradients(ctx, ctx.x, targetsTensor(ctx, ctx.batch, (r) => r));
    return abs ? absolute(gradients) : gradients;
  });
  return { attributions };
}

import { logProbabilities } from '../../core/outputs/index.js';
import { grad, mean, mul, reshape, square, sum, type Scalar, type Tensor } from '../../core/tf.js';
import { invalid, optionsObject } from '../../core/validate.js';
import type { LossTerm } from '../types.js';
import { termName } from './termName.js';

/** Options of {@link inputGradientTerm}. */
export interface InputGradientTermOptions {
  /** Term name. Default `'inputGradient'`. */
  readonly name?: string;
  /**
   * Extras key of the annotation mask `A`: 1 on input features the model should NOT rely on
   * (shaped like `x`, or broadcastable to it). Default `'irrelevantMask'`.
   */
  readonly maskKey?: string;
  /**
   * A fixed mask used when the batch carries none under `maskKey` (e.g. the same irrelevant
   * features for every example, shape `[1, ...features]`). The caller keeps ownership. Without
   * either, every feature is penalised (plain input-gradient regularisation, Drucker & LeCun 1992).
   */
  readonly mask?: Tensor;
}

/**
 * Explanation-quality term, "right for the right reasons" (Ross, Hughes & Doshi-Velez 2017):
 * the squared input gradient of the summed log-probabilities on the annotated irrelevant
 * features, `mean_n sum_d (A_nd * d/dx_nd sum_k log p_k(x_n))^2`. Minimising it makes the
 * model's input-gradient explanations ignore the masked features. It differentiates twice
 * (double back-propagation), so the model's layers must have twice-differentiable gradients
 * (Dense with tanh, sigmoid, relu and softmax do).
 *
 * @returns A loss term with data dependence `'example'`.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { ethicalLoss, crossEntropyTerm, inputGradientTerm } from 'responsible-tfjs/objectives';
 * const ignoreCorner = tf.tensor2d([[1, 1, 0, 0]]); // features 0 and 1 are irrelevant
 * const loss = ethicalLoss({
 *   model, task: crossEntropyTerm(), terms: [inputGradientTerm({ mask: ignoreCorner })],
 *   weights: { inputGradient: 10 },
 * });
 * ```
 */
export function inputGradientTerm(options?: InputGradientTermOptions): LossTerm {
  const fn = 'inputGradientTerm';
  const o = optionsObject(fn, 'options', options);
  const name = termName(fn, o.name ?? 'inputGradient');
  const maskKey = o.maskKey ?? 'irrelevantMask';
  const fixedMask = o.mask;
  if (fixedMask !== undefined && (typeof fixedMask !== 'object' || fixedMask === null || !('shape' in fixedMask))) {
    invalid(fn, 'options.mask', fixedMask, 'a tensor broadcastable to the inputs');
  }
  return {
    name,
    dataDependence: 'example',
    fn: (ctx) => {
      const g = grad((x: Tensor) => sum(logProbabilities(ctx.forward(x), 'logits')))(ctx.x);
      const mask = ctx.extras[maskKey] ?? fixedMask;
      const masked = mask === undefined ? g : mul(g, mask);
      const perExample = sum(reshape(square(masked), [ctx.x.shape[0] as number, -1]), 1);
      return mean(perExample) as Scalar;
    },
  };
}

import type { LabelsLike } from '../core/labels.js';
import type { ModelLike } from '../core/model.js';
import { add, mul, tidy, type Tensor } from '../core/tf.js';
import { nonNegativeNumber, optionsObject } from '../core/validate.js';
import { objectiveGradient, prepareAttack } from './context.js';
import { clamp, exactSign } from './steps.js';
import type { AttackCommonOptions } from './types.js';

/** Options of {@link fgsm}. Distances are in input units (the same units as `x`). */
export interface FgsmOptions extends AttackCommonOptions {
  /** L-inf size of the perturbation, in input units (>= 0). */
  readonly epsilon: number;
}

/**
 * Fast Gradient Sign Method (Goodfellow, Shlens and Szegedy 2015,
 * https://arxiv.org/abs/1412.6572): `clip(x + epsilon * sign(grad_x loss), clipMin, clipMax)`,
 * with the gradient of the batch-mean loss as torchattacks' `FGSM` computes it. With
 * `targeted: true` the step descends the loss of the target classes `y`.
 *
 * @param model - A `tf.LayersModel` or a function from inputs to logits (or probabilities, see
 *   `options.modelOutput`); a single output unit is a binary model, attacked as {@link pgd} does.
 * @param x - A float32 batch `[batch, ...]` with every value in `[clipMin, clipMax]`.
 * @param y - True classes (or targets) as class indices or one-hot rows (for a single-output
 *   model: 0/1, or a `[batch, 1]` column of 0/1); omitted, the model's own predictions are used
 *   (not allowed when targeted).
 * FGSM is a single step, so `options.signal` is checked once, before the step (an aborted
 * signal rejects with {@link AbortedError} and nothing is computed).
 *
 * @returns Adversarial inputs of `x`'s shape, which the caller owns.
 * @throws {@link InvalidArgumentError} for a negative epsilon, inputs outside the range or not
 *   finite, a disposed `x` or `y`, labels of the wrong length or out of range;
 *   {@link MissingGradientsError} when no gradients are registered; {@link AbortedError} when
 *   `options.signal` is aborted.
 * @example
 * ```ts
 * import '@tensorflow/tfjs-layers';
 * import { fgsm } from 'responsible-tfjs/robustness';
 * const xAdv = await fgsm(model, x, [3, 7, 1], { epsilon: 0.1 });
 * ```
 */
export async function fgsm(model: ModelLike, x: Tensor, y: LabelsLike | undefined, options: FgsmOptions): Promise<Tensor> {
  const fn = 'fgsm';
  const opts = optionsObject(fn, 'options', options);
  const epsilon = nonNegativeNumber(fn, 'options.epsilon', opts.epsilon);
  const { context } = await prepareAttack(fn, model, x, y, opts);
  try {
    return tidy(() => {
      const g = objectiveGradient(context, x);
      return clamp(add(x, mul(exactSign(g), epsilon)), context.clipMin, context.clipMax);
    });
  } finally {
    context.labels.dispose();
  }
}

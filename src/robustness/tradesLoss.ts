import { toForwardFn, type ModelLike } from '../core/model.js';
import {
  crossEntropyOfLogProbabilities, logProbabilities, perExampleKl, resolveOutputKind, type OutputKind,
} from '../core/outputs/index.js';
import { tensorArgument } from '../core/tensorArgument.js';
import { add, div, mean, mul, sum, tidy, type Scalar, type Tensor, type Tensor2D } from '../core/tf.js';
import { booleanValue, invalid, nonNegativeNumber, optionsObject } from '../core/validate.js';
import { keptCorrectCount, trainingForward } from './training.js';
import type { ModelOutput } from './types.js';

/** Options of {@link tradesLoss}. */
export interface TradesLossOptions {
  /** Weight of the robustness (KL) term; larger trades clean accuracy for robustness. Default 6. */
  readonly beta?: number;
  /** Whether the model returns logits or probabilities. Default: what the model declares (see {@link ModelOutput}). */
  readonly modelOutput?: ModelOutput;
  /** Run a LayersModel in training mode (dropout on). Default true. */
  readonly training?: boolean;
}

/**
 * The TRADES objective (Zhang et al. 2019): `mean CE(f(x), y) + beta * mean KL(f(x) || f(xAdv))`,
 * differentiable in the model's weights (gradients flow through both the clean and the adversarial
 * outputs, as in the authors' code). Use it inside `optimizer.minimize`.
 *
 * Validation stays synchronous and never reads tensor values (the function runs inside the
 * gradient tape of every training step, where a read would stall GPU backends): it checks that
 * `x`, `xAdv` and `y` are live tensors of matching shapes, and the options. Check the values of
 * `x` once, e.g. with {@link tradesAttack}, which rejects non-finite inputs.
 *
 * @param model - A `tf.LayersModel` or a function from inputs to logits (or probabilities); a
 *   single output unit is a binary model, seen as two classes (see {@link ModelOutput}).
 * @param x - Clean inputs, a float32 batch `[batch, ...]`.
 * @param xAdv - Their adversarial versions, e.g. from {@link tradesAttack}, of `x`'s shape.
 * @param y - One-hot labels `[batch, classes]` (e.g. from `tf.oneHot`), as many classes as the model
 *   outputs; for a single-output (binary) model, a `[batch, 1]` column of 0/1.
 * @returns A scalar tensor the caller owns.
 * @throws {@link InvalidArgumentError} naming the argument: a disposed or non-tensor `x`, `xAdv` or
 *   `y`, shapes that disagree (with each other or with the model's output), a negative `beta`, an
 *   unknown `modelOutput` or a non-boolean `training`.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { tradesAttack, tradesLoss } from 'responsible-tfjs/robustness';
 * const yOneHot = tf.oneHot(tf.tensor1d(labels, 'int32'), 10).toFloat() as tf.Tensor2D;
 * const xAdv = await tradesAttack(model, x, { epsilon: 0.1, stepSize: 0.025, steps: 7 });
 * optimizer.minimize(() => tradesLoss(model, x, xAdv, yOneHot, { beta: 6 }));
 * ```
 */
export function tradesLoss(model: ModelLike, x: Tensor, xAdv: Tensor, y: Tensor2D, options?: TradesLossOptions): Scalar {
  const fn = 'tradesLoss';
  const opts = optionsObject(fn, 'options', options);
  const beta = nonNegativeNumber(fn, 'options.beta', opts.beta ?? 6);
  const outputKind = resolveOutputKind(fn, model, opts.modelOutput);
  const training = booleanValue(fn, 'options.training', opts.training ?? true);
  const forward = training ? trainingForward(fn, model) : toForwardFn(fn, model);
  const xs = tensorArgument(fn, 'x', x, 'a tf.Tensor of inputs with the batch as first dimension');
  if (xs.rank < 2 || xs.shape[0] === 0) invalid(fn, 'x', xs, 'a non-empty batch of rank >= 2 ([batch, ...features])');
  if (xs.dtype !== 'float32') invalid(fn, 'x', xs, 'a float32 tensor');
  const xa = tensorArgument(fn, 'xAdv', xAdv, "a tf.Tensor of x's shape");
  if (xa.shape.join() !== xs.shape.join() || xa.dtype !== 'float32') invalid(fn, 'xAdv', xa, `a float32 tensor of x's shape [${xs.shape.join(', ')}]`);
  const ys = tensorArgument(fn, 'y', y, 'one-hot labels [batch, classes]');
  if (ys.rank !== 2 || ys.shape[0] !== xs.shape[0]) invalid(fn, 'y', ys, `one-hot labels of shape [${xs.shape[0]}, classes]`);
  return tidy(() => tradesObjective(forward, xs, xa, ys as Tensor2D, beta, outputKind, undefined, fn));
}

/**
 * TRADES objective from a forward function (internal); `setCorrect` receives the kept count of
 * correct adversarial predictions.
 */
export function tradesObjective(
  forward: (x: Tensor) => Tensor, x: Tensor, xAdv: Tensor, y: Tensor2D, beta: number, outputKind: OutputKind,
  setCorrect?: (t: Tensor) => void, fn = 'tradesLoss',
): Scalar {
  const outAdv = forward(xAdv);
  if (outAdv.shape.join() !== y.shape.join()) {
    invalid(fn, 'y', y, `one-hot labels of the model's output shape [${outAdv.shape.join(', ')}]`);
  }
  if (setCorrect !== undefined) setCorrect(keptCorrectCount(outAdv, y, outputKind));
  const logPClean = logProbabilities(forward(x), outputKind);
  const logPAdv = logProbabilities(outAdv, outputKind);
  const natural = mean(crossEntropyOfLogProbabilities(y, logPClean));
  const robust = div(sum(perExampleKl(logPClean, logPAdv)), x.shape[0] as number);
  return add(natural, mul(robust, beta)) as Scalar;
}

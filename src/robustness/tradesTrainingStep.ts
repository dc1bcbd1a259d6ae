import { assertGradientsAvailable } from '../core/gradients.js';
import { toOneHot, type LabelsLike } from '../core/labels.js';
import { toForwardFn, type ModelLike } from '../core/model.js';
import { slice, tidy, type Optimizer, type Tensor, type Variable } from '../core/tf.js';
import { invalid, nonNegativeNumber, optionsObject } from '../core/validate.js';
import { checkInputs } from './context.js';
import { tradesAttackCore, tradesObjective, tradesSettings, type TradesAttackOptions } from './trades.js';
import { checkOptimizer, minimizeAndRead, trainableVariables, trainingForward, type TrainingStepResult } from './training.js';

/**
 * Options of {@link tradesTrainingStep}: the inner attack, the trade-off `beta`, and what to update.
 *
 * @example
 * ```ts
 * import type { TradesTrainingStepOptions } from 'responsible-tfjs/robustness';
 * const options: TradesTrainingStepOptions = { epsilon: 0.1, stepSize: 0.025, steps: 7, beta: 6 };
 * ```
 */
export interface TradesTrainingStepOptions extends TradesAttackOptions {
  /** Weight of the KL robustness term. Default 6. */
  readonly beta?: number;
  /** Variables to update. Default: the LayersModel's trainable weights (every trainable variable for a plain function). */
  readonly variables?: readonly Variable[];
}

/**
 * One TRADES training step (Zhang et al. 2019, https://arxiv.org/abs/1901.08573): the inner
 * maximisation ({@link tradesAttack}) against the model in inference mode, then one optimizer step
 * on {@link tradesLoss} with the model in training mode.
 *
 * @returns The loss and the adversarial accuracy on the batch (plain numbers).
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { tradesTrainingStep } from 'responsible-tfjs/robustness';
 * const optimizer = tf.train.adam(1e-3);
 * const { loss } = await tradesTrainingStep(model, optimizer, xb, yb, { epsilon: 0.1, stepSize: 0.025, steps: 7, beta: 6 });
 * ```
 */
export async function tradesTrainingStep(
  model: ModelLike,
  optimizer: Optimizer,
  x: Tensor,
  y: LabelsLike,
  options: TradesTrainingStepOptions,
): Promise<TrainingStepResult> {
  const fn = 'tradesTrainingStep';
  const opt = checkOptimizer(fn, optimizer);
  const opts = optionsObject(fn, 'options', options);
  const s = tradesSettings(fn, opts);
  const beta = nonNegativeNumber(fn, 'options.beta', opts.beta ?? 6);
  const variables = trainableVariables(fn, model, opts.variables);
  const forward = toForwardFn(fn, model);
  const forwardTrain = trainingForward(fn, model);
  if (y === undefined || y === null) invalid(fn, 'y', y, 'the true classes of x');
  assertGradientsAvailable(fn);
  await checkInputs(fn, x, s.clipMin, s.clipMax);
  const batch = x.shape[0] as number;
  const classes = tidy(() => forward(slice(x, 0, 1)).shape[1]);
  if (typeof classes !== 'number') invalid(fn, 'model', model, 'a model returning [batch, classes]');
  const labels = toOneHot(fn, y, classes, batch);
  const xAdv = tradesAttackCore(forward, x, s);
  try {
    return await minimizeAndRead(opt, variables, batch, (setCorrect) =>
      tradesObjective(forwardTrain, x, xAdv, labels, beta, s.modelOutput, setCorrect));
  } finally {
    xAdv.dispose();
    labels.dispose();
  }
}

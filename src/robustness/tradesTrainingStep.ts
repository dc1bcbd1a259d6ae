import { throwIfAborted } from '../core/eventLoop.js';
import { assertGradientsAvailable } from '../core/gradients.js';
import { isTensor, type LabelsLike } from '../core/labels.js';
import { toForwardFn, type ModelLike } from '../core/model.js';
import { labelsLikeOutputs } from '../core/outputs/index.js';
import { tensorArgument } from '../core/tensorArgument.js';
import { slice, tidy, type Optimizer, type Tensor, type Variable } from '../core/tf.js';
import { invalid, nonNegativeNumber, optionsObject } from '../core/validate.js';
import { checkInputs } from './context.js';
import { tradesAttackCore, tradesSettings, type TradesAttackOptions } from './trades.js';
import { tradesObjective } from './tradesLoss.js';
import { checkOptimizer, isOptimizerLike, minimizeAndRead, trainableVariables, trainingForward, type TrainingStepResult } from './training.js';

/** Options of {@link tradesTrainingStep}: the inner attack, the trade-off `beta`, and what to update. */
export interface TradesTrainingStepOptions extends TradesAttackOptions {
  /** Weight of the KL robustness term. Default 6. */
  readonly beta?: number;
  /** Variables to update. Default: the LayersModel's trainable weights (every trainable variable for a plain function). */
  readonly variables?: readonly Variable[];
  /** The optimizer taking the step (the library's step shape: `step(model, x, y, { optimizer, ... })`). */
  readonly optimizer?: Optimizer;
}

/**
 * One TRADES training step (Zhang et al. 2019, https://arxiv.org/abs/1901.08573): the inner
 * maximisation ({@link tradesAttack}) against the model in inference mode, then one optimizer step
 * on {@link tradesLoss} with the model in training mode. The attack yields to the event loop
 * between its steps; `options.signal` stops the step before the update (weights unchanged).
 *
 * @returns The loss and the adversarial accuracy on the batch (plain numbers).
 * @throws {@link InvalidArgumentError} for bad options, inputs, labels, a disposed tensor argument
 *   or variables the loss does not depend on; {@link AbortedError} when `options.signal` is
 *   aborted. Nothing leaks on any error.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { tradesTrainingStep } from 'responsible-tfjs/robustness';
 * const optimizer = tf.train.adam(1e-3);
 * const { loss } = await tradesTrainingStep(model, xb, yb, { optimizer, epsilon: 0.1, stepSize: 0.025, steps: 7, beta: 6 });
 * ```
 */
export function tradesTrainingStep(model: ModelLike, x: Tensor, y: LabelsLike, options: TradesTrainingStepOptions & { readonly optimizer: Optimizer }): Promise<TrainingStepResult>;
/**
 * The earlier form with the optimizer second.
 * @deprecated Pass the optimizer as `options.optimizer` (`tradesTrainingStep(model, x, y, { optimizer, ... })`);
 * this form is kept for one minor version.
 * @returns The loss and the adversarial accuracy on the batch.
 */
export function tradesTrainingStep(model: ModelLike, optimizer: Optimizer, x: Tensor, y: LabelsLike, options: TradesTrainingStepOptions): Promise<TrainingStepResult>;
export async function tradesTrainingStep(
  model: ModelLike,
  ...rest: [Tensor, LabelsLike, TradesTrainingStepOptions] | [Optimizer, Tensor, LabelsLike, TradesTrainingStepOptions]
): Promise<TrainingStepResult> {
  const fn = 'tradesTrainingStep';
  const positional = rest.length === 4 || isOptimizerLike(rest[0]);
  const [optimizer, x, y, options] = positional
    ? (rest as [Optimizer, Tensor, LabelsLike, TradesTrainingStepOptions])
    : [(rest[2] as TradesTrainingStepOptions | undefined)?.optimizer, rest[0] as Tensor, rest[1] as LabelsLike, rest[2] as TradesTrainingStepOptions];
  const opt = checkOptimizer(fn, optimizer, positional ? 'optimizer' : 'options.optimizer');
  const opts = optionsObject(fn, 'options', options);
  const s = tradesSettings(fn, opts, model);
  const beta = nonNegativeNumber(fn, 'options.beta', opts.beta ?? 6);
  const variables = trainableVariables(fn, model, opts.variables);
  const forward = toForwardFn(fn, model);
  const forwardTrain = trainingForward(fn, model);
  if (y === undefined || y === null) invalid(fn, 'y', y, 'the true classes of x');
  if (isTensor(y)) tensorArgument(fn, 'y', y, 'class indices or one-hot rows');
  assertGradientsAvailable(fn);
  throwIfAborted(fn, s.signal);
  await checkInputs(fn, x, s.clipMin, s.clipMax);
  const batch = x.shape[0] as number;
  const outShape = tidy(() => forward(slice(x, 0, 1)).shape);
  if (outShape.length !== 2) invalid(fn, 'model', `output of shape [${outShape.join(', ')}]`, 'a model returning [batch, classes]');
  const labels = labelsLikeOutputs(fn, y, outShape[1] as number, batch);
  try {
    const xAdv = await tradesAttackCore(fn, forward, x, s);
    try {
      // An abort during the attack's last step must not be followed by an update.
      throwIfAborted(fn, s.signal);
      return await minimizeAndRead(fn, opt, variables, batch, (setCorrect) =>
        tradesObjective(forwardTrain, x, xAdv, labels, beta, s.outputKind, setCorrect, fn));
    } finally {
      xAdv.dispose();
    }
  } finally {
    labels.dispose();
  }
}

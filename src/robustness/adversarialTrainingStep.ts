import { throwIfAborted } from '../core/eventLoop.js';
import type { LabelsLike } from '../core/labels.js';
import type { ModelLike } from '../core/model.js';
import { add, mean, mul, type Optimizer, type Scalar, type Tensor, type Variable } from '../core/tf.js';
import { invalid, numberInRange, optionsObject } from '../core/validate.js';
import { prepareAttack } from './context.js';
import { pgdCore, pgdSettings, type PgdOptions } from './pgd.js';
import { checkOptimizer, isOptimizerLike, keptCorrectCount, minimizeAndRead, trainableVariables, trainingForward, type TrainingStepResult } from './training.js';

/**
 * Options of {@link adversarialTrainingStep}: the PGD attack used to craft the training examples,
 * plus what to update.
 */
export interface AdversarialTrainingStepOptions extends PgdOptions {
  /**
   * Weight of the clean-example loss in `[0, 1]`: the step minimises
   * `(1 - cleanWeight) * loss(x_adv) + cleanWeight * loss(x)`. Default 0 (Madry et al.: adversarial
   * examples only); 0.5 is Goodfellow et al.'s mix.
   */
  readonly cleanWeight?: number;
  /** Variables to update. Default: the LayersModel's trainable weights (every trainable variable for a plain function). */
  readonly variables?: readonly Variable[];
  /** The optimizer taking the step (the library's step shape: `step(model, x, y, { optimizer, ... })`). */
  readonly optimizer?: Optimizer;
}

/**
 * One step of PGD adversarial training (Madry et al. 2018, https://arxiv.org/abs/1706.06083):
 * crafts adversarial examples with {@link pgd} against the model in inference mode, then takes one
 * optimizer step on the loss of the model (in training mode) on them. Drop it into your own loop.
 *
 * @param model - A `tf.LayersModel` (its trainable weights are updated) or a function from inputs
 *   to logits (pass `options.variables`); a single output unit is a binary model (see {@link pgd}).
 * @param x - A float32 batch with values in `[clipMin, clipMax]`.
 * @param y - True classes as indices or one-hot rows (0/1, or a `[batch, 1]` 0/1 column, for a
 *   single-output model).
 * The attack yields to the event loop between its steps; `options.signal` stops the step before
 * the update (the weights are then unchanged).
 *
 * @returns The loss and the adversarial accuracy on the batch (plain numbers).
 * @throws {@link InvalidArgumentError} for bad options, inputs, labels, a disposed tensor argument
 *   or variables the loss does not depend on; {@link AbortedError} when `options.signal` is
 *   aborted. Nothing leaks on any error.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { adversarialTrainingStep } from 'responsible-tfjs/robustness';
 * const optimizer = tf.train.adam(1e-3);
 * for (const [xb, yb] of batches) {
 *   const { loss } = await adversarialTrainingStep(model, xb, yb, { optimizer, epsilon: 0.1, stepSize: 0.025, steps: 7 });
 * }
 * ```
 */
export function adversarialTrainingStep(model: ModelLike, x: Tensor, y: LabelsLike, options: AdversarialTrainingStepOptions & { readonly optimizer: Optimizer }): Promise<TrainingStepResult>;
/**
 * The earlier form with the optimizer second.
 * @deprecated Pass the optimizer as `options.optimizer` (`adversarialTrainingStep(model, x, y, { optimizer, ... })`);
 * this form is kept for one minor version.
 * @returns The loss and the adversarial accuracy on the batch.
 */
export function adversarialTrainingStep(model: ModelLike, optimizer: Optimizer, x: Tensor, y: LabelsLike, options: AdversarialTrainingStepOptions): Promise<TrainingStepResult>;
export async function adversarialTrainingStep(
  model: ModelLike,
  ...rest: [Tensor, LabelsLike, AdversarialTrainingStepOptions] | [Optimizer, Tensor, LabelsLike, AdversarialTrainingStepOptions]
): Promise<TrainingStepResult> {
  const fn = 'adversarialTrainingStep';
  const positional = rest.length === 4 || isOptimizerLike(rest[0]);
  const [optimizer, x, y, options] = positional
    ? (rest as [Optimizer, Tensor, LabelsLike, AdversarialTrainingStepOptions])
    : [(rest[2] as AdversarialTrainingStepOptions | undefined)?.optimizer, rest[0] as Tensor, rest[1] as LabelsLike, rest[2] as AdversarialTrainingStepOptions];
  const opt = checkOptimizer(fn, optimizer, positional ? 'optimizer' : 'options.optimizer');
  const opts = optionsObject(fn, 'options', options);
  const settings = pgdSettings(fn, opts);
  const cleanWeight = numberInRange(fn, 'options.cleanWeight', opts.cleanWeight ?? 0, { min: 0, max: 1 });
  const variables = trainableVariables(fn, model, opts.variables);
  const forwardTrain = trainingForward(fn, model);
  if (y === undefined || y === null) invalid(fn, 'y', y, 'the true classes of x');
  const { context } = await prepareAttack(fn, model, x, y, { ...opts, targeted: false });
  try {
    const xAdv = await pgdCore(context, x, settings);
    try {
      // An abort during the attack's last step must not be followed by an update.
      throwIfAborted(fn, context.signal);
      return await minimizeAndRead(fn, opt, variables, x.shape[0] as number, (setCorrect) => {
        const outAdv = forwardTrain(xAdv);
        setCorrect(keptCorrectCount(outAdv, context.labels, context.outputKind));
        const advLoss = mean(context.loss(context.labels, outAdv));
        if (cleanWeight === 0) return advLoss as Scalar;
        const cleanLoss = mean(context.loss(context.labels, forwardTrain(x)));
        return add(mul(advLoss, 1 - cleanWeight), mul(cleanLoss, cleanWeight)) as Scalar;
      });
    } finally {
      xAdv.dispose();
    }
  } finally {
    context.labels.dispose();
  }
}

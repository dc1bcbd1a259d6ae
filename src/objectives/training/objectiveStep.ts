import type { ModelLike } from '../../core/model.js';
import type { Optimizer } from '../../core/tf.js';
import { invalid, optionsObject } from '../../core/validate.js';
import { lossState, type EthicalLoss, type ObjectiveStepResult } from '../ethicalLoss.js';
import type { LossState } from '../lossState.js';
import type { ObjectiveBatch } from '../types.js';

/** Options of {@link objectiveStep}. */
export interface ObjectiveStepOptions {
  /** The objective, built by {@link ethicalLoss} for the same model. */
  readonly loss: EthicalLoss;
  /** Any tfjs optimizer. */
  readonly optimizer: Optimizer;
}

/**
 * One optimisation step of a multi-objective loss on one batch, in the library's step shape
 * `step(model, batch, options)` (as `dpSgdStep` and `adversarialTrainingStep`, whose batch is
 * `x, y`; an objective's batch also carries its extras, such as groups). It binds the batch
 * ({@link EthicalLoss.setBatch}) and takes the strategy's step ({@link EthicalLoss.step}): the
 * Lagrange multipliers, MGDA and GradNorm weights update as in {@link trainMultiObjective}.
 *
 * @returns The objective, each term's value before the update and the weights used.
 * @throws InvalidArgumentError when the loss was built for another model or the optimizer is not one.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { crossEntropyTerm, demographicParityTerm, ethicalLoss, lagrangian, objectiveStep } from 'responsible-tfjs/objectives';
 * const loss = ethicalLoss({ model, task: crossEntropyTerm(), terms: [demographicParityTerm()],
 *   weights: lagrangian({ bounds: { demographicParity: 0.05 } }) });
 * const optimizer = tf.train.adam(1e-2);
 * for (const batch of batches) { // { x, y, extras: { groups } }
 *   const { total, values, weights } = await objectiveStep(model, batch, { loss, optimizer });
 *   console.log(total, values.demographicParity, weights.demographicParity); // the multiplier rises while the gap exceeds 0.05
 * }
 * ```
 */
export async function objectiveStep(model: ModelLike, batch: ObjectiveBatch, options: ObjectiveStepOptions): Promise<ObjectiveStepResult> {
  const fn = 'objectiveStep';
  const o = optionsObject(fn, 'options', options);
  checkLossAndOptimizer(fn, model, o.loss, o.optimizer);
  if (typeof batch !== 'object' || batch === null) invalid(fn, 'batch', batch, 'a batch { x, y, extras? }');
  await o.loss.setBatch(batch);
  return o.loss.step(o.optimizer);
}

/**
 * The loss and optimizer checks of every objectives training entry point (internal): a loss built
 * by {@link ethicalLoss} for this model, and a tfjs optimizer. Returns the loss's state.
 */
export function checkLossAndOptimizer(fn: string, model: ModelLike, loss: unknown, optimizer: unknown): LossState {
  const state = lossState(fn, loss as EthicalLoss);
  if (state.model !== model) invalid(fn, 'options.loss', 'a loss of another model', 'a loss built by ethicalLoss for this model');
  const o = optimizer as Optimizer | null;
  if (typeof o !== 'object' || o === null || typeof o.applyGradients !== 'function') {
    invalid(fn, 'options.optimizer', optimizer, 'a tfjs Optimizer (e.g. tf.train.adam(1e-3))');
  }
  return state;
}

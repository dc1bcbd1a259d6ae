import { toForwardFn, type ModelLike } from '../core/model.js';
import { booleanValue, invalid, optionsObject } from '../core/validate.js';
import type { LayersModel, Optimizer, Scalar, Tensor, Variable } from '../core/tf.js';
import { LossState } from './lossState.js';
import { modelVariables } from './modelVariables.js';
import { fixedWeights } from './strategies/fixedWeights.js';
import type { WeightingStrategy } from './strategies/types.js';
import { setBatchWeighting, stepWeighting } from './strategies/weightingContexts.js';
import type { LossTerm, ObjectiveBatch } from './types.js';

/**
 * Options of {@link ethicalLoss}.
 *
 * @example
 * ```ts
 * import { crossEntropyTerm, l1Term, type EthicalLossOptions } from 'responsible-tfjs/objectives';
 * const o: EthicalLossOptions = { model, task: crossEntropyTerm(), terms: [l1Term()], weights: { l1: 1e-4 } };
 * ```
 */
export interface EthicalLossOptions {
  /** The model: a `LayersModel`, or a function `x => logits` (then give `variables`). */
  readonly model: ModelLike;
  /** The task term (e.g. {@link crossEntropyTerm}); its weight is 1 unless the strategy moves it (MGDA, GradNorm). */
  readonly task: LossTerm;
  /** The other terms; names must be unique. Default none. */
  readonly terms?: readonly LossTerm[];
  /**
   * A weight per term name (fixed weights), or a strategy: {@link fixedWeights},
   * {@link normalizedWeights}, {@link lagrangian}, {@link mgda}, {@link gradNorm}, or your own
   * {@link WeightingStrategy}.
   */
  readonly weights: Readonly<Record<string, number>> | WeightingStrategy;
  /** Trainable variables; required for a function model, default the LayersModel's trainable weights. */
  readonly variables?: readonly Variable[];
  /**
   * Run a LayersModel in training mode (dropout and noise layers active) in the loss. Default
   * false: inference mode, so that every term, attacks included, sees the same deterministic model.
   */
  readonly training?: boolean;
}

/**
 * What {@link EthicalLoss.step} returns.
 *
 * @example
 * ```ts
 * const { total, values, weights } = await loss.step(optimizer);
 * console.log(total, values.task, weights.demographicParity);
 * ```
 */
export interface ObjectiveStepResult {
  /** The weighted objective before the update. */
  readonly total: number;
  /** Each term's value before the update (task included), by name. */
  readonly values: Record<string, number>;
  /** The weights used in the update (multipliers, MGDA weights), by name. */
  readonly weights: Record<string, number>;
}

/**
 * A multi-objective loss: call it (`loss()`) for the weighted scalar on the current batch, inside
 * `optimizer.minimize(loss)` or `tf.variableGrads(loss)`. Every call records each term's value,
 * which {@link EthicalLoss.lastValues} reads asynchronously. Built by {@link ethicalLoss}.
 *
 * @example
 * ```ts
 * await loss.setBatch({ x, y, extras: { groups } });
 * optimizer.minimize(loss);
 * console.log(await loss.lastValues()); // { task: 0.41, demographicParity: 0.07 }
 * ```
 */
export interface EthicalLoss {
  /**
   * The weighted objective `sum_i w_i * term_i` on the current batch (a Lagrangian
   * `task + sum_i lambda_i * (term_i - bound_i)` under constraints).
   * @returns A scalar the caller owns.
   */
  (): Scalar;
  /** Term names, the task first. */
  readonly termNames: readonly string[];
  /** The weighting strategy. */
  readonly strategy: WeightingStrategy;
  /** The trainable variables the loss differentiates. */
  readonly variables: readonly Variable[];
  /** The terms, the task first. */
  readonly terms: readonly LossTerm[];
  /**
   * Sets the batch the loss is evaluated on and runs the terms' `prepare` hooks (adversarial
   * examples), then the strategy's `setBatch` hook. The caller keeps ownership of the batch's
   * tensors and must keep them alive until the next `setBatch` or `dispose`. Under
   * {@link normalizedWeights} the first batch fixes the weights.
   */
  setBatch(batch: ObjectiveBatch): Promise<void>;
  /** Each term's value at the last call (or step), by name; `{}` before any call. */
  lastValues(): Promise<Record<string, number>>;
  /** The current weight of each term by name (the task's is 1 except under MGDA and GradNorm; Lagrange multipliers for bounded terms). */
  currentWeights(): Record<string, number>;
  /**
   * One optimisation step on the current batch, as the strategy's `step` defines it:
   * `optimizer.minimize` of the weighted loss for fixed and normalised weights; then the
   * multipliers' projected ascent for a Lagrangian; per-objective gradients and their min-norm
   * combination for MGDA; per-objective gradients and the weights' update for GradNorm.
   */
  step(optimizer: Optimizer): Promise<ObjectiveStepResult>;
  /** Releases the loss's tensors (labels, prepared extras, recorded values). */
  dispose(): void;
}

const states = new WeakMap<object, LossState>();

/** The state behind a loss (internal, for the training loop). */
export function lossState(fn: string, loss: unknown): LossState {
  const s = typeof loss === 'function' ? states.get(loss) : undefined;
  if (s === undefined) return invalid(fn, 'options.loss', loss, 'a loss built by ethicalLoss');
  return s;
}

/**
 * Builds a multi-objective ("ethical") loss: the task plus weighted terms,
 * `theta <- theta - eta * grad(task + sum_i lambda_i * term_i)`, with the weights fixed, normalised
 * by initial magnitudes, found as Lagrange multipliers of constraints `term_i <= bound_i`,
 * replaced by MGDA's min-norm combination of gradients or learned by GradNorm: whatever the
 * {@link WeightingStrategy} passed as `weights` does.
 *
 * @returns A callable loss the caller owns (release it with `dispose()`).
 * @throws InvalidArgumentError for duplicate or unknown term names, missing or negative weights, or
 * a strategy whose `init` returns malformed weights.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { ethicalLoss, crossEntropyTerm, demographicParityTerm, l1Term, lagrangian } from 'responsible-tfjs/objectives';
 * const loss = ethicalLoss({
 *   model, task: crossEntropyTerm(), terms: [demographicParityTerm(), l1Term()],
 *   weights: lagrangian({ bounds: { demographicParity: 0.05 }, weights: { l1: 1e-4 } }),
 * });
 * const optimizer = tf.train.adam(1e-2);
 * await loss.setBatch({ x, y, extras: { groups } });
 * const { values, weights } = await loss.step(optimizer);
 * ```
 */
export function ethicalLoss(options: EthicalLossOptions): EthicalLoss {
  const fn = 'ethicalLoss';
  const o = optionsObject(fn, 'options', options);
  const training = booleanValue(fn, 'options.training', o.training ?? false);
  const forward = training ? trainingForward(fn, o.model) : toForwardFn(fn, o.model);
  checkTerm(fn, 'options.task', o.task);
  const terms = o.terms ?? [];
  if (!Array.isArray(terms)) invalid(fn, 'options.terms', terms, 'an array of loss terms');
  terms.forEach((t, i) => checkTerm(fn, `options.terms[${i}]`, t));
  const seen = new Set<string>();
  for (const t of [o.task, ...terms]) {
    if (seen.has(t.name)) invalid(fn, 'options.terms', t.name, 'terms with unique names (the task included)');
    seen.add(t.name);
  }
  const weights = o.weights as unknown;
  if (typeof weights === 'object' && weights !== null && typeof (weights as { kind?: unknown }).kind === 'string' && !isStrategy(weights)) {
    invalid(fn, 'options.weights', weights, 'a record of weights or a weighting strategy with an init function', 'Build strategies with fixedWeights, normalizedWeights, lagrangian, mgda or gradNorm');
  }
  const strategy = isStrategy(weights) ? checkStrategy(fn, weights) : fixedWeights(o.weights as Readonly<Record<string, number>>);
  const variables = modelVariables(fn, o.model, o.variables);
  const state = new LossState(fn, o.model, forward, variables, o.task, terms, strategy);
  const loss = (() => state.evaluate()) as unknown as EthicalLoss;
  const names = state.names();
  Object.defineProperties(loss, {
    termNames: { value: Object.freeze(names), enumerable: true },
    strategy: { value: strategy, enumerable: true },
    variables: { value: Object.freeze([...variables]), enumerable: true },
    terms: { value: Object.freeze([...state.objectives]), enumerable: true },
  });
  const byName = (values: ArrayLike<number>): Record<string, number> =>
    Object.fromEntries(names.map((n, i) => [n, values[i] as number]));
  Object.assign(loss, {
    setBatch: async (batch: ObjectiveBatch) => {
      await state.bind(batch);
      await setBatchWeighting(state);
    },
    lastValues: async () => (state.lastValues === undefined ? {} : byName(await state.lastValues.data())),
    currentWeights: () => byName(state.weights),
    step: async (optimizer: Optimizer): Promise<ObjectiveStepResult> => {
      if (typeof optimizer !== 'object' || optimizer === null || typeof optimizer.minimize !== 'function') {
        invalid('EthicalLoss.step', 'optimizer', optimizer, 'a tfjs Optimizer (e.g. tf.train.adam(1e-3))');
      }
      state.requireBatch();
      const r = await stepWeighting(state, optimizer);
      return { total: r.total, values: byName(r.values), weights: byName(r.weights) };
    },
    dispose: () => state.dispose(),
  });
  states.set(loss, state);
  return loss;
}

function trainingForward(fn: string, model: ModelLike): (x: Tensor) => Tensor {
  if (typeof model === 'function') return invalid(fn, 'options.training', true, 'false for a function model (it has no training mode)');
  toForwardFn(fn, model); // validates the model
  const m = model as LayersModel;
  return (x: Tensor) => m.apply(x, { training: true }) as Tensor;
}

/** A strategy has an `init` function; a record of fixed weights has numbers only. */
function isStrategy(w: unknown): w is WeightingStrategy {
  return typeof w === 'object' && w !== null && typeof (w as { init?: unknown }).init === 'function';
}

function checkStrategy(fn: string, s: WeightingStrategy): WeightingStrategy {
  if (typeof s.name !== 'string' || s.name === '') invalid(fn, 'options.weights.name', s.name, 'a non-empty string (the strategy\'s name)');
  if (typeof s.privateSafe !== 'boolean') invalid(fn, 'options.weights.privateSafe', s.privateSafe, 'a boolean (whether DP-SGD may use the strategy)');
  return s;
}

function checkTerm(fn: string, argument: string, t: unknown): asserts t is LossTerm {
  const term = t as Partial<LossTerm>;
  if (typeof t !== 'object' || t === null || typeof term.name !== 'string' || term.name === '' || typeof term.fn !== 'function') {
    invalid(fn, argument, t, 'a loss term { name, dataDependence, fn }');
  }
  if (term.dataDependence !== 'example' && term.dataDependence !== 'batch' && term.dataDependence !== 'none') {
    invalid(fn, `${argument}.dataDependence`, term.dataDependence, "one of 'example', 'batch', 'none'");
  }
}

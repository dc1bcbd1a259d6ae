import { invalid, optionsObject, positiveNumber } from '../../core/validate.js';
import type { LagrangianWeighting } from './types.js';
import { weightRecord } from './weightRecord.js';

/**
 * Options of {@link lagrangian}.
 *
 * @example
 * ```ts
 * import type { LagrangianOptions } from 'responsible-tfjs/objectives';
 * const o: LagrangianOptions = { bounds: { demographicParity: 0.05 }, weights: { l1: 1e-4 } };
 * ```
 */
export interface LagrangianOptions {
  /** Upper bound (>= 0) per constrained term name (at least one). */
  readonly bounds: Readonly<Record<string, number>>;
  /** Multiplier ascent step size (> 0). Default 0.1. */
  readonly multiplierLearningRate?: number;
  /** Starting multipliers (>= 0). Default 0 each. */
  readonly initialMultipliers?: Readonly<Record<string, number>>;
  /** Fixed weights of the unconstrained terms; every term must be bounded or weighted. */
  readonly weights?: Readonly<Record<string, number>>;
}

/**
 * Constrained training: minimise the task subject to `term_i <= bound_i`. The model's parameters
 * descend the Lagrangian `task + sum_i lambda_i * (term_i - bound_i)`; after each step the
 * multipliers take a projected gradient-ascent step,
 * `lambda_i <- max(0, lambda_i + multiplierLearningRate * (term_i - bound_i))`, measured on the
 * batch just used (as TensorFlow Constrained Optimization's Lagrangian formulation). A
 * constraint that is satisfied lets its multiplier decay to 0; one that is violated makes it grow.
 *
 * @returns A strategy object.
 * @throws InvalidArgumentError for an empty or negative bound, a non-positive rate, a negative
 * multiplier, or a term both bounded and weighted.
 * @example
 * ```ts
 * import { ethicalLoss, crossEntropyTerm, demographicParityTerm, lagrangian } from 'responsible-tfjs/objectives';
 * const loss = ethicalLoss({
 *   model, task: crossEntropyTerm(), terms: [demographicParityTerm()],
 *   weights: lagrangian({ bounds: { demographicParity: 0.05 }, multiplierLearningRate: 0.5 }),
 * });
 * ```
 */
export function lagrangian(options: LagrangianOptions): LagrangianWeighting {
  const fn = 'lagrangian';
  const o = optionsObject(fn, 'options', options);
  const bounds = weightRecord(fn, 'options.bounds', o.bounds);
  if (Object.keys(bounds).length === 0) invalid(fn, 'options.bounds', o.bounds, 'a record with at least one bounded term');
  const initialMultipliers = weightRecord(fn, 'options.initialMultipliers', o.initialMultipliers ?? {});
  for (const k of Object.keys(initialMultipliers)) {
    if (!(k in bounds)) invalid(fn, `options.initialMultipliers.${k}`, k, `the name of a bounded term (${Object.keys(bounds).join(', ')})`);
  }
  const weights = weightRecord(fn, 'options.weights', o.weights ?? {});
  for (const k of Object.keys(weights)) {
    if (k in bounds) invalid(fn, `options.weights.${k}`, weights[k], 'absent: a term is either bounded or weighted, not both');
  }
  return {
    kind: 'lagrangian',
    bounds,
    multiplierLearningRate: positiveNumber(fn, 'options.multiplierLearningRate', o.multiplierLearningRate ?? 0.1),
    initialMultipliers,
    weights,
  };
}

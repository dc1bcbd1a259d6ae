import { invalid, optionsObject, positiveNumber } from '../../core/validate.js';
import { knownTerms } from './knownTerms.js';
import type { WeightingState, WeightingStepContext, WeightingStepResult, WeightingStrategy } from './types.js';
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
 * Constraints `term_i <= bound_i` solved with Lagrange multipliers: the model descends
 * `task + sum_i lambda_i * (term_i - bound_i)` (+ fixed-weight terms), and after each step the
 * multipliers ascend: `lambda_i <- max(0, lambda_i + multiplierLearningRate * (term_i - bound_i))`
 * (projected gradient ascent, as TensorFlow Constrained Optimization's Lagrangian formulation).
 *
 * @example
 * ```ts
 * import { lagrangian } from 'responsible-tfjs/objectives';
 * const s = lagrangian({ bounds: { demographicParity: 0.05 }, multiplierLearningRate: 0.5 });
 * ```
 */
export interface LagrangianWeighting extends WeightingStrategy {
  /** Strategy name. */
  readonly name: 'lagrangian';
  /** @deprecated Use `name`; `kind` goes away in the next minor version. */
  readonly kind: 'lagrangian';
  /** Upper bound (>= 0) per constrained term. */
  readonly bounds: Readonly<Record<string, number>>;
  /** Step size of the multipliers' ascent (> 0). */
  readonly multiplierLearningRate: number;
  /** Starting multipliers (>= 0); 0 for constraints not listed. */
  readonly initialMultipliers: Readonly<Record<string, number>>;
  /** Fixed weights (>= 0) of the terms that are not constrained. */
  readonly weights: Readonly<Record<string, number>>;
}

/**
 * Constrained training: minimise the task subject to `term_i <= bound_i`. The model's parameters
 * descend the Lagrangian `task + sum_i lambda_i * (term_i - bound_i)`; after each step the
 * multipliers take a projected gradient-ascent step,
 * `lambda_i <- max(0, lambda_i + multiplierLearningRate * (term_i - bound_i))`, measured on the
 * batch just used (as TensorFlow Constrained Optimization's Lagrangian formulation). A
 * constraint that is satisfied lets its multiplier decay to 0; one that is violated makes it grow.
 *
 * @returns A strategy value; each loss built with it keeps its own multipliers.
 * @throws InvalidArgumentError for an empty or negative bound, a non-positive rate, a negative
 * multiplier, or a term both bounded and weighted; from {@link ethicalLoss}, for an unknown term or
 * a term neither bounded nor weighted.
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
  const multiplierLearningRate = positiveNumber(fn, 'options.multiplierLearningRate', o.multiplierLearningRate ?? 0.1);
  return Object.freeze({
    name: 'lagrangian' as const,
    kind: 'lagrangian' as const,
    privateSafe: false,
    bounds,
    multiplierLearningRate,
    initialMultipliers,
    weights,
    init(termNames: readonly string[]): WeightingState {
      knownTerms(bounds, termNames, 'options.weights.bounds');
      knownTerms(weights, termNames, 'options.weights.weights');
      termNames.slice(1).forEach((name) => {
        if (bounds[name] === undefined && weights[name] === undefined) {
          invalid('ethicalLoss', `options.weights.weights.${name}`, undefined, 'a bound or a weight for every term');
        }
      });
      // A bounded term's weight is its multiplier and its bound the offset; the others keep a fixed weight.
      const bounded = termNames.map((name, i) => i > 0 && bounds[name] !== undefined);
      const offsets = termNames.map((name, i) => (bounded[i] ? bounds[name]! : 0));
      return {
        initialWeights: termNames.map((name, i) => (i === 0 ? 1 : bounded[i] ? (initialMultipliers[name] ?? 0) : weights[name]!)),
        offsets,
        async step(ctx: WeightingStepContext): Promise<WeightingStepResult> {
          const used = ctx.weights;
          const { total, values } = await ctx.minimize();
          // Projected gradient ascent on the multipliers, on the batch just used.
          ctx.setWeights(used.map((w, i) => (bounded[i] ? Math.max(0, w + multiplierLearningRate * (values[i]! - offsets[i]!)) : w)));
          return { total, values, weights: used };
        },
      };
    },
  });
}

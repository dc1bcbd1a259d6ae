/**
 * Fixed weights: the objective is `task + sum_i w_i * term_i`.
 *
 * @example
 * ```ts
 * import { fixedWeights } from 'responsible-tfjs/objectives';
 * const s = fixedWeights({ demographicParity: 2, l1: 1e-3 });
 * ```
 */
export interface FixedWeighting {
  /** Discriminant. */
  readonly kind: 'fixed';
  /** One weight (>= 0) per term name. */
  readonly weights: Readonly<Record<string, number>>;
}

/**
 * Weights rescaled by the magnitudes measured on the first batch: term `i` gets
 * `w_i * task0 / term0_i`, so every weighted term starts at `w_i` times the initial task loss.
 *
 * @example
 * ```ts
 * import { normalizedWeights } from 'responsible-tfjs/objectives';
 * const s = normalizedWeights({ weights: { l1: 0.5, inputGradient: 1 } });
 * ```
 */
export interface NormalizedWeighting {
  /** Discriminant. */
  readonly kind: 'normalized';
  /** Relative weight (>= 0) per term name. */
  readonly weights: Readonly<Record<string, number>>;
  /** Smallest initial magnitude that can be normalised; a term below it on the first batch is an error. */
  readonly minMagnitude: number;
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
export interface LagrangianWeighting {
  /** Discriminant. */
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
 * How MGDA scales each objective's gradient before the min-norm problem (Sener & Koltun 2018):
 * `'none'`, `'l2'` (unit gradients), `'loss'` (divided by the objective's value) or `'loss+'`
 * (divided by value times gradient norm).
 *
 * @example
 * ```ts
 * import type { MgdaNormalization } from 'responsible-tfjs/objectives';
 * const n: MgdaNormalization = 'l2';
 * ```
 */
export type MgdaNormalization = 'none' | 'l2' | 'loss' | 'loss+';

/**
 * MGDA (Désidéri 2012; Sener & Koltun 2018): each step follows the minimum-norm point of the
 * convex hull of the objectives' gradients (task and every term), a direction that decreases all
 * of them unless the point is Pareto-stationary.
 *
 * @example
 * ```ts
 * import { mgda } from 'responsible-tfjs/objectives';
 * const s = mgda({ normalization: 'l2' });
 * ```
 */
export interface MgdaWeighting {
  /** Discriminant. */
  readonly kind: 'mgda';
  /** Gradient scaling before solving. */
  readonly normalization: MgdaNormalization;
  /** Frank-Wolfe iterations for more than two objectives. */
  readonly maxIterations: number;
  /** Frank-Wolfe stops when the step changes the weights by less than this. */
  readonly tolerance: number;
}

/**
 * GradNorm (Chen et al. 2018): weights learned so that every weighted objective's gradient norm
 * approaches the mean norm times the objective's relative inverse training rate to the power
 * `alpha`; objectives that train slower get larger gradients.
 *
 * @example
 * ```ts
 * import { gradNorm } from 'responsible-tfjs/objectives';
 * const s = gradNorm({ alpha: 1.5, weightLearningRate: 0.025 });
 * ```
 */
export interface GradNormWeighting {
  /** Discriminant. */
  readonly kind: 'gradNorm';
  /** Asymmetry `alpha` (>= 0): 0 equalises gradient norms; larger favours slow objectives. */
  readonly alpha: number;
  /** Step size (> 0) of the weights' gradient descent on the GradNorm loss. */
  readonly weightLearningRate: number;
}

/**
 * How an {@link EthicalLoss} weighs its terms. Build one with {@link fixedWeights},
 * {@link normalizedWeights}, {@link lagrangian}, {@link mgda} or {@link gradNorm}.
 *
 * @example
 * ```ts
 * import { mgda, type WeightingStrategy } from 'responsible-tfjs/objectives';
 * const s: WeightingStrategy = mgda();
 * ```
 */
export type WeightingStrategy = FixedWeighting | NormalizedWeighting | LagrangianWeighting | MgdaWeighting | GradNormWeighting;

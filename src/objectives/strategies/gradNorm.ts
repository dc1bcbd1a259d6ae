import { nonNegativeNumber, optionsObject, positiveNumber } from '../../core/validate.js';
import type { GradNormWeighting } from './types.js';

/**
 * Options of {@link gradNorm}.
 *
 * @example
 * ```ts
 * import type { GradNormOptions } from 'responsible-tfjs/objectives';
 * const o: GradNormOptions = { alpha: 0.5 };
 * ```
 */
export interface GradNormOptions {
  /** Asymmetry (>= 0). Default 1.5, the paper's choice for its multi-task benchmarks. */
  readonly alpha?: number;
  /** Step size (> 0) of the weights. Default 0.025. */
  readonly weightLearningRate?: number;
}

/**
 * GradNorm gradient balancing (Chen, Badrinarayanan, Lee & Rabinovich 2018). Every step computes
 * each objective's gradient `g_i` (task and terms) and its norm `n_i` over all trainable weights
 * (the paper uses the last shared layer; a model here has no declared shared layer), the targets
 * `t_i = mean_j(w_j n_j) * r_i^alpha` with `r_i` the objective's loss ratio `L_i / L_i(0)` over the
 * mean ratio, then takes a gradient step on `sum_i |w_i n_i - t_i|` in the weights (targets held
 * constant), keeps them above 1e-6 and renormalises them to sum to the number of objectives, as the
 * paper does. The model is updated with `sum_i w_i g_i` at the weights before the update.
 *
 * @returns A strategy object.
 * @example
 * ```ts
 * import { ethicalLoss, crossEntropyTerm, inputGradientTerm, gradNorm } from 'responsible-tfjs/objectives';
 * const loss = ethicalLoss({ model, task: crossEntropyTerm(), terms: [inputGradientTerm()], weights: gradNorm() });
 * ```
 */
export function gradNorm(options?: GradNormOptions): GradNormWeighting {
  const o = optionsObject('gradNorm', 'options', options);
  return {
    kind: 'gradNorm',
    alpha: nonNegativeNumber('gradNorm', 'options.alpha', o.alpha ?? 1.5),
    weightLearningRate: positiveNumber('gradNorm', 'options.weightLearningRate', o.weightLearningRate ?? 0.025),
  };
}

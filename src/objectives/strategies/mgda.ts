import { oneOf, optionsObject, positiveInteger, positiveNumber } from '../../core/validate.js';
import type { MgdaNormalization, MgdaWeighting } from './types.js';

/**
 * Options of {@link mgda}.
 *
 * @example
 * ```ts
 * import type { MgdaOptions } from 'responsible-tfjs/objectives';
 * const o: MgdaOptions = { normalization: 'loss+', maxIterations: 100 };
 * ```
 */
export interface MgdaOptions {
  /** Gradient scaling before the min-norm problem. Default `'none'` (the plain MGDA direction). */
  readonly normalization?: MgdaNormalization;
  /** Frank-Wolfe iterations (integer >= 1) for more than two objectives. Default 250. */
  readonly maxIterations?: number;
  /** Frank-Wolfe stopping tolerance (> 0) on the weights' change. Default 1e-6. */
  readonly tolerance?: number;
}

/**
 * The multiple-gradient descent algorithm: every step computes the gradient of the task and of
 * each term separately, finds the weights `alpha` (>= 0, summing to 1) whose combination
 * `sum_i alpha_i g_i` has the smallest norm ({@link minNormCoefficients}: closed form for two
 * objectives, Frank-Wolfe beyond) and applies that combination. No weights to tune; the cost is one
 * backward pass per objective.
 *
 * @returns A strategy object.
 * @example
 * ```ts
 * import { ethicalLoss, crossEntropyTerm, adversarialTerm, mgda } from 'responsible-tfjs/objectives';
 * const loss = ethicalLoss({ model, task: crossEntropyTerm(), terms: [adversarialTerm({ epsilon: 0.1 })], weights: mgda() });
 * ```
 */
export function mgda(options?: MgdaOptions): MgdaWeighting {
  const o = optionsObject('mgda', 'options', options);
  return {
    kind: 'mgda',
    normalization: oneOf('mgda', 'options.normalization', o.normalization ?? 'none', ['none', 'l2', 'loss', 'loss+'] as const),
    maxIterations: positiveInteger('mgda', 'options.maxIterations', o.maxIterations ?? 250),
    tolerance: positiveNumber('mgda', 'options.tolerance', o.tolerance ?? 1e-6),
  };
}

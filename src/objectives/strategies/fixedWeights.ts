import { optionsObject } from '../../core/validate.js';
import type { FixedWeighting } from './types.js';
import { weightRecord } from './weightRecord.js';

/**
 * Fixed weights, one per term: the objective is `task + sum_i w_i * term_i`. (A plain record
 * passed as `weights` to {@link ethicalLoss} means the same.)
 *
 * @param weights - A weight >= 0 per term name.
 * @returns A strategy object.
 * @example
 * ```ts
 * import { ethicalLoss, crossEntropyTerm, l1Term, fixedWeights } from 'responsible-tfjs/objectives';
 * const loss = ethicalLoss({ model, task: crossEntropyTerm(), terms: [l1Term()], weights: fixedWeights({ l1: 1e-4 }) });
 * ```
 */
export function fixedWeights(weights: Readonly<Record<string, number>>): FixedWeighting {
  return { kind: 'fixed', weights: weightRecord('fixedWeights', 'weights', optionsObject('fixedWeights', 'weights', weights)) };
}

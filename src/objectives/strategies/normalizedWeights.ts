import { optionsObject, positiveNumber } from '../../core/validate.js';
import type { NormalizedWeighting } from './types.js';
import { weightRecord } from './weightRecord.js';

/**
 * Options of {@link normalizedWeights}.
 *
 * @example
 * ```ts
 * import type { NormalizedWeightsOptions } from 'responsible-tfjs/objectives';
 * const o: NormalizedWeightsOptions = { weights: { l1: 1 }, minMagnitude: 1e-6 };
 * ```
 */
export interface NormalizedWeightsOptions {
  /** Relative weight (>= 0) per term name; a term not listed gets 1. */
  readonly weights?: Readonly<Record<string, number>>;
  /**
   * Smallest initial magnitude (> 0) divided by; a term whose first-batch value is smaller (a
   * fairness gap of exactly 0 at a zero initialisation) is an error rather than a huge weight.
   * Default 1e-8.
   */
  readonly minMagnitude?: number;
}

/**
 * Normalisation by initial magnitudes: on the first batch the loss measures the task value `task0`
 * and each term's `term0_i`, then weighs term `i` by `w_i * task0 / |term0_i|`,
 * so that every weighted term starts equal to `w_i` times the task loss, whatever its units.
 *
 * @returns A strategy object.
 * @throws InvalidArgumentError (from `setBatch`) when a term's first value is below `minMagnitude`.
 * @example
 * ```ts
 * import { ethicalLoss, crossEntropyTerm, l1Term, inputGradientTerm, normalizedWeights } from 'responsible-tfjs/objectives';
 * const loss = ethicalLoss({
 *   model, task: crossEntropyTerm(), terms: [l1Term(), inputGradientTerm()],
 *   weights: normalizedWeights({ weights: { l1: 0.1, inputGradient: 0.5 } }),
 * });
 * ```
 */
export function normalizedWeights(options?: NormalizedWeightsOptions): NormalizedWeighting {
  const o = optionsObject('normalizedWeights', 'options', options);
  return {
    kind: 'normalized',
    weights: weightRecord('normalizedWeights', 'options.weights', o.weights ?? {}),
    minMagnitude: positiveNumber('normalizedWeights', 'options.minMagnitude', o.minMagnitude ?? 1e-8),
  };
}

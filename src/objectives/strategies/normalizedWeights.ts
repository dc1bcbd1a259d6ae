import { invalid, optionsObject, positiveNumber } from '../../core/validate.js';
import { minimizeStep } from './fixedWeights.js';
import { knownTerms } from './knownTerms.js';
import type { WeightingBatchContext, WeightingState, WeightingStrategy } from './types.js';
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
 * Weights rescaled by the magnitudes measured on the first batch: term `i` gets
 * `w_i * task0 / term0_i`, so every weighted term starts at `w_i` times the initial task loss.
 *
 * @example
 * ```ts
 * import { normalizedWeights } from 'responsible-tfjs/objectives';
 * const s = normalizedWeights({ weights: { l1: 0.5, inputGradient: 1 } });
 * ```
 */
export interface NormalizedWeighting extends WeightingStrategy {
  /** Strategy name. */
  readonly name: 'normalized';
  /** @deprecated Use `name`; `kind` goes away in the next minor version. */
  readonly kind: 'normalized';
  /** Relative weight (>= 0) per term name. */
  readonly weights: Readonly<Record<string, number>>;
  /** Smallest initial magnitude that can be normalised; a term below it on the first batch is an error. */
  readonly minMagnitude: number;
}

/**
 * Normalisation by initial magnitudes: on the first batch the loss measures the task value `task0`
 * and each term's `term0_i`, then weighs term `i` by `w_i * task0 / |term0_i|`,
 * so that every weighted term starts equal to `w_i` times the task loss, whatever its units.
 * The weights then stay fixed; a step is one `optimizer.minimize`.
 *
 * @returns A strategy value.
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
  const weights = weightRecord('normalizedWeights', 'options.weights', o.weights ?? {});
  const minMagnitude = positiveNumber('normalizedWeights', 'options.minMagnitude', o.minMagnitude ?? 1e-8);
  return Object.freeze({
    name: 'normalized' as const,
    kind: 'normalized' as const,
    privateSafe: false,
    weights,
    minMagnitude,
    init(termNames: readonly string[]): WeightingState {
      knownTerms(weights, termNames, 'options.weights');
      let normalized = false;
      return {
        initialWeights: termNames.map(() => 1),
        /** Measures the initial magnitudes on the first batch and sets the normalised weights. */
        async setBatch(ctx: WeightingBatchContext): Promise<void> {
          if (normalized) return;
          const v = await ctx.values();
          const task0 = Math.abs(v[0] as number);
          const next = [...ctx.weights];
          for (let i = 1; i < v.length; i++) {
            const name = termNames[i]!;
            const magnitude = Math.abs(v[i] as number);
            if (!(magnitude >= minMagnitude)) {
              invalid('EthicalLoss.setBatch', `terms.${name}`, v[i], `a term whose value on the first batch is at least minMagnitude (${minMagnitude}) in magnitude`,
                'Its weight cannot be normalised by a (near-)zero initial value; give it a fixed weight or start from another batch or initialisation');
            }
            next[i] = ((weights[name] ?? 1) * task0) / magnitude;
          }
          ctx.setWeights(next);
          normalized = true;
        },
        step: minimizeStep,
      };
    },
  });
}

import { invalid, optionsObject } from '../../core/validate.js';
import { knownTerms } from './knownTerms.js';
import type { WeightingState, WeightingStepContext, WeightingStepResult, WeightingStrategy } from './types.js';
import { weightRecord } from './weightRecord.js';

/**
 * Fixed weights: the objective is `task + sum_i w_i * term_i`. The only built-in strategy DP-SGD
 * accepts (`privateSafe`).
 *
 * @example
 * ```ts
 * import { fixedWeights } from 'responsible-tfjs/objectives';
 * const s = fixedWeights({ demographicParity: 2, l1: 1e-3 });
 * ```
 */
export interface FixedWeighting extends WeightingStrategy {
  /** Strategy name. */
  readonly name: 'fixed';
  /** @deprecated Use `name`; `kind` goes away in the next minor version. */
  readonly kind: 'fixed';
  /** One weight (>= 0) per term name. */
  readonly weights: Readonly<Record<string, number>>;
}

/**
 * Fixed weights, one per term: the objective is `task + sum_i w_i * term_i`, and a step is one
 * `optimizer.minimize` of it. (A plain record passed as `weights` to {@link ethicalLoss} means the
 * same.)
 *
 * @param weights - A weight >= 0 per term name; every term needs one.
 * @returns A strategy value.
 * @throws InvalidArgumentError for a negative weight; from {@link ethicalLoss}, for a weight of an
 * unknown term or a term without a weight.
 * @example
 * ```ts
 * import { ethicalLoss, crossEntropyTerm, l1Term, fixedWeights } from 'responsible-tfjs/objectives';
 * const loss = ethicalLoss({ model, task: crossEntropyTerm(), terms: [l1Term()], weights: fixedWeights({ l1: 1e-4 }) });
 * ```
 */
export function fixedWeights(weights: Readonly<Record<string, number>>): FixedWeighting {
  const record = weightRecord('fixedWeights', 'weights', optionsObject('fixedWeights', 'weights', weights));
  return Object.freeze({
    name: 'fixed' as const,
    kind: 'fixed' as const,
    privateSafe: true,
    weights: record,
    init(termNames: readonly string[]): WeightingState {
      knownTerms(record, termNames, 'options.weights');
      const initialWeights = termNames.map((name, i) => {
        if (i === 0) return 1;
        const w = record[name];
        if (w === undefined) invalid('ethicalLoss', `options.weights.${name}`, undefined, 'a weight >= 0 for every term');
        return w;
      });
      return { initialWeights, step: minimizeStep };
    },
  });
}

/**
 * The step of the strategies whose weights do not move during the step (fixed, normalised): one
 * `optimizer.minimize` of the weighted loss (internal).
 */
export async function minimizeStep(ctx: WeightingStepContext): Promise<WeightingStepResult> {
  const weights = ctx.weights;
  const { total, values } = await ctx.minimize();
  return { total, values, weights };
}

import type { LossTerm } from '../types.js';
import { demographicParityPenalty } from '../../fairness/index.js';
import { groupPenaltyTerm } from './groupPenaltyTerm.js';

/** Options of {@link demographicParityTerm} and {@link equalizedOddsTerm}. */
export interface GroupTermOptions {
  /** Term name. Default `'demographicParity'` or `'equalizedOdds'`. */
  readonly name?: string;
  /** Extras key of the sensitive-group ids, integers in `[0, numGroups)`. Default `'groups'`. */
  readonly groupKey?: string;
  /** Number of sensitive groups (integer >= 2). Default 2. */
  readonly numGroups?: number;
  /**
   * Logits are divided by this (> 0) before the sigmoid or softmax. Below 1 the soft rates approach
   * the hard 0/1 decisions at threshold 0.5 that Fairlearn's metrics count (a sharper but less
   * smooth proxy). Default 1: predicted probabilities.
   */
  readonly temperature?: number;
}

/**
 * Fairness term: the soft demographic-parity gap of a binary classifier, the largest difference
 * between the groups' mean predicted probability of the positive class in the batch,
 * `max_g mean_{n in g} p_n - min_g mean_{n in g} p_n` (the differentiable relaxation of
 * Fairlearn's `demographic_parity_difference`, which uses hard predictions), computed by the
 * fairness module's {@link demographicParityPenalty}. Groups absent from a batch are left out. It
 * couples the examples of a batch, so DP-SGD refuses it.
 *
 * @returns A loss term with data dependence `'batch'`.
 * @example
 * ```ts
 * import { ethicalLoss, crossEntropyTerm, demographicParityTerm, lagrangian } from 'responsible-tfjs/objectives';
 * const loss = ethicalLoss({
 *   model, task: crossEntropyTerm(), terms: [demographicParityTerm()],
 *   weights: lagrangian({ bounds: { demographicParity: 0.05 } }),
 * });
 * await loss.setBatch({ x, y, extras: { groups } }); // groups: 0/1 per example
 * ```
 */
export function demographicParityTerm(options?: GroupTermOptions): LossTerm {
  return groupPenaltyTerm('demographicParityTerm', 'demographicParity', options, ({ scores, groups, numGroups }) =>
    // The groups were validated asynchronously in prepare; no synchronous read inside the tape.
    demographicParityPenalty({ scores, groups, numGroups, checkValues: false }),
  );
}

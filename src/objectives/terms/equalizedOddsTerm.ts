import { positiveLabels } from '../../core/outputs/index.js';
import { equalizedOddsPenalty } from '../../fairness/index.js';
import type { LossTerm } from '../types.js';
import type { GroupTermOptions } from './demographicParityTerm.js';
import { groupPenaltyTerm } from './groupPenaltyTerm.js';

/**
 * Fairness term: the soft equalized-odds gap of a binary classifier, the larger of the soft
 * true-positive-rate gap (groups' mean positive probability among label-1 examples) and the soft
 * false-positive-rate gap (among label-0 examples), the relaxation of Fairlearn's
 * `equalized_odds_difference`, computed by the fairness module's {@link equalizedOddsPenalty}. It
 * couples the examples of a batch, so DP-SGD refuses it.
 *
 * @returns A loss term with data dependence `'batch'`.
 * @example
 * ```ts
 * import { ethicalLoss, crossEntropyTerm, equalizedOddsTerm } from 'responsible-tfjs/objectives';
 * const loss = ethicalLoss({ model, task: crossEntropyTerm(), terms: [equalizedOddsTerm()], weights: { equalizedOdds: 1 } });
 * ```
 */
export function equalizedOddsTerm(options?: GroupTermOptions): LossTerm {
  return groupPenaltyTerm('equalizedOddsTerm', 'equalizedOdds', options, ({ scores, groups, numGroups, ctx }) =>
    equalizedOddsPenalty({ scores, labels: positiveLabels(ctx.labels), groups, numGroups, checkValues: false }),
  );
}

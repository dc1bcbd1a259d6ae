import type { Scalar } from '../../core/tf.js';
import { equalizedOddsPenalty } from '../../fairness/index.js';
import { optionsObject, positiveNumber } from '../../core/validate.js';
import type { LossTerm } from '../types.js';
import type { GroupTermOptions } from './demographicParityTerm.js';
import { checkGroups, groupCount } from './groupChecks.js';
import { positiveLabels, positiveScore } from './outputs.js';
import { termName } from './termName.js';

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
  const fn = 'equalizedOddsTerm';
  const o = optionsObject(fn, 'options', options);
  const name = termName(fn, o.name ?? 'equalizedOdds');
  const key = o.groupKey ?? 'groups';
  const numGroups = groupCount(fn, o.numGroups);
  const temperature = positiveNumber(fn, 'options.temperature', o.temperature ?? 1);
  return {
    name,
    dataDependence: 'batch',
    prepare: async (ctx) => {
      await checkGroups(fn, key, numGroups, ctx);
      return {};
    },
    fn: (ctx): Scalar =>
      equalizedOddsPenalty({ scores: positiveScore(fn, ctx.outputs, temperature), labels: positiveLabels(ctx.labels), groups: ctx.extras[key]!, numGroups }),
  };
}

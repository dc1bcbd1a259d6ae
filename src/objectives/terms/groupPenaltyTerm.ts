import { positiveScore } from '../../core/outputs/index.js';
import type { Scalar, Tensor } from '../../core/tf.js';
import { optionsObject, positiveNumber } from '../../core/validate.js';
import type { LossTerm, TermContext } from '../types.js';
import type { GroupTermOptions } from './demographicParityTerm.js';
import { checkGroups, groupCount } from './groupChecks.js';
import { termName } from './termName.js';

/** What a group penalty receives: sharpened positive-class scores and the batch's group ids. */
export interface GroupPenaltyInputs {
  readonly scores: Tensor;
  readonly groups: Tensor;
  readonly numGroups: number;
  readonly ctx: TermContext;
}

/**
 * The shared shape of the batch-level fairness terms (internal): validated options, a group check
 * once per batch, and the penalty on the model's positive-class scores.
 */
export function groupPenaltyTerm(
  fn: string,
  defaultName: string,
  options: GroupTermOptions | undefined,
  penalty: (inputs: GroupPenaltyInputs) => Scalar,
): LossTerm {
  const o = optionsObject(fn, 'options', options);
  const name = termName(fn, o.name ?? defaultName);
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
    fn: (ctx): Scalar => penalty({ scores: positiveScore(fn, ctx.outputs, temperature), groups: ctx.extras[key]!, numGroups, ctx }),
  };
}

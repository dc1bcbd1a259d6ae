import { positiveScore } from '../../core/outputs/index.js';
import { cast, greater, less, logicalAnd, mul, sum, type Scalar } from '../../core/tf.js';
import { mmdPenalty } from '../../fairness/index.js';
import { optionsObject, positiveNumber } from '../../core/validate.js';
import type { LossTerm } from '../types.js';
import { checkGroups } from './groupChecks.js';
import { termName } from './termName.js';

/** Options of {@link mmdTerm}. */
export interface MmdTermOptions {
  /** Term name. Default `'mmd'`. */
  readonly name?: string;
  /** Extras key of the group ids, 0 or 1. Default `'groups'`. */
  readonly groupKey?: string;
  /** Gaussian kernel bandwidth `sigma` (> 0), in probability units. Default 0.1. */
  readonly kernelBandwidth?: number;
}

/**
 * Fairness term in the style of MinDiff (TensorFlow Model Remediation): the squared maximum mean
 * discrepancy between the two groups' distributions of predicted positive-class probability, with
 * the Gaussian kernel `k(a, b) = exp(-(a - b)^2 / sigma^2)`:
 * `MMD^2 = E k(a, a') + E k(b, b') - 2 E k(a, b)` (biased estimate over all pairs of the batch).
 * Zero when the two score distributions match, not only their means. Couples examples, so DP-SGD
 * refuses it. Computed by the fairness module's {@link mmdPenalty}; a batch with one group empty
 * gives 0.
 *
 * @returns A loss term with data dependence `'batch'`.
 * @example
 * ```ts
 * import { ethicalLoss, crossEntropyTerm, mmdTerm } from 'responsible-tfjs/objectives';
 * const loss = ethicalLoss({ model, task: crossEntropyTerm(), terms: [mmdTerm()], weights: { mmd: 1 } });
 * ```
 */
export function mmdTerm(options?: MmdTermOptions): LossTerm {
  const fn = 'mmdTerm';
  const o = optionsObject(fn, 'options', options);
  const name = termName(fn, o.name ?? 'mmd');
  const key = o.groupKey ?? 'groups';
  const sigma = positiveNumber(fn, 'options.kernelBandwidth', o.kernelBandwidth ?? 0.1);
  return {
    name,
    dataDependence: 'batch',
    prepare: async (ctx) => {
      await checkGroups(fn, key, 2, ctx);
      return {};
    },
    fn: (ctx): Scalar => {
      const membership = ctx.extras[key]!;
      const mmd = mmdPenalty({ scores: positiveScore(fn, ctx.outputs), membership, kernel: 'gaussian', kernelLength: sigma, checkValues: false });
      // With one group empty there is nothing to compare (the penalty alone would still be E k(b, b')).
      const inGroup = sum(cast(membership, 'float32'));
      const bothPresent = cast(logicalAnd(greater(inGroup, 0), less(inGroup, membership.size)), 'float32');
      return mul(mmd, bothPresent) as Scalar;
    },
  };
}

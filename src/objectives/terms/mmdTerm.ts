import { add, cast, div, greater, equal, exp, maximum, mul, neg, reshape, scalar, square, sub, sum, type Scalar, type Tensor } from '../../core/tf.js';
import { optionsObject, positiveNumber } from '../../core/validate.js';
import type { LossTerm } from '../types.js';
import { checkGroups } from './groupGap.js';
import { positiveScore } from './outputs.js';
import { termName } from './termName.js';

/**
 * Options of {@link mmdTerm}.
 *
 * @example
 * ```ts
 * import type { MmdTermOptions } from 'responsible-tfjs/objectives';
 * const o: MmdTermOptions = { kernelBandwidth: 0.2 };
 * ```
 */
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
 * refuses it. A batch with one group empty gives 0.
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
      const s = reshape(positiveScore(fn, ctx.outputs), [-1, 1]);
      const b = cast(equal(reshape(ctx.extras[key]!, [-1, 1]), scalar(1)), 'float32');
      const a = sub(scalar(1), b);
      const k = exp(neg(div(square(sub(s, reshape(s, [1, -1]))), scalar(sigma * sigma))));
      const pairMean = (u: Tensor, v: Tensor): Tensor =>
        div(sum(mul(k, mul(u, reshape(v, [1, -1])))), maximum(mul(sum(u), sum(v)), scalar(1e-12)));
      const mmd = sub(add(pairMean(a, a), pairMean(b, b)), mul(scalar(2), pairMean(a, b)));
      // A batch with one group empty has no comparison: 0.
      const bothPresent = cast(greater(mul(sum(a), sum(b)), scalar(0)), 'float32');
      return mul(maximum(mmd, scalar(0)), bothPresent) as Scalar;
    },
  };
}

import { numberInRange } from '../../core/validate.js';
import { checkCurve } from './checkCurve.js';
import type { RocCurve } from './types.js';

/**
 * True positive rate at a fixed low false positive rate: the largest TPR among the curve's
 * points whose FPR is at most `fpr` (no interpolation), the convention of Carlini et al. 2022,
 * "Membership Inference Attacks From First Principles", who argue an attack is dangerous when
 * it identifies some members with near certainty, e.g. TPR at 0.1% FPR. The measurable rates
 * are multiples of 1/(number of non-members): a target below that reads the (0, 0) start.
 *
 * @param curve - A curve from {@link rocCurve}.
 * @param fpr - The false positive rate budget, in (0, 1).
 * @returns The TPR, in [0, 1].
 * @example
 * ```ts
 * import { rocCurve, tprAtFpr } from 'responsible-tfjs/audit';
 * const roc = rocCurve([0.9, 0.8, 0.7, 0.3, 0.2], [1, 1, 0, 1, 0]);
 * console.log(tprAtFpr(roc, 0.1)); // 0.6666666666666666: two of three members before any non-member
 * ```
 */
export function tprAtFpr(curve: RocCurve, fpr: number): number {
  const fn = 'tprAtFpr';
  const c = checkCurve(fn, 'curve', curve);
  numberInRange(fn, 'fpr', fpr, { min: 0, max: 1, minInclusive: false, maxInclusive: false });
  let best = 0;
  for (let i = 0; i < c.falsePositiveRate.length; i++) {
    if ((c.falsePositiveRate[i] as number) <= fpr) best = Math.max(best, c.truePositiveRate[i] as number);
  }
  return best;
}

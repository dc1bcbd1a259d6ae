import { checkCurve } from './checkCurve.js';
import type { RocCurve } from './types.js';

/**
 * Area under a ROC curve by the trapezoid rule over its points (scikit-learn's `auc`, and
 * `roc_auc_score` for binary labels). Because {@link rocCurve} makes tied scores one diagonal
 * step, the area equals the Mann-Whitney statistic: the probability that a random member
 * scores above a random non-member, ties counted 1/2. 0.5 is chance; the AUC summarises the
 * average case and says little about the low false-positive regime that matters for privacy
 * (Carlini et al. 2022): report {@link tprAtFpr} too. (The fairness module's `rocAuc` gives the
 * same area from labels and scores directly, with optional sample weights.)
 *
 * @param curve - A curve from {@link rocCurve}.
 * @returns The area, in [0, 1].
 * @example
 * ```ts
 * import { rocCurveAuc, rocCurve } from 'responsible-tfjs/audit';
 * console.log(rocCurveAuc(rocCurve([0.9, 0.4, 0.4, 0.1], [1, 1, 0, 0]))); // 0.875
 * ```
 */
export function rocCurveAuc(curve: RocCurve): number {
  const { falsePositiveRate: x, truePositiveRate: y } = checkCurve('rocCurveAuc', 'curve', curve);
  let area = 0;
  for (let i = 1; i < x.length; i++) area += ((x[i] as number) - (x[i - 1] as number)) * ((y[i] as number) + (y[i - 1] as number)) / 2;
  return area;
}

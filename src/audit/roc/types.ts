/**
 * A receiver operating characteristic curve, one point per distinct score, as scikit-learn's
 * `roc_curve(..., drop_intermediate=False)` returns it. Point `i` classifies as members the
 * examples whose score is at least `thresholds[i]`; the first point is `(0, 0)` with threshold
 * `+Infinity` (nothing is called a member), the last is `(1, 1)` at the smallest score.
 *
 * @example
 * ```ts
 * import { rocCurve, type RocCurve } from 'responsible-tfjs/audit';
 * const roc: RocCurve = rocCurve([0.9, 0.2, 0.6], [1, 0, 0]);
 * console.log(Array.from(roc.falsePositiveRate)); // [0, 0, 0.5, 1]
 * ```
 */
export interface RocCurve {
  /** Fraction of non-members called members at each threshold, non-decreasing from 0 to 1. */
  readonly falsePositiveRate: Float64Array;
  /** Fraction of members called members at each threshold, non-decreasing from 0 to 1. */
  readonly truePositiveRate: Float64Array;
  /** Decreasing score thresholds; the first is `+Infinity`. */
  readonly thresholds: Float64Array;
}

import { checkScores, membershipFlags } from './membershipFlags.js';
import type { RocCurve } from './types.js';

/**
 * The ROC curve of a membership score: for every distinct score `t`, the false and true
 * positive rates of calling "member" every example whose score is at least `t`. This follows
 * scikit-learn's `roc_curve(isMember, scores, drop_intermediate=False)`: tied scores form one
 * step (they cannot be separated by any threshold), and the curve starts at `(0, 0)` with
 * threshold `+Infinity` (scikit-learn >= 1.3; older versions wrote `max(scores) + 1` there).
 * Rates are computed as counts divided by the number of members (non-members), so they match
 * scikit-learn bit for bit. Higher scores must mean "more likely a member".
 *
 * @param scores - One finite score per example.
 * @param isMember - Whether each example was in the training set (`true`/`1`) or not
 *   (`false`/`0`); both classes must occur.
 * @returns The curve, `d + 1` points for `d` distinct scores.
 * @example
 * ```ts
 * import { rocCurve } from 'responsible-tfjs/audit';
 * // Two members scored 0.9 and 0.4, two non-members 0.4 and 0.1: the tie at 0.4 is one step.
 * const roc = rocCurve([0.9, 0.4, 0.4, 0.1], [1, 1, 0, 0]);
 * console.log(Array.from(roc.truePositiveRate));  // [0, 0.5, 1, 1]
 * console.log(Array.from(roc.falsePositiveRate)); // [0, 0, 0.5, 1]
 * console.log(Array.from(roc.thresholds));        // [Infinity, 0.9, 0.4, 0.1]
 * ```
 */
export function rocCurve(scores: ArrayLike<number>, isMember: ArrayLike<boolean | number>): RocCurve {
  const fn = 'rocCurve';
  const s = checkScores(fn, 'scores', scores);
  return curveOf(s, membershipFlags(fn, 'isMember', isMember, s.length, 'scores'));
}

/** The curve of checked scores and 0/1 flags holding both classes (internal). */
export function curveOf(s: ArrayLike<number>, flags: Uint8Array): RocCurve {
  const n = s.length;
  // Ascending stable sort walked from the end, as scikit-learn's reversed mergesort: within a tie
  // the threshold reported is then the first tied score in input order (0 and -0 can differ).
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (s[a] as number) - (s[b] as number)).reverse();
  const fpr: number[] = [0];
  const tpr: number[] = [0];
  const thresholds: number[] = [Infinity];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k] as number;
    if (flags[i] === 1) tp++;
    else fp++;
    const next = order[k + 1];
    // A point only after the last of a group of tied scores: ties move as one.
    if (next === undefined || s[next] !== s[i]) {
      fpr.push(fp);
      tpr.push(tp);
      thresholds.push(s[i] as number);
    }
  }
  return {
    falsePositiveRate: Float64Array.from(fpr, (v) => v / fp),
    truePositiveRate: Float64Array.from(tpr, (v) => v / tp),
    thresholds: Float64Array.from(thresholds),
  };
}

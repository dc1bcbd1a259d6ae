/**
 * The best epsilon lower bound over score thresholds, corrected for trying many of them.
 */
import { invalid, optionsObject } from '../../core/validate.js';
import { confidenceLevel, deltaValue, membershipLabels, scoreArray } from './checks.js';
import { epsilonFromCounts, type EpsilonBound, type MembershipCounts } from './epsilonLowerBound.js';

/** Options of {@link epsilonLowerBoundFromScores}. */
export interface EpsilonLowerBoundFromScoresOptions {
  /** The delta of the (ε, δ)-DP claim being audited, in [0, 1] (default 0). */
  readonly delta?: number;
  /** Confidence with which the reported (best) bound holds, in (0, 1) (default 0.95). */
  readonly confidence?: number;
  /**
   * Thresholds to try: `'all'` (default) tries every distinct score; a list tries exactly those
   * values (finite; each entry counts towards the correction, duplicates included).
   */
  readonly thresholds?: 'all' | readonly number[];
}

/** The best thresholded bound and how it was chosen. */
export interface ScoresEpsilonBound extends EpsilonBound {
  /** The threshold that gave the bound (guess "member" when score ≥ threshold). */
  readonly threshold: number;
  /** The confusion counts at that threshold. */
  readonly counts: MembershipCounts;
  /** Number K of thresholds tried (the Bonferroni factor). */
  readonly thresholdsTried: number;
  /** The confidence each threshold's bound was computed at: 1 − (1 − confidence)/K. */
  readonly confidencePerThreshold: number;
}

/** Number of entries of an ascending array that are ≥ t (binary search). */
function countAtLeast(sorted: Float64Array, t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < t) lo = mid + 1;
    else hi = mid;
  }
  return sorted.length - lo;
}

/**
 * Sweeps thresholds over membership scores (higher = more likely a member; guess "member" when
 * score ≥ t), computes {@link epsilonLowerBound} at each and returns the largest.
 *
 * Choosing the best threshold on the same data that bounds it over-reports: with K thresholds,
 * the chance that at least one of K bounds at confidence c fails is up to K·(1 − c). So each bound
 * is computed at confidence 1 − (1 − confidence)/K (Bonferroni), and the reported maximum then holds
 * with probability ≥ `confidence`. Fewer thresholds (a short list) cost less correction; for a
 * bound free of the correction, pick the threshold on separate data and call
 * {@link epsilonLowerBound} on fresh counts.
 *
 * Ties: the first threshold (in the order tried; `'all'` tries distinct scores in ascending order)
 * reaching the largest bound is reported, also when every bound is 0.
 *
 * @param scores - One finite score per example, higher = more likely a member.
 * @param isMember - Membership labels, 1/true = member; needs at least one member and one non-member.
 * @returns The best bound, its threshold, counts, and the correction applied.
 * @example
 * ```ts
 * import { epsilonLowerBoundFromScores } from 'responsible-tfjs/audit';
 * const scores = [0.9, 0.8, 0.75, 0.3, 0.2, 0.1, 0.7, 0.05];
 * const isMember = [1, 1, 1, 0, 0, 0, 1, 0];
 * const r = epsilonLowerBoundFromScores(scores, isMember, { thresholds: [0.5] });
 * // perfectly separated, but 4 + 4 examples are too few to bound epsilon away from 0
 * console.log(r.threshold, r.counts.truePositives, r.counts.falsePositives, r.epsilon); // 0.5 4 0 0
 * ```
 */
export function epsilonLowerBoundFromScores(
  scores: ArrayLike<number>,
  isMember: ArrayLike<boolean | number>,
  options?: EpsilonLowerBoundFromScoresOptions,
): ScoresEpsilonBound {
  const fn = 'epsilonLowerBoundFromScores';
  const s = scoreArray(fn, 'scores', scores);
  const labels = membershipLabels(fn, 'isMember', isMember, s.length, 'scores');
  const opts = optionsObject(fn, 'options', options);
  const delta = deltaValue(fn, opts.delta ?? 0);
  const confidence = confidenceLevel(fn, opts.confidence ?? 0.95);
  let members = 0;
  for (const l of labels) members += l;
  const nonMembers = s.length - members;
  if (members < 1 || nonMembers < 1) invalid(fn, 'isMember', `${members} members, ${nonMembers} non-members`, 'at least one member and one non-member');
  const memberScores = new Float64Array(members);
  const nonMemberScores = new Float64Array(nonMembers);
  for (let i = 0, a = 0, b = 0; i < s.length; i++) {
    if (labels[i] === 1) memberScores[a++] = s[i] as number;
    else nonMemberScores[b++] = s[i] as number;
  }
  memberScores.sort();
  nonMemberScores.sort();

  const rawThresholds = opts.thresholds ?? 'all';
  let thresholds: ArrayLike<number>;
  if (rawThresholds === 'all') {
    const sorted = Float64Array.from(s).sort();
    thresholds = sorted.filter((v, i) => i === 0 || v !== sorted[i - 1]);
  } else if (Array.isArray(rawThresholds)) {
    if (rawThresholds.length < 1) invalid(fn, 'options.thresholds', 'an empty list', "'all' or a non-empty list of finite numbers");
    rawThresholds.forEach((t: unknown, i) => {
      if (typeof t !== 'number' || !Number.isFinite(t)) invalid(fn, `options.thresholds[${i}]`, t, 'a finite number');
    });
    thresholds = rawThresholds;
  } else {
    return invalid(fn, 'options.thresholds', rawThresholds, "'all' or a non-empty list of finite numbers");
  }

  const K = thresholds.length;
  const confidencePerThreshold = 1 - (1 - confidence) / K;
  const countsAt = (j: number): MembershipCounts => {
    const t = thresholds[j] as number;
    const truePositives = countAtLeast(memberScores, t);
    const falsePositives = countAtLeast(nonMemberScores, t);
    return { truePositives, falsePositives, trueNegatives: nonMembers - falsePositives, falseNegatives: members - truePositives };
  };
  // The Clopper-Pearson ends are no smaller than the observed rates, so a threshold's bound never
  // exceeds its plug-in value max(ln((1 - δ - FPR)/FNR), ln((1 - δ - FNR)/FPR)). Visiting
  // thresholds by decreasing plug-in value and stopping once it falls below the best bound found
  // gives the same answer as trying every threshold, at a fraction of the cost.
  const counts = Array.from({ length: K }, (_, j) => countsAt(j));
  const plugIn = counts.map((c) => {
    const fpr = c.falsePositives / nonMembers;
    const fnr = c.falseNegatives / members;
    const value = Math.max(Math.log((1 - delta - fpr) / fnr), Math.log((1 - delta - fnr) / fpr));
    // 0/0 (nothing missed, nothing left over) gives NaN: visit such a threshold.
    return Number.isNaN(value) ? Number.POSITIVE_INFINITY : value;
  });
  const order = Array.from({ length: K }, (_, j) => j).sort((a, b) => (plugIn[b] as number) - (plugIn[a] as number) || a - b);
  let best: { bound: EpsilonBound; index: number } | undefined;
  for (const j of order) {
    if (best !== undefined && !((plugIn[j] as number) >= best.bound.epsilon)) break;
    const bound = epsilonFromCounts(counts[j] as MembershipCounts, delta, confidencePerThreshold);
    // Ties go to the first threshold in the order given (ascending for 'all').
    if (best === undefined || bound.epsilon > best.bound.epsilon || (bound.epsilon === best.bound.epsilon && j < best.index)) best = { bound, index: j };
  }
  if (best === undefined || best.bound.epsilon === 0) {
    best = { bound: epsilonFromCounts(counts[0] as MembershipCounts, delta, confidencePerThreshold), index: 0 };
  }
  return {
    ...best.bound,
    confidence,
    threshold: thresholds[best.index] as number,
    counts: counts[best.index] as MembershipCounts,
    thresholdsTried: K,
    confidencePerThreshold,
  };
}

/**
 * The empirical epsilon lower bound of a membership-inference test's confusion counts
 * (Jagielski, Ullman & Oprea 2020; Nasr et al. 2021).
 */
import { invalid, nonNegativeInteger, optionsObject } from '../../core/validate.js';
import { confidenceLevel, deltaValue } from './checks.js';
import { clopperPearsonUpper } from './clopperPearson.js';

/**
 * Confusion counts of a membership guess. A guess "member" is a positive: a true positive is a
 * member guessed member, a false positive a non-member guessed member.
 */
export interface MembershipCounts {
  /** Members guessed member. */
  readonly truePositives: number;
  /** Non-members guessed member. */
  readonly falsePositives: number;
  /** Non-members guessed non-member. */
  readonly trueNegatives: number;
  /** Members guessed non-member. */
  readonly falseNegatives: number;
}

/** Options of {@link epsilonLowerBound}. */
export interface EpsilonLowerBoundOptions {
  /** The delta of the (ε, δ)-DP claim being audited, in [0, 1] (default 0). */
  readonly delta?: number;
  /** Confidence with which the bound holds, in (0, 1) (default 0.95). */
  readonly confidence?: number;
}

/** An epsilon lower bound and the error-rate bounds it came from. */
export interface EpsilonBound {
  /** The epsilon lower bound, ≥ 0. */
  readonly epsilon: number;
  /** Upper confidence bound on the false-positive rate FP / (FP + TN). */
  readonly falsePositiveRateUpper: number;
  /** Upper confidence bound on the false-negative rate FN / (FN + TP). */
  readonly falseNegativeRateUpper: number;
  /** The delta used. */
  readonly delta: number;
  /** The confidence with which `epsilon` is a lower bound. */
  readonly confidence: number;
}

/** Reads and checks the four counts (internal; shared with the score sweep). */
export function membershipCounts(fn: string, counts: unknown): MembershipCounts {
  if (counts === null || typeof counts !== 'object') return invalid(fn, 'counts', counts, 'an object { truePositives, falsePositives, trueNegatives, falseNegatives }');
  const c = counts as Record<string, unknown>;
  const truePositives = nonNegativeInteger(fn, 'counts.truePositives', c.truePositives);
  const falsePositives = nonNegativeInteger(fn, 'counts.falsePositives', c.falsePositives);
  const trueNegatives = nonNegativeInteger(fn, 'counts.trueNegatives', c.trueNegatives);
  const falseNegatives = nonNegativeInteger(fn, 'counts.falseNegatives', c.falseNegatives);
  if (truePositives + falseNegatives < 1) invalid(fn, 'counts', 'no members (truePositives + falseNegatives = 0)', 'at least one member and one non-member');
  if (falsePositives + trueNegatives < 1) invalid(fn, 'counts', 'no non-members (falsePositives + trueNegatives = 0)', 'at least one member and one non-member');
  return { truePositives, falsePositives, trueNegatives, falseNegatives };
}

/** The bound from already validated counts (internal). */
export function epsilonFromCounts(counts: MembershipCounts, delta: number, confidence: number): EpsilonBound {
  const { truePositives, falsePositives, trueNegatives, falseNegatives } = counts;
  // Upper ends of two-sided intervals: each a one-sided 1 − α/2 bound, jointly ≥ 1 − α (union bound).
  const halfAlpha = (1 - confidence) / 2;
  const fpr = clopperPearsonUpper(falsePositives, falsePositives + trueNegatives, halfAlpha);
  const fnr = clopperPearsonUpper(falseNegatives, falseNegatives + truePositives, halfAlpha);
  // Both upper ends are > 0 whenever trials ≥ 1 and confidence < 1, so neither ratio divides by 0.
  let epsilon = 0;
  const a = 1 - delta - fpr;
  if (a > 0) epsilon = Math.max(epsilon, Math.log(a / fnr));
  const b = 1 - delta - fnr;
  if (b > 0) epsilon = Math.max(epsilon, Math.log(b / fpr));
  return { epsilon, falsePositiveRateUpper: fpr, falseNegativeRateUpper: fnr, delta, confidence };
}

/**
 * A lower bound on the epsilon of an (ε, δ)-DP training algorithm from a membership test's confusion
 * counts (Jagielski, Ullman & Oprea 2020, "Auditing Differentially Private Machine Learning: How
 * Private is Private SGD?"; Nasr et al. 2021, "Adversary Instantiation"). Any (ε, δ)-DP algorithm
 * forces every test to satisfy FPR + e^ε·FNR ≥ 1 − δ and FNR + e^ε·FPR ≥ 1 − δ, hence
 *
 * ε ≥ max( ln((1 − δ − FPR̄) / FNR̄), ln((1 − δ − FNR̄) / FPR̄) ),
 *
 * where FPR̄ and FNR̄ are the Clopper-Pearson upper ends of the rates' two-sided intervals at
 * `confidence` (each a one-sided 1 − α/2 bound, so both hold together with probability ≥
 * `confidence` by the union bound). A term whose numerator is ≤ 0 is dropped; the bound is never
 * negative (0 means "no evidence against any ε").
 *
 * @returns The bound with the two rate bounds behind it.
 * @example
 * ```ts
 * import { epsilonLowerBound } from 'responsible-tfjs/audit';
 * // 1000 members, 1000 non-members; the test flags 400 members and only 5 non-members
 * const r = epsilonLowerBound({ truePositives: 400, falseNegatives: 600, falsePositives: 5, trueNegatives: 995 });
 * console.log(r.epsilon.toFixed(3)); // 3.459: with 95% confidence the training is not (ε, 0)-DP for any ε < 3.459
 * ```
 */
export function epsilonLowerBound(counts: MembershipCounts, options?: EpsilonLowerBoundOptions): EpsilonBound {
  const fn = 'epsilonLowerBound';
  const c = membershipCounts(fn, counts);
  const opts = optionsObject(fn, 'options', options);
  const delta = deltaValue(fn, opts.delta ?? 0);
  const confidence = confidenceLevel(fn, opts.confidence ?? 0.95);
  return epsilonFromCounts(c, delta, confidence);
}

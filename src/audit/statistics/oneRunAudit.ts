/**
 * The one-run privacy audit from canary scores (Steinke, Nasr & Jagielski 2023).
 */
import { invalid, optionsObject } from '../../core/validate.js';
import { confidenceLevel, deltaValue, membershipLabels, scoreArray } from './checks.js';
import { oneRunEpsilonUnchecked } from './oneRunEpsilonLowerBound.js';
import { oneRunPValueUnchecked } from './oneRunPValue.js';

/** Options of {@link oneRunAudit}. */
export interface OneRunAuditOptions {
  /**
   * k+: guess "included" for this many highest-scoring canaries; an integer ≥ 0, or a list of
   * candidates (then the best over the grid is taken, with a Bonferroni correction).
   */
  readonly positiveGuesses: number | readonly number[];
  /** k−: guess "excluded" for this many lowest-scoring canaries (default 0); integer or list. */
  readonly negativeGuesses?: number | readonly number[];
  /** The δ of the (ε, δ)-DP claim being audited, in [0, 1] (default 0). */
  readonly delta?: number;
  /** Confidence with which the reported bound holds, in (0, 1) (default 0.95). */
  readonly confidence?: number;
}

/** Result of {@link oneRunAudit}. */
export interface OneRunAuditResult {
  /** The epsilon lower bound, ≥ 0; holds with probability ≥ `confidence` (after the correction). */
  readonly epsilon: number;
  /** m: the number of canaries (scores). */
  readonly canaries: number;
  /** r = k+ + k−: guesses made at the chosen (k+, k−). */
  readonly guesses: number;
  /** v: correct guesses at the chosen (k+, k−). */
  readonly correct: number;
  /** The chosen k+. */
  readonly positiveGuesses: number;
  /** The chosen k−. */
  readonly negativeGuesses: number;
  /** Correct "included" guesses (included canaries among the k+ highest scores). */
  readonly correctPositive: number;
  /** Correct "excluded" guesses (excluded canaries among the k− lowest scores). */
  readonly correctNegative: number;
  /** p-value of the chosen outcome under ε = 0 (with `delta`): how surprising it is under perfect privacy. */
  readonly pValueAtZero: number;
  /** K: the number of (k+, k−) candidates tried (the Bonferroni factor). */
  readonly candidatesTried: number;
  /** The confidence each candidate's bound was computed at: 1 − (1 − confidence)/K. */
  readonly confidencePerCandidate: number;
  /** The delta used. */
  readonly delta: number;
  /** The confidence requested. */
  readonly confidence: number;
}

/** A guess count or list of them, each an integer in [0, m] (internal). */
function guessCounts(fn: string, argument: string, value: unknown, m: number): number[] {
  const list = typeof value === 'number' ? [value] : Array.isArray(value) ? (value as unknown[]) : undefined;
  if (list === undefined) return invalid(fn, argument, value, `an integer in [0, ${m}] or a non-empty list of them`);
  if (list.length < 1) invalid(fn, argument, 'an empty list', `an integer in [0, ${m}] or a non-empty list of them`);
  list.forEach((k, i) => {
    if (typeof k !== 'number' || !Number.isSafeInteger(k) || k < 0 || k > m) {
      invalid(fn, Array.isArray(value) ? `${argument}[${i}]` : argument, k, `an integer in [0, canaries] = [0, ${m}]`);
    }
  });
  return list as number[];
}

/**
 * The one-run audit of Steinke, Nasr & Jagielski, "Privacy Auditing with One (1) Training Run"
 * (NeurIPS 2023, arXiv 2305.08846), from per-canary scores. Each of the m canaries was included in
 * training independently with probability 1/2 (`included`); `scores` rank them, higher = more likely
 * included. The auditor guesses "included" for the k+ highest scores and "excluded" for the k−
 * lowest and abstains on the rest; the correct guesses give {@link oneRunEpsilonLowerBound}.
 *
 * Ties at a cut are broken by index: canaries are ranked by score (descending), equal scores by
 * index (ascending, so the lower index counts as the higher score); the k+ first and the k− last of
 * that order are guessed. The ranking never looks at `included`.
 *
 * With lists of candidates for k+ and/or k−, every pair (k+, k−) of the grid is tried (K pairs)
 * and the largest bound is reported. Picking the best pair on the same data over-reports unless
 * corrected, so each pair's bound is computed at confidence 1 − (1 − confidence)/K (Bonferroni);
 * the reported bound then holds with probability ≥ `confidence`. Ties go to the first pair
 * (k+ list order outer, k− inner).
 *
 * @param scores - One finite score per canary, higher = more likely included.
 * @param included - Whether each canary was included in training (1/true = included).
 * @returns The bound and the outcome behind it.
 * @example
 * ```ts
 * import { oneRunAudit } from 'responsible-tfjs/audit';
 * // scores and inclusion of m canaries from one training run
 * const scores = [3.1, -0.2, 2.7, 0.1, -1.5, 2.2, -0.9, 1.8];
 * const included = [1, 0, 1, 0, 0, 1, 0, 1];
 * const r = oneRunAudit(scores, included, { positiveGuesses: 2, negativeGuesses: 2 });
 * console.log(r.guesses, r.correct, r.epsilon); // 4 4 0: four correct guesses cannot reject ε = 0 at 95%
 * ```
 */
export function oneRunAudit(scores: ArrayLike<number>, included: ArrayLike<boolean | number>, options: OneRunAuditOptions): OneRunAuditResult {
  const fn = 'oneRunAudit';
  const s = scoreArray(fn, 'scores', scores);
  const m = s.length;
  const inc = membershipLabels(fn, 'included', included, m, 'scores');
  if (options === undefined) invalid(fn, 'options', options, 'an options object with positiveGuesses');
  const opts = optionsObject(fn, 'options', options);
  const positives = guessCounts(fn, 'options.positiveGuesses', opts.positiveGuesses, m);
  const negatives = guessCounts(fn, 'options.negativeGuesses', opts.negativeGuesses ?? 0, m);
  for (const kp of positives) {
    for (const kn of negatives) {
      if (kp + kn > m) invalid(fn, 'options.negativeGuesses', `${kn} with positiveGuesses ${kp}`, `positiveGuesses + negativeGuesses <= canaries (${m})`);
    }
  }
  const delta = deltaValue(fn, opts.delta ?? 0);
  const confidence = confidenceLevel(fn, opts.confidence ?? 0.95);

  // Rank once: score descending, index ascending among equal scores.
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => (s[b] as number) - (s[a] as number) || a - b);
  // includedBefore[j] = included canaries among the j highest-ranked.
  const includedBefore = new Int32Array(m + 1);
  for (let j = 0; j < m; j++) includedBefore[j + 1] = (includedBefore[j] as number) + (inc[order[j] as number] as number);
  const totalIncluded = includedBefore[m] as number;

  const K = positives.length * negatives.length;
  const confidencePerCandidate = 1 - (1 - confidence) / K;
  let best: { epsilon: number; kp: number; kn: number; cp: number; cn: number } | undefined;
  for (const kp of positives) {
    for (const kn of negatives) {
      const cp = includedBefore[kp] as number;
      const cn = kn - (totalIncluded - (includedBefore[m - kn] as number));
      const epsilon = oneRunEpsilonUnchecked(m, kp + kn, cp + cn, delta, confidencePerCandidate);
      if (best === undefined || epsilon > best.epsilon) best = { epsilon, kp, kn, cp, cn };
    }
  }
  const b = best as NonNullable<typeof best>;
  return {
    epsilon: b.epsilon,
    canaries: m,
    guesses: b.kp + b.kn,
    correct: b.cp + b.cn,
    positiveGuesses: b.kp,
    negativeGuesses: b.kn,
    correctPositive: b.cp,
    correctNegative: b.cn,
    pValueAtZero: oneRunPValueUnchecked(m, b.kp + b.kn, b.cp + b.cn, 0, delta),
    candidatesTried: K,
    confidencePerCandidate,
    delta,
    confidence,
  };
}

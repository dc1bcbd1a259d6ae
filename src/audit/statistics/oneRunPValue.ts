/**
 * The p-value of the one-run privacy audit (Steinke, Nasr & Jagielski 2023).
 */
import { invalid, nonNegativeInteger, nonNegativeNumber, optionsObject, positiveInteger } from '../../core/validate.js';
import { binomialAlpha, binomialUpperTail, randomizedResponseAccuracy } from './binomialTails.js';
import { deltaValue } from './checks.js';

/** Outcome of a one-run audit: how many canaries, guesses and correct guesses. */
export interface OneRunOutcome {
  /** m: canaries, each included in training independently with probability 1/2; integer ≥ 1. */
  readonly canaries: number;
  /** r: guesses made (abstentions excluded), integer in [0, canaries]. */
  readonly guesses: number;
  /** v: correct guesses, integer in [0, guesses]. */
  readonly correct: number;
}

/** Arguments of {@link oneRunPValue}. */
export interface OneRunPValueOptions extends OneRunOutcome {
  /** The ε of the null hypothesis "training is (ε, δ)-DP", finite and ≥ 0. */
  readonly epsilon: number;
  /** The δ of the null hypothesis, in [0, 1] (default 0). */
  readonly delta?: number;
}

/** Checks m, r, v (internal; shared with the epsilon bound). */
export function oneRunOutcome(fn: string, options: OneRunOutcome): OneRunOutcome {
  const canaries = positiveInteger(fn, 'canaries', options.canaries);
  const guesses = nonNegativeInteger(fn, 'guesses', options.guesses);
  if (guesses > canaries) invalid(fn, 'guesses', guesses, `an integer in [0, canaries] = [0, ${canaries}]`);
  const correct = nonNegativeInteger(fn, 'correct', options.correct);
  if (correct > guesses) invalid(fn, 'correct', correct, `an integer in [0, guesses] = [0, ${guesses}]`);
  return { canaries, guesses, correct };
}

/** The p-value from checked arguments (internal). */
export function oneRunPValueUnchecked(m: number, r: number, v: number, epsilon: number, delta: number): number {
  const { qc } = randomizedResponseAccuracy(epsilon);
  const beta = binomialUpperTail(v, r, qc);
  if (delta === 0) return Math.min(1, beta);
  const alpha = binomialAlpha(v, r, epsilon, qc);
  return Math.min(1, beta + alpha * delta * 2 * m);
}

/**
 * An upper bound on the probability that an auditor makes at least `correct` correct guesses out of
 * `guesses` when training is (ε, δ)-DP, in the one-run audit of Steinke, Nasr & Jagielski,
 * "Privacy Auditing with One (1) Training Run" (NeurIPS 2023, arXiv 2305.08846, Theorem 5.2 and
 * the algorithm of Appendix D). With q = 1/(1 + e^−ε) (the accuracy of ε-DP randomized response):
 *
 * β = P[Binomial(r, q) ≥ v],  α = max over i in 1..v of (1/i)·P[v − i ≤ Binomial(r, q) < v],
 * p = min(1, β + α·δ·2m).
 *
 * A small p rejects "(ε, δ)-DP". Upper tails are computed directly (never as 1 − cdf), so p-values
 * far below 1e-16 stay accurate for m up to 10^5 and beyond.
 *
 * @returns The p-value in [0, 1].
 * @example
 * ```ts
 * import { oneRunPValue } from 'responsible-tfjs/audit';
 * // 100 guesses, all correct: under pure ε = 1 DP each is right with probability ≈ 0.731
 * console.log(oneRunPValue({ canaries: 1000, guesses: 100, correct: 100, epsilon: 1 })); // 2.48e-14 = q^100 with q = 1/(1 + e^−1)
 * ```
 */
export function oneRunPValue(options: OneRunPValueOptions): number {
  const fn = 'oneRunPValue';
  const opts = optionsObject(fn, 'options', options);
  const { canaries, guesses, correct } = oneRunOutcome(fn, opts);
  const epsilon = nonNegativeNumber(fn, 'epsilon', opts.epsilon);
  const delta = deltaValue(fn, opts.delta ?? 0);
  return oneRunPValueUnchecked(canaries, guesses, correct, epsilon, delta);
}

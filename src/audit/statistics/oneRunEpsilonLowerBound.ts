/**
 * The epsilon lower bound of the one-run privacy audit (Steinke, Nasr & Jagielski 2023).
 */
import { optionsObject } from '../../core/validate.js';
import { confidenceLevel, deltaValue } from './checks.js';
import { oneRunOutcome, oneRunPValueUnchecked, type OneRunOutcome } from './oneRunPValue.js';

/** Arguments of {@link oneRunEpsilonLowerBound}. */
export interface OneRunEpsilonLowerBoundOptions extends OneRunOutcome {
  /** The δ of the (ε, δ)-DP claim being audited, in [0, 1] (default 0). */
  readonly delta?: number;
  /** Confidence with which the bound holds, in (0, 1) (default 0.95). */
  readonly confidence?: number;
}

/** Relative width at which the bisection stops (about 2^−43; the paper stops after 30 halvings). */
const RELATIVE_PRECISION = 1e-13;

/** The bound from checked arguments (internal; shared with the score-based audit). */
export function oneRunEpsilonUnchecked(m: number, r: number, v: number, delta: number, confidence: number): number {
  const target = 1 - confidence;
  const p = (eps: number): number => oneRunPValueUnchecked(m, r, v, eps, delta);
  if (p(0) >= target) return 0;
  // Bracket: lo keeps p(lo) < target, hi keeps p(hi) ≥ target. p → 1 as ε → ∞ (q → 1), so this ends.
  let lo = 0;
  let hi = 1;
  while (p(hi) < target) {
    lo = hi;
    hi *= 2;
  }
  for (let iter = 0; iter < 200 && hi - lo > RELATIVE_PRECISION * Math.max(1, hi); iter++) {
    const mid = (lo + hi) / 2;
    if (mid <= lo || mid >= hi) break;
    if (p(mid) < target) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * The largest ε rejected by the one-run audit of Steinke, Nasr & Jagielski, "Privacy Auditing with
 * One (1) Training Run" (NeurIPS 2023, arXiv 2305.08846, Appendix D): the largest ε with
 * {@link oneRunPValue}(ε) < 1 − `confidence`. With probability ≥ `confidence` the training
 * algorithm is not (ε', δ)-DP for any ε' below the returned value.
 *
 * Found by bisection like the paper's `get_eps_audit` (which assumes, as we do, that the p-value
 * grows with ε), but to a relative precision of 1e-13 rather than 30 halvings. Returns 0 when even
 * ε = 0 is not rejected.
 *
 * @returns The epsilon lower bound, ≥ 0.
 * @example
 * ```ts
 * import { oneRunEpsilonLowerBound } from 'responsible-tfjs/audit';
 * // 1000 canaries; the auditor guessed 100 of them, all correctly
 * const eps = oneRunEpsilonLowerBound({ canaries: 1000, guesses: 100, correct: 100, confidence: 0.95 });
 * // pure DP, all correct: the bound solves q^100 = 0.05, q = 1/(1 + e^−ε)
 * console.log(eps.toFixed(4)); // 3.4930
 * ```
 */
export function oneRunEpsilonLowerBound(options: OneRunEpsilonLowerBoundOptions): number {
  const fn = 'oneRunEpsilonLowerBound';
  const opts = optionsObject(fn, 'options', options);
  const { canaries, guesses, correct } = oneRunOutcome(fn, opts);
  const delta = deltaValue(fn, opts.delta ?? 0);
  const confidence = confidenceLevel(fn, opts.confidence ?? 0.95);
  return oneRunEpsilonUnchecked(canaries, guesses, correct, delta, confidence);
}

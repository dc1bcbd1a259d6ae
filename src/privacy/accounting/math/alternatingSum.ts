/**
 * Σ_{m>=0} (−1)^m a_m for a moment sequence a_m = ∫_0^1 x^m dμ(x), μ >= 0 (internal), by the
 * Chebyshev acceleration of Cohen, Rodriguez Villegas and Zagier (2000), Algorithm 1. With n
 * terms the result is within 2·S/(3 + √8)^n of the true sum S, and S <= a_0 — a rigorous bound,
 * so 40 terms do what plain summation of a tail decaying like m^{-2} would need 10^8 terms for.
 * The weights lie in [0, 1], so the rounding error is at most about n·ε·Σ|a_m|.
 */

const RATE = 3 + Math.SQRT2 * 2;

/** Number of terms whose truncation bound 2/(3 + √8)^n is below e^logRatio (at least 2). */
export function alternatingTerms(logRatio: number): number {
  return Math.max(2, Math.ceil((Math.LN2 - logRatio) / Math.log(RATE)));
}

/** The truncation bound factor 2/(3 + √8)^n. */
export function alternatingBound(n: number): number {
  return 2 / RATE ** n;
}

/**
 * The accelerated sum from the first `n` values of `a` (linear, so a difference of two moment
 * sequences may be passed, with the bound of each).
 */
export function alternatingSum(a: ArrayLike<number>, n: number): number {
  let d = RATE ** n;
  d = (d + 1 / d) / 2;
  let b = -1;
  let c = -d;
  let s = 0;
  for (let k = 0; k < n; k++) {
    c = b - c;
    s += c * (a[k] as number);
    b = ((k + n) * (k - n) * b) / ((k + 0.5) * (k + 1));
  }
  return s / d;
}

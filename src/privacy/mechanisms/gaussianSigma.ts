/**
 * Noise calibration of the Gaussian mechanism: analytic (exact) and classic.
 */
import { InvalidArgumentError } from '../../core/errors.js';
import { numberInRange, oneOf, optionsObject, positiveNumber } from '../../core/validate.js';
import { brentBracket } from '../accounting/math/brent.js';
import { gaussianLogDelta } from './gaussianDelta.js';

/**
 * How to calibrate Gaussian noise: `'analytic'` (Balle & Wang 2018, exact for every epsilon) or
 * `'classic'` (Dwork & Roth 2014, Thm A.1, proven only for epsilon < 1, and looser).
 */
export type GaussianCalibration = 'analytic' | 'classic';

/**
 * Options of {@link gaussianSigma}.
 */
export interface GaussianSigmaOptions {
  /** Target epsilon, > 0 (and < 1 for `'classic'`). */
  readonly epsilon: number;
  /** Target delta in (0, 1). */
  readonly delta: number;
  /** L2 sensitivity of the query, > 0 (default 1). */
  readonly sensitivity?: number;
  /** Calibration (default `'analytic'`). */
  readonly method?: GaussianCalibration;
}

/**
 * The noise standard deviation σ that makes the Gaussian mechanism (ε, δ)-DP.
 *
 * - `'analytic'`: the smallest σ with exact δ(ε, σ) <= δ (Balle & Wang 2018), found by Brent's
 *   method on log δ to ~1e-14 relative and rounded up, so the guarantee holds. Agrees with
 *   dp_accounting's `get_sigma_gaussian` and a 60-digit mpmath oracle to 1e-12 relative.
 * - `'classic'`: `σ = √(2 ln(1.25/δ)) Δ / ε`, valid only for ε < 1: larger ε throws an
 *   `InvalidArgumentError` (use `'analytic'`).
 *
 * @returns σ in the units of the query (sensitivity included).
 * @example
 * ```ts
 * import { gaussianSigma } from 'responsible-tfjs/privacy';
 * gaussianSigma({ epsilon: 0.1, delta: 1e-5 });                      // 30.75... (analytic)
 * gaussianSigma({ epsilon: 0.1, delta: 1e-5, method: 'classic' });   // 48.448...
 * ```
 */
export function gaussianSigma(options: GaussianSigmaOptions): number {
  const fn = 'gaussianSigma';
  const { epsilon, delta, sensitivity = 1, method = 'analytic' } = optionsObject(fn, 'options', options);
  positiveNumber(fn, 'epsilon', epsilon);
  numberInRange(fn, 'delta', delta, { min: 0, max: 1, minInclusive: false, maxInclusive: false });
  positiveNumber(fn, 'sensitivity', sensitivity);
  oneOf(fn, 'method', method, ['analytic', 'classic'] as const);
  if (method === 'classic') {
    if (!(epsilon < 1)) {
      throw new InvalidArgumentError({
        fn,
        argument: 'epsilon',
        value: epsilon,
        allowed: "a number in (0, 1) for method 'classic' (its guarantee is proven only for epsilon < 1)",
        hint: "Use method: 'analytic', which is exact for every epsilon",
      });
    }
    return (Math.sqrt(2 * Math.log(1.25 / delta)) * sensitivity) / epsilon;
  }
  return analyticSigma(epsilon, delta) * sensitivity;
}

/** Smallest σ (sensitivity 1) with δ(ε, σ) <= δ (internal). */
export function analyticSigma(epsilon: number, delta: number): number {
  const logDelta = Math.log(delta);
  const g = (s: number): number => gaussianLogDelta(s, epsilon) - logDelta;
  let lo = 0.1;
  let hi = 1;
  while (g(lo) < 0 && lo > 1e-300) {
    hi = lo;
    lo /= 10;
  }
  while (g(hi) > 0 && hi < 1e300) {
    lo = hi;
    hi *= 10;
  }
  const r = brentBracket(g, lo, hi, 1e-15 * hi);
  // Return the end that satisfies δ(σ) <= δ.
  return r.flo <= 0 ? r.lo : r.hi;
}

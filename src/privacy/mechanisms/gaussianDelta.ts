/**
 * Exact delta of the Gaussian mechanism (Balle & Wang 2018), plain doubles.
 */
import normalLogcdf from '@stdlib/stats-base-dists-normal-logcdf';
import { nonNegativeNumber, optionsObject, positiveNumber } from '../../core/validate.js';

/** log δ(ε) for noise σ and sensitivity 1 (dp_accounting's `_get_log_delta`), internal. */
export function gaussianLogDelta(sigma: number, epsilon: number): number {
  const tStar = epsilon * sigma + 1 / (2 * sigma);
  const x = normalLogcdf(1 / sigma - tStar, 0, 1);
  const y = epsilon + normalLogcdf(-tStar, 0, 1);
  return y <= x ? x + Math.log1p(-Math.exp(y - x)) : -Infinity;
}

/**
 * Options of {@link gaussianDelta}.
 */
export interface GaussianDeltaOptions {
  /** Noise standard deviation (in the units of the query), > 0. */
  readonly sigma: number;
  /** Epsilon >= 0. */
  readonly epsilon: number;
  /** L2 sensitivity of the query, > 0 (default 1). */
  readonly sensitivity?: number;
}

/**
 * The exact (smallest) delta for which adding N(0, σ²) noise to a query of L2 sensitivity Δ is
 * (ε, δ)-DP (Balle & Wang 2018, Thm 8):
 * `δ = Φ(Δ/(2σ) − εσ/Δ) − e^ε Φ(−Δ/(2σ) − εσ/Δ)`, evaluated in log space.
 *
 * @returns delta in [0, 1].
 * @example
 * ```ts
 * import { gaussianDelta } from 'responsible-tfjs/privacy';
 * console.log(gaussianDelta({ sigma: 0.5, epsilon: 0 })); // 0.6826894921370859
 * ```
 */
export function gaussianDelta(options: GaussianDeltaOptions): number {
  const fn = 'gaussianDelta';
  const { sigma, epsilon, sensitivity = 1 } = optionsObject(fn, 'options', options);
  positiveNumber(fn, 'sigma', sigma);
  nonNegativeNumber(fn, 'epsilon', epsilon);
  positiveNumber(fn, 'sensitivity', sensitivity);
  return Math.exp(gaussianLogDelta(sigma / sensitivity, epsilon));
}

import { numberInRange, optionsObject, positiveNumber } from '../../core/validate.js';
import { brentBracket } from '../accounting/math/brent.js';
import { gaussianLogDelta } from './gaussianDelta.js';

/**
 * Options of {@link gaussianEpsilon}.
 */
export interface GaussianEpsilonOptions {
  /** Noise standard deviation in query units, > 0. */
  readonly sigma: number;
  /** Delta in (0, 1). */
  readonly delta: number;
  /** L2 sensitivity, > 0 (default 1). */
  readonly sensitivity?: number;
}

/**
 * The exact (smallest) epsilon of one Gaussian release at a given delta, inverting
 * {@link gaussianDelta} by Brent's method and rounding up (as dp_accounting's
 * `get_epsilon_gaussian`).
 *
 * @returns epsilon >= 0.
 * @example
 * ```ts
 * import { gaussianEpsilon } from 'responsible-tfjs/privacy';
 * console.log(gaussianEpsilon({ sigma: 0.5, delta: 1e-3 })); // 7.58127992457...
 * ```
 */
export function gaussianEpsilon(options: GaussianEpsilonOptions): number {
  const fn = 'gaussianEpsilon';
  const { sigma, delta, sensitivity = 1 } = optionsObject(fn, 'options', options);
  positiveNumber(fn, 'sigma', sigma);
  numberInRange(fn, 'delta', delta, { min: 0, max: 1, minInclusive: false, maxInclusive: false });
  positiveNumber(fn, 'sensitivity', sensitivity);
  const s = sigma / sensitivity;
  const logDelta = Math.log(delta);
  const g = (eps: number): number => gaussianLogDelta(s, eps) - logDelta;
  if (g(0) <= 0) return 0;
  let lo = 0;
  let hi = 1;
  while (g(hi) > 0) {
    lo = hi;
    hi *= 10;
  }
  const r = brentBracket(g, lo, hi, 1e-15 * hi);
  return r.flo <= 0 ? r.lo : r.hi;
}

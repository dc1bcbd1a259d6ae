/**
 * Exact discrete Laplace sampler (Canonne, Kamath and Steinke 2020, Algorithm 2).
 */
import type { Rng } from '../../../core/rng.js';
import { bernoulliRational } from './exact.js';
import { sampleGeometricRational } from './geometric.js';

/**
 * One sample of the discrete Laplace distribution on the integers with scale `t/s`:
 * P[Z = z] ∝ exp(−|z| s / t). Exact: only uniform integers and Bernoulli trials are drawn.
 * @param t - Numerator of the scale, >= 1.
 * @param s - Denominator of the scale, >= 1.
 */
export function sampleDiscreteLaplaceRational(rng: Rng, t: bigint, s: bigint): bigint {
  for (;;) {
    const y = sampleGeometricRational(rng, t, s);
    const negative = bernoulliRational(rng, 1n, 2n);
    if (negative && y === 0n) continue;
    return negative ? -y : y;
  }
}

/**
 * Exact geometric sampler (the first half of Canonne, Kamath and Steinke 2020, Algorithm 2).
 */
import type { Rng } from '../../../core/rng.js';
import { bernoulliExp, uniformBigInt } from './exact.js';

/**
 * One sample G >= 0 of the geometric distribution with P[G >= g] = exp(−g s / t): X = U + tV
 * with U uniform on [0, t) accepted with probability exp(−U/t) and V ~ Geometric(1 − e^{−1})
 * is Geometric(1 − e^{−1/t}), and ⌊X/s⌋ is the claimed law. Only uniform integers and Bernoulli
 * trials with exact rational parameters are drawn.
 * @param t - Numerator of the scale, >= 1.
 * @param s - Denominator of the scale, >= 1.
 */
export function sampleGeometricRational(rng: Rng, t: bigint, s: bigint): bigint {
  for (;;) {
    const u = uniformBigInt(rng, t);
    if (!bernoulliExp(rng, u, t)) continue;
    let v = 0n;
    while (bernoulliExp(rng, 1n, 1n)) v++;
    return (u + t * v) / s;
  }
}

/**
 * Exact discrete Gaussian sampler with a rational centre (internal): Canonne, Kamath and
 * Steinke (2020), Algorithm 3, with the discrete Laplace proposal moved to the integer nearest to
 * the centre.
 */
import type { Rng } from '../../../core/rng.js';
import { isqrt, nearestInteger, type Fraction } from './dyadic.js';
import { sampleDiscreteLaplaceRational } from './discreteLaplace.js';
import { bernoulliExp } from './exact.js';

/** Precomputed constants for σ² = num/den (see {@link discreteGaussianParams}). */
export interface DiscreteGaussianParams {
  readonly num: bigint;
  readonly den: bigint;
  /** ⌊σ⌋ + 1, the scale of the discrete Laplace proposal. */
  readonly t: bigint;
  readonly a: bigint; // 2 N D t²
  readonly b: bigint; // D² t²
  readonly c: bigint; // 2 N D t
  readonly n2: bigint; // N²
}

/** Constants of the sampler for σ² = num/den (num, den >= 1). */
export function discreteGaussianParams(num: bigint, den: bigint): DiscreteGaussianParams {
  const t = isqrt(num / den) + 1n;
  return { num, den, t, a: 2n * num * den * t * t, b: den * den * t * t, c: 2n * num * den * t, n2: num * num };
}

/**
 * One sample K of the discrete Gaussian N_Z(c, σ²): P[K = k] ∝ exp(−(k − c)²/(2σ²)) over the
 * integers, for c = `center.num / center.den`.
 *
 * Proposal: y = m + Y with m = round(c) and Y discrete Laplace of scale t = ⌊σ⌋ + 1. Accept with
 * probability exp(−g), g = (y − c)²/(2σ²) − |y − m|/t + σ²/(2t²) + |c − m|/t. Since
 * |y − m| <= |y − c| + |c − m|, g >= (|y − c|/σ − σ/t)²/2 >= 0; accepted values have
 * P ∝ exp(−|y − m|/t − g) ∝ exp(−(y − c)²/(2σ²)). With c = m this is exactly CKS Algorithm 3.
 */
export function sampleDiscreteGaussianCentered(rng: Rng, center: Fraction, p: DiscreteGaussianParams): bigint {
  const cn = center.num;
  const cd = center.den;
  const m = nearestInteger(cn, cd);
  const offset = cn - m * cd < 0n ? m * cd - cn : cn - m * cd; // |c − m| · cd
  const cd2 = cd * cd;
  const den = cd2 * p.a;
  const constant = cd2 * p.n2 + offset * cd * p.c;
  for (;;) {
    const z = sampleDiscreteLaplaceRational(rng, p.t, 1n);
    const y = m + z;
    const d = y * cd - cn;
    const num = d * d * p.b - (z < 0n ? -z : z) * cd2 * p.c + constant;
    if (bernoulliExp(rng, num, den)) return y;
  }
}

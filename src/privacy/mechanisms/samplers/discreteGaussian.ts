/**
 * Exact discrete Gaussian sampler (Canonne, Kamath and Steinke 2020, Algorithm 3).
 */
import type { Rng } from '../../../core/rng.js';
import { sampleDiscreteLaplaceRational } from './discreteLaplace.js';
import { bernoulliExp } from './exact.js';

/**
 * One sample of the discrete Gaussian N_Z(0, σ²) with σ² = num/den:
 * P[Z = z] ∝ exp(−z²/(2σ²)). Rejection from a discrete Laplace of integer scale ⌊σ⌋ + 1.
 */
export function sampleDiscreteGaussianRational(rng: Rng, num: bigint, den: bigint): bigint {
  // t = floor(sigma) + 1, with sigma = sqrt(num/den): largest integer r with r² den <= num, plus 1.
  let r = BigInt(Math.floor(Math.sqrt(Number(num) / Number(den))));
  while (r * r * den > num) r--;
  while ((r + 1n) * (r + 1n) * den <= num) r++;
  const t = r + 1n;
  for (;;) {
    const y = sampleDiscreteLaplaceRational(rng, t, 1n);
    const a = y < 0n ? -y : y;
    // gamma = (|y| − σ²/t)² / (2σ²) = (|y| den t − num)² / (2 num den t²)
    const d = a * den * t - num;
    if (bernoulliExp(rng, d * d, 2n * num * den * t * t)) return y;
  }
}

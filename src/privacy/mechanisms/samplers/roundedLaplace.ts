/**
 * Exact sampler of a rounded Laplace variable (internal): the integer nearest to c + L with
 * L ~ Laplace(0, t/s), for a rational centre c. The law is that of the continuous Laplace
 * mechanism followed by rounding, so a release made of it is post-processing of the ideal
 * mechanism, and no floating point touches the randomness.
 */
import type { Rng } from '../../../core/rng.js';
import { nearestInteger, type Fraction } from './dyadic.js';
import { bernoulliExp, bernoulliRational } from './exact.js';
import { sampleGeometricRational } from './geometric.js';

/**
 * One sample of round(c + L), L ~ Laplace(0, t/s), c = `center.num / center.den`.
 *
 * With m = round(c) and f = c − m in [−½, ½): L is positive with probability ½ and then
 * L/b ~ Exp(1) (b = t/s); c + L passes m + ½ with probability exp(−(½ − f)/b), and by
 * memorylessness the number of further unit cells it passes is geometric with
 * P[G >= g] = exp(−g/b). Negative L is the mirror image with ½ + f. Ties (c + L a half-integer)
 * have probability zero.
 */
export function sampleRoundedLaplace(rng: Rng, center: Fraction, t: bigint, s: bigint): bigint {
  const { num, den } = center;
  const m = nearestInteger(num, den);
  const f = num - m * den; // c − m = f / den, with −den/2 <= f < den/2
  const positive = !bernoulliRational(rng, 1n, 2n);
  // (½ ∓ f/den) / b = (den ∓ 2f) s / (2 den t) >= 0
  const toEdge = (positive ? den - 2n * f : den + 2n * f) * s;
  if (!bernoulliExp(rng, toEdge, 2n * den * t)) return m;
  const cells = 1n + sampleGeometricRational(rng, t, s);
  return positive ? m + cells : m - cells;
}

/**
 * Exact integer sampling primitives over an {@link Rng}'s 32-bit words (internal): uniform
 * BigInts by rejection, Bernoulli(p) for rational p, and Bernoulli(exp(−γ)) for rational γ
 * (Canonne, Kamath and Steinke 2020, Algorithm 1). No floating point is involved.
 */
import type { Rng } from '../../../core/rng.js';

/** A uniform integer in [0, n) for n >= 1, by rejection on whole 32-bit words. */
export function uniformBigInt(rng: Rng, n: bigint): bigint {
  if (n <= 1n) return 0n;
  const bits = (n - 1n).toString(2).length;
  const words = Math.ceil(bits / 32);
  const excess = BigInt(words * 32 - bits);
  for (;;) {
    let x = 0n;
    for (let i = 0; i < words; i++) x = (x << 32n) | BigInt(rng.nextUint32());
    x >>= excess;
    if (x < n) return x;
  }
}

/** Bernoulli(num/den) for 0 <= num <= den. */
export function bernoulliRational(rng: Rng, num: bigint, den: bigint): boolean {
  return uniformBigInt(rng, den) < num;
}

/** Bernoulli(exp(−num/den)) for num/den in [0, 1]. */
function bernoulliExpSmall(rng: Rng, num: bigint, den: bigint): boolean {
  let k = 1n;
  while (bernoulliRational(rng, num, den * k)) k++;
  return k % 2n === 1n;
}

/** Bernoulli(exp(−num/den)) for any num/den >= 0. */
export function bernoulliExp(rng: Rng, num: bigint, den: bigint): boolean {
  if (num <= den) return bernoulliExpSmall(rng, num, den);
  const whole = num / den;
  for (let i = 0n; i < whole; i++) if (!bernoulliExpSmall(rng, 1n, 1n)) return false;
  return bernoulliExpSmall(rng, num - whole * den, den);
}

/** The exact value of a finite positive double as a fraction num/den (den a power of two). */
export function exactRational(x: number): { num: bigint; den: bigint } {
  let den = 1n;
  let v = x;
  while (!Number.isInteger(v)) {
    v *= 2; // exact: multiplying a double by 2 only changes the exponent
    den *= 2n;
  }
  return { num: BigInt(v), den };
}

/**
 * Exact integer sampling primitives over an {@link Rng}'s 32-bit words (internal): uniform
 * integers by rejection, Bernoulli(p) for rational p, and Bernoulli(exp(−γ)) for rational γ
 * (Canonne, Kamath and Steinke 2020, Algorithm 1). No rounding is involved: numbers hold only
 * exact integers below 2^53, larger ones are BigInts.
 */
import type { Rng } from '../../../core/rng.js';

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992n;
/** Below this denominator, `r · 2^32` with r < den is an exact double. */
const SMALL_DEN = 1048576;

/** A uniform integer in [0, n) for n >= 1, by rejection on whole 32-bit words. */
export function uniformBigInt(rng: Rng, n: bigint): bigint {
  if (n <= 1n) return 0n;
  if (n <= TWO_POW_53) {
    const m = Number(n);
    if (m <= TWO_POW_32) {
      const shift = Math.clz32(m - 1); // keeps the bit length of m − 1
      for (;;) {
        const x = rng.nextUint32() >>> shift;
        if (x < m) return BigInt(x);
      }
    }
    const shift = Math.clz32(Math.floor((m - 1) / TWO_POW_32));
    for (;;) {
      const x = (rng.nextUint32() >>> shift) * TWO_POW_32 + rng.nextUint32();
      if (x < m) return BigInt(x);
    }
  }
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

/** Bernoulli(num/den) for small integers 0 <= num < den <= 2^20 (lazy comparison, see below). */
function bernoulliSmall(rng: Rng, num: number, den: number): boolean {
  let r = num;
  for (;;) {
    r *= TWO_POW_32;
    const digit = Math.floor(r / den); // exact: the rounding error is below 1/den
    r -= digit * den;
    const w = rng.nextUint32();
    if (w !== digit) return w < digit;
    if (r === 0) return false;
  }
}

/**
 * A fixed probability num/den in (0, 1) prepared for repeated trials: its first 32-bit binary
 * digit. A trial draws a uniform V in [0, 1) lazily, a word at a time, and reports V < p; the
 * first differing word decides, so P[true] = p exactly.
 */
interface Prepared {
  readonly digit: number;
  readonly num: bigint;
  readonly den: bigint;
}

function prepare(num: bigint, den: bigint): Prepared {
  // Fast path: (num/den)·2^32 in doubles is within 2e-6 of the exact value (three roundings of
  // relative size 2^-53), so its floor is exact unless the fraction is within 1e-5 of an integer.
  const x = (Number(num) / Number(den)) * TWO_POW_32;
  const digit = Math.floor(x);
  if (x - digit > 1e-5 && x - digit < 1 - 1e-5) return { digit, num, den };
  return { digit: Number((num << 32n) / den), num, den };
}

function trial(rng: Rng, p: Prepared): boolean {
  const w = rng.nextUint32();
  if (w !== p.digit) return w < p.digit;
  // The first words agree (probability 2^-32): continue with the exact expansion.
  let r = (p.num << 32n) - BigInt(p.digit) * p.den;
  while (r !== 0n) {
    r <<= 32n;
    const digit = r / p.den;
    r -= digit * p.den;
    const next = BigInt(rng.nextUint32());
    if (next !== digit) return next < digit;
  }
  return false;
}

/** Bernoulli(num/den) for 0 <= num and 0 < den (true when num >= den). */
export function bernoulliRational(rng: Rng, num: bigint, den: bigint): boolean {
  if (num <= 0n) return false;
  if (num >= den) return true;
  if (den <= BigInt(SMALL_DEN)) return bernoulliSmall(rng, Number(num), Number(den));
  return trial(rng, prepare(num, den));
}

/**
 * Bernoulli(exp(−γ)) for γ = num/den in [0, 1]: count K while Bernoulli(γ/K) succeeds and
 * return K odd. Bernoulli(γ/K) is drawn as Bernoulli(γ) and Bernoulli(1/K), independent.
 */
function bernoulliExpSmall(rng: Rng, num: bigint, den: bigint): boolean {
  if (num <= 0n) return true;
  const whole = num >= den;
  const p = whole ? undefined : prepare(num, den);
  let k = 1;
  while ((p === undefined || trial(rng, p)) && (k === 1 || bernoulliSmall(rng, 1, k))) k++;
  return k % 2 === 1;
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

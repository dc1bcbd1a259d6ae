/**
 * One small interface for every source of randomness in the library (STYLE: three channels).
 * Statistical randomness (random starts, shuffling, sampling) and privacy noise both take an
 * {@link Rng}; privacy noise defaults to {@link secureRng}, everything may be seeded with
 * {@link seededRng} for tests and reproducible examples.
 */
import seedrandom from 'seedrandom';
import { invalid } from './validate.js';

/**
 * A source of uniform random numbers.
 *
 * @example
 * ```ts
 * import { seededRng } from 'responsible-tfjs';
 * const rng = seededRng(42);          // reproducible, NOT for real privacy noise
 * console.log(rng.secure, rng.next()); // false 0.1...
 * ```
 */
export interface Rng {
  /** A uniform double in [0, 1) with 53 random bits. */
  next(): number;
  /** A uniform unsigned 32-bit integer in [0, 2^32). */
  nextUint32(): number;
  /**
   * Whether the source is cryptographically secure. Privacy results record it: a noisy output
   * drawn from an insecure source is for testing only.
   */
  readonly secure: boolean;
  /** A short label, e.g. `'crypto.getRandomValues'` or `'seedrandom(42) — for testing only'`. */
  readonly label: string;
}

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

function doubleFrom(hi: number, lo: number): number {
  // 27 + 26 bits, as in the classic genrand_res53: uniform on the 2^53 grid of [0, 1).
  return ((hi >>> 5) * 67108864 + (lo >>> 6)) / TWO_POW_53;
}

/**
 * A reproducible generator from a seed, built on `seedrandom` (ARC4). **For tests and
 * reproducible examples only**: it is not a secure source, and privacy functions that receive it
 * mark their results as such.
 *
 * @param seed - Any string or number.
 * @returns A new generator; two generators with the same seed give the same stream.
 * @example
 * ```ts
 * import { seededRng } from 'responsible-tfjs';
 * const a = seededRng('demo'), b = seededRng('demo');
 * console.log(a.next() === b.next()); // true
 * ```
 */
export function seededRng(seed: string | number): Rng {
  if (typeof seed !== 'string' && !(typeof seed === 'number' && Number.isFinite(seed))) {
    invalid('seededRng', 'seed', seed, 'a string or a finite number');
  }
  const prng = seedrandom(String(seed));
  const nextUint32 = (): number => prng.int32() >>> 0;
  return {
    next: () => doubleFrom(nextUint32(), nextUint32()),
    nextUint32,
    secure: false,
    label: `seedrandom(${JSON.stringify(seed)}), for testing only`,
  };
}

/** `crypto.getRandomValues` fills at most 65,536 bytes per call. */
const SECURE_BUFFER_WORDS = 16384;

/**
 * A cryptographically secure generator over `crypto.getRandomValues` (Web Crypto, available in
 * browsers and Node >= 19). Words are drawn in buffered blocks of 64 KiB.
 *
 * @returns A generator whose `secure` flag is `true`.
 * @example
 * ```ts
 * import { secureRng } from 'responsible-tfjs';
 * const rng = secureRng();
 * console.log(rng.secure, rng.next() < 1); // true true
 * ```
 */
export function secureRng(): Rng {
  const cryptoObj = (globalThis as { crypto?: { getRandomValues?: <T extends ArrayBufferView>(a: T) => T } }).crypto;
  if (cryptoObj?.getRandomValues === undefined) {
    throw new Error('secureRng: crypto.getRandomValues is not available in this environment (Node >= 19 or a browser is required)');
  }
  const buffer = new Uint32Array(SECURE_BUFFER_WORDS);
  let index = SECURE_BUFFER_WORDS;
  const nextUint32 = (): number => {
    if (index === SECURE_BUFFER_WORDS) {
      cryptoObj.getRandomValues!(buffer);
      index = 0;
    }
    return buffer[index++] as number;
  };
  return { next: () => doubleFrom(nextUint32(), nextUint32()), nextUint32, secure: true, label: 'crypto.getRandomValues' };
}

/**
 * Wraps a plain `() => number` in [0, 1) (e.g. `Math.random`) as an {@link Rng}. The result is
 * never considered secure.
 *
 * @example
 * ```ts
 * import { rngFromFunction } from 'responsible-tfjs';
 * const rng = rngFromFunction(Math.random);
 * console.log(rng.secure); // false
 * ```
 */
export function rngFromFunction(random: () => number, label = 'user function'): Rng {
  if (typeof random !== 'function') invalid('rngFromFunction', 'random', random, 'a function returning numbers in [0, 1)');
  const next = (): number => {
    const u = random();
    if (!(u >= 0 && u < 1)) invalid('rngFromFunction', 'random()', u, 'a number in [0, 1)');
    return u;
  };
  return { next, nextUint32: () => Math.floor(next() * TWO_POW_32) >>> 0, secure: false, label };
}

/**
 * Checks that a value is an {@link Rng}; returns it, or the fallback when undefined. `argument`
 * names it in errors (`'options.rng'` unless it lives elsewhere).
 */
export function resolveRng(fn: string, value: unknown, fallback: () => Rng, argument = 'options.rng'): Rng {
  if (value === undefined) return fallback();
  const r = value as Partial<Rng>;
  if (typeof value !== 'object' || value === null || typeof r.next !== 'function' || typeof r.nextUint32 !== 'function') {
    invalid(fn, argument, value, 'an Rng (seededRng(seed), secureRng() or rngFromFunction(fn))');
  }
  return value as Rng;
}

/**
 * An integer seed for tfjs random ops (`randomUniform`, `randomNormal`, ...) drawn from `rng`,
 * so that a seeded {@link Rng} makes those ops reproducible too.
 *
 * @example
 * ```ts
 * import { seededRng, tensorSeed } from 'responsible-tfjs';
 * const seed = tensorSeed(seededRng(1)); // pass as the `seed` of tf.randomUniform
 * ```
 */
export function tensorSeed(rng: Rng): number {
  // tfjs seeds go through seedrandom as strings; keep them within safe integers.
  return rng.nextUint32() * 2048 + (rng.nextUint32() >>> 21);
}

/**
 * A uniformly random permutation of `0..n-1` (Fisher–Yates) drawn from `rng`.
 *
 * @example
 * ```ts
 * import { seededRng, shuffledIndices } from 'responsible-tfjs';
 * console.log(shuffledIndices(5, seededRng(0))); // Int32Array of 0..4 in random order
 * ```
 */
export function shuffledIndices(n: number, rng: Rng): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const tmp = out[i] as number;
    out[i] = out[j] as number;
    out[j] = tmp;
  }
  return out;
}

/**
 * The library's default for statistical randomness (shuffling, random starts, resampling):
 * `Math.random`, fast and unseeded (internal; privacy noise defaults to {@link secureRng}).
 */
export function statisticalRng(): Rng {
  return rngFromFunction(Math.random, 'Math.random');
}

/**
 * Shamir t-of-n secret sharing of byte strings (Shamir 1979), used by secure aggregation to share
 * each client's self-mask seed and mask private key (Bonawitz et al. 2017, §3). Every byte is
 * shared independently with its own random polynomial of degree t - 1 over GF(2^8) (the AES field,
 * x^8 + x^4 + x^3 + x + 1), so a share is as long as the secret and at most 255 shares exist
 * (x-coordinates 1..255). Any t shares determine the secret; any t - 1 shares are uniformly
 * distributed whatever the secret. Shares carry no integrity check: combining wrong shares
 * silently yields a wrong secret (secure aggregation authenticates them with AES-GCM instead).
 */
import { resolveRng, secureRng, type Rng } from '../../core/rng.js';
import { invalid, optionsObject, positiveInteger } from '../../core/validate.js';

/**
 * One share: the x-coordinate (1..255) and the polynomials' values there, one byte per secret byte.
 *
 * @example
 * ```ts
 * import type { ShamirShare } from 'responsible-tfjs/federated';
 * const share: ShamirShare = { x: 3, y: new Uint8Array([17, 200]) };
 * ```
 */
export interface ShamirShare {
  /** Evaluation point in 1..255 (0 would be the secret itself). */
  readonly x: number;
  /** Share bytes, as long as the secret. */
  readonly y: Uint8Array;
}

let tables: { exp: Uint8Array; log: Uint8Array } | undefined;

/** Exp/log tables of GF(2^8) with generator 3, built on first use (nothing runs at import). */
function gf(): { exp: Uint8Array; log: Uint8Array } {
  if (tables !== undefined) return tables;
  const exp = new Uint8Array(510);
  const log = new Uint8Array(256);
  let v = 1;
  for (let i = 0; i < 255; i++) {
    exp[i] = v;
    exp[i + 255] = v;
    log[v] = i;
    // v *= 3: v ^ xtime(v), reducing by the AES polynomial 0x11b.
    const x2 = (v << 1) ^ (v & 0x80 ? 0x11b : 0);
    v = (x2 ^ v) & 0xff;
  }
  tables = { exp, log };
  return tables;
}

function mul(a: number, b: number): number {
  if (a === 0 || b === 0) return 0;
  const t = gf();
  return t.exp[(t.log[a] as number) + (t.log[b] as number)] as number;
}

function div(a: number, b: number): number {
  if (a === 0) return 0;
  const t = gf();
  return t.exp[(t.log[a] as number) + 255 - (t.log[b] as number)] as number;
}

/**
 * Splits `secret` into shares such that any `threshold` of them reconstruct it.
 *
 * @param secret - Bytes to share (any length).
 * @param options - `threshold` (t >= 1), and either `numShares` (x = 1..n) or explicit distinct
 *   `xs` in 1..255; `rng` draws the polynomial coefficients (default `secureRng()`).
 * @returns One share per x-coordinate, in the order of `xs`.
 * @example
 * ```ts
 * import { shamirSplit, shamirCombine } from 'responsible-tfjs/federated';
 * const secret = new TextEncoder().encode('seed');
 * const shares = shamirSplit(secret, { threshold: 3, numShares: 5 });
 * shamirCombine([shares[4]!, shares[0]!, shares[2]!]); // the bytes of 'seed'
 * ```
 */
export function shamirSplit(
  secret: Uint8Array,
  options: { readonly threshold: number; readonly numShares?: number; readonly xs?: readonly number[]; readonly rng?: Rng },
): ShamirShare[] {
  const fn = 'shamirSplit';
  if (!(secret instanceof Uint8Array)) invalid(fn, 'secret', secret, 'a Uint8Array');
  const o = optionsObject(fn, 'options', options);
  const threshold = positiveInteger(fn, 'options.threshold', o.threshold);
  let xs: readonly number[];
  if (o.xs !== undefined) {
    if (o.numShares !== undefined) invalid(fn, 'options.numShares', o.numShares, 'undefined when options.xs is given');
    if (!Array.isArray(o.xs)) invalid(fn, 'options.xs', o.xs, 'an array of distinct integers in [1, 255]');
    xs = o.xs;
    const seen = new Set<number>();
    xs.forEach((x, i) => {
      if (!Number.isInteger(x) || x < 1 || x > 255 || seen.has(x)) invalid(fn, `options.xs[${i}]`, x, 'a distinct integer in [1, 255]');
      seen.add(x);
    });
  } else {
    const n = positiveInteger(fn, 'options.numShares', o.numShares);
    if (n > 255) invalid(fn, 'options.numShares', n, 'an integer in [1, 255] (GF(256) has 255 non-zero points)');
    xs = Array.from({ length: n }, (_, i) => i + 1);
  }
  if (threshold > xs.length) invalid(fn, 'options.threshold', threshold, `an integer in [1, ${xs.length}] (the number of shares)`);
  const rng = resolveRng(fn, o.rng, secureRng);
  // coefficients[j * len + k]: coefficient of x^(j+1) for secret byte k.
  const coefficients = new Uint8Array((threshold - 1) * secret.length);
  for (let i = 0; i < coefficients.length; i++) coefficients[i] = rng.nextUint32() & 0xff;
  return xs.map((x) => {
    const y = new Uint8Array(secret.length);
    for (let k = 0; k < secret.length; k++) {
      // Horner from the highest coefficient down to the secret byte.
      let acc = 0;
      for (let j = threshold - 2; j >= 0; j--) acc = mul(acc, x) ^ (coefficients[j * secret.length + k] as number);
      y[k] = mul(acc, x) ^ (secret[k] as number);
    }
    return { x, y };
  });
}

/**
 * Reconstructs a secret by Lagrange interpolation at 0 over all the shares given. Pass exactly
 * `threshold` shares (or set `options.threshold` to use the first `threshold` and refuse fewer).
 *
 * @param shares - Shares with distinct x-coordinates and equal lengths.
 * @param options - Optional `threshold`.
 * @returns The secret bytes (meaningless if the shares were not produced together).
 * @example
 * ```ts
 * import { shamirSplit, shamirCombine } from 'responsible-tfjs/federated';
 * const shares = shamirSplit(new Uint8Array([42]), { threshold: 2, numShares: 3 });
 * shamirCombine(shares, { threshold: 2 }); // Uint8Array [42]
 * ```
 */
export function shamirCombine(shares: readonly ShamirShare[], options?: { readonly threshold?: number }): Uint8Array {
  const fn = 'shamirCombine';
  const o = optionsObject(fn, 'options', options);
  if (!Array.isArray(shares) || shares.length === 0) invalid(fn, 'shares', shares, 'a non-empty array of shares');
  let used = shares;
  if (o.threshold !== undefined) {
    const t = positiveInteger(fn, 'options.threshold', o.threshold);
    if (shares.length < t) invalid(fn, 'shares', `${shares.length} shares`, `at least options.threshold = ${t} shares`);
    used = shares.slice(0, t);
  }
  const len = used[0]?.y instanceof Uint8Array ? used[0].y.length : -1;
  const seen = new Set<number>();
  used.forEach((s, i) => {
    if (typeof s !== 'object' || s === null || !Number.isInteger(s.x) || s.x < 1 || s.x > 255 || seen.has(s.x)) {
      invalid(fn, `shares[${i}].x`, s?.x, 'a distinct integer in [1, 255]');
    }
    if (!(s.y instanceof Uint8Array) || s.y.length !== len) invalid(fn, `shares[${i}].y`, s.y, `a Uint8Array of length ${len}`);
    seen.add(s.x);
  });
  const secret = new Uint8Array(len);
  used.forEach((s, i) => {
    // Lagrange basis at 0: prod_{j != i} x_j / (x_j - x_i); subtraction is XOR in GF(2^8).
    let basis = 1;
    used.forEach((other, j) => {
      if (j !== i) basis = mul(basis, div(other.x, other.x ^ s.x));
    });
    for (let k = 0; k < len; k++) secret[k] = (secret[k] as number) ^ mul(basis, s.y[k] as number);
  });
  return secret;
}

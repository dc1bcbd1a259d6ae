/**
 * Fixed-point encoding of float updates into Z_{2^32}, the group secure aggregation sums in
 * (Bonawitz et al. 2017, §3: inputs are vectors over Z_R). A value v becomes the integer
 * q = round(v * scale), stored in two's complement as `q >>> 0`; the modular sum of n encodings
 * decodes to the exact integer sum as long as it stays inside [-2^31, 2^31), which
 * {@link checkFixedPointCapacity} guarantees from a per-coordinate bound and the client count.
 */
import { resolveRng, secureRng, type Rng } from '../../core/rng.js';
import { invalid, optionsObject, positiveInteger, positiveNumber } from '../../core/validate.js';

const TWO_POW_31 = 2147483648;

/**
 * How {@link encodeFixedPoint} rounds `v * scale` to an integer.
 * - `'nearest'`: `Math.round` (ties towards +infinity); error at most `0.5 / scale` per value.
 * - `'stochastic'`: up with probability equal to the fractional part; unbiased, error below `1 / scale`.
 *
 * @example
 * ```ts
 * import type { FixedPointRounding } from 'responsible-tfjs/federated';
 * const rounding: FixedPointRounding = 'stochastic';
 * ```
 */
export type FixedPointRounding = 'nearest' | 'stochastic';

/**
 * Options of {@link encodeFixedPoint}.
 *
 * @example
 * ```ts
 * import type { EncodeFixedPointOptions } from 'responsible-tfjs/federated';
 * const options: EncodeFixedPointOptions = { scale: 2 ** 16, maxAbs: 1, numClients: 100 };
 * ```
 */
export interface EncodeFixedPointOptions {
  /** Multiplier before rounding (e.g. 2^16); the resolution of the encoding is `1 / scale`. */
  readonly scale: number;
  /**
   * Declared bound on `|v|` for every coordinate (e.g. the clipping norm). Larger values are
   * refused, never clamped. A vector clipped to norm C in float32 can exceed C by a rounding
   * error in one coordinate: pass a bound with a little room, e.g. `clipNorm * (1 + 1e-6)`.
   */
  readonly maxAbs: number;
  /** If given, also refuse when `numClients` such vectors could overflow their sum ({@link checkFixedPointCapacity}). */
  readonly numClients?: number;
  /** Rounding rule; default `'nearest'`. */
  readonly rounding?: FixedPointRounding;
  /** Source of the stochastic rounding draws; default `secureRng()`. Only used with `'stochastic'`. */
  readonly rng?: Rng;
}

/**
 * Refuses (with an InvalidArgumentError) a fixed-point configuration whose sum could overflow:
 * each client contributes at most `maxAbs * scale + 1` in absolute value (the +1 covers rounding
 * up), so `numClients * (maxAbs * scale + 1)` must stay below 2^31.
 *
 * @param options - `{ maxAbs, scale, numClients }`.
 * @returns The largest absolute integer the sum can reach.
 * @example
 * ```ts
 * import { checkFixedPointCapacity } from 'responsible-tfjs/federated';
 * checkFixedPointCapacity({ maxAbs: 1, scale: 2 ** 16, numClients: 1000 }); // ok: 65537000 < 2^31
 * checkFixedPointCapacity({ maxAbs: 1, scale: 2 ** 24, numClients: 1000 }); // throws INVALID_ARGUMENT
 * ```
 */
export function checkFixedPointCapacity(options: { readonly maxAbs: number; readonly scale: number; readonly numClients: number }): number {
  const fn = 'checkFixedPointCapacity';
  const o = optionsObject(fn, 'options', options);
  const maxAbs = positiveNumber(fn, 'options.maxAbs', o.maxAbs);
  const scale = positiveNumber(fn, 'options.scale', o.scale);
  const numClients = positiveInteger(fn, 'options.numClients', o.numClients);
  const bound = numClients * (Math.ceil(maxAbs * scale) + 1);
  if (!(bound < TWO_POW_31)) {
    invalid(fn, 'options.numClients', numClients, `such that numClients * (maxAbs * scale + 1) < 2^31 (got ${bound})`,
      'Lower the scale, the bound or the number of clients per aggregate');
  }
  return bound;
}

/**
 * Encodes float values as fixed-point integers in Z_{2^32} (two's complement), ready to be summed
 * with {@link addModular} or by secure aggregation and decoded with {@link decodeFixedPointSum}.
 * Refuses non-finite values and values with `|v| > maxAbs` (nothing is clamped: clip first).
 *
 * @param values - The update (e.g. a clipped model delta).
 * @param options - Scale, bound, optional client count and rounding.
 * @returns A new Uint32Array of the same length.
 * @example
 * ```ts
 * import { encodeFixedPoint, decodeFixedPointSum, addModular } from 'responsible-tfjs/federated';
 * const opts = { scale: 2 ** 16, maxAbs: 1, numClients: 2 };
 * const a = encodeFixedPoint(new Float32Array([0.25, -0.5]), opts);
 * const b = encodeFixedPoint(new Float32Array([0.5, -0.25]), opts);
 * decodeFixedPointSum(addModular(a, b), { scale: 2 ** 16 }); // Float64Array [0.75, -0.75]
 * ```
 */
export function encodeFixedPoint(values: ArrayLike<number>, options: EncodeFixedPointOptions): Uint32Array {
  const fn = 'encodeFixedPoint';
  const o = optionsObject(fn, 'options', options);
  if (values === null || typeof values !== 'object' || typeof values.length !== 'number') {
    invalid(fn, 'values', values, 'a Float32Array or an array of numbers');
  }
  const scale = positiveNumber(fn, 'options.scale', o.scale);
  const maxAbs = positiveNumber(fn, 'options.maxAbs', o.maxAbs);
  if (!(Math.ceil(maxAbs * scale) + 1 < TWO_POW_31)) {
    invalid(fn, 'options.scale', scale, `such that maxAbs * scale + 1 < 2^31 (maxAbs is ${maxAbs})`);
  }
  if (o.numClients !== undefined) checkFixedPointCapacity({ maxAbs, scale, numClients: o.numClients });
  const rounding = o.rounding ?? 'nearest';
  if (rounding !== 'nearest' && rounding !== 'stochastic') invalid(fn, 'options.rounding', rounding, "'nearest' or 'stochastic'");
  const rng = rounding === 'stochastic' ? resolveRng(fn, o.rng, secureRng) : undefined;
  const out = new Uint32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (typeof v !== 'number' || !Number.isFinite(v)) invalid(fn, `values[${i}]`, v, 'a finite number');
    if (Math.abs(v) > maxAbs) invalid(fn, `values[${i}]`, v, `at most options.maxAbs = ${maxAbs} in absolute value`, 'Clip the update first; values are never clamped');
    const x = v * scale;
    let q: number;
    if (rng === undefined) q = Math.round(x);
    else {
      const floor = Math.floor(x);
      q = floor + (rng.next() < x - floor ? 1 : 0);
    }
    out[i] = q >>> 0;
  }
  return out;
}

/**
 * Decodes a modular sum of fixed-point vectors: each word is read as a signed 32-bit integer
 * (two's complement) and divided by `scale`. Exact when the configuration passed
 * {@link checkFixedPointCapacity}; the decoded sum then differs from the float sum by at most
 * `n * 0.5 / scale` per coordinate with `'nearest'` rounding (`n / scale` with `'stochastic'`).
 *
 * @param sum - Modular sum of encodings (e.g. secure aggregation's output).
 * @param options - `{ scale }`, the same as used to encode.
 * @returns A new Float64Array (integer / scale computed in double precision).
 * @example
 * ```ts
 * import { decodeFixedPointSum } from 'responsible-tfjs/federated';
 * decodeFixedPointSum(new Uint32Array([0xffffffff, 3]), { scale: 2 }); // Float64Array [-0.5, 1.5]
 * ```
 */
export function decodeFixedPointSum(sum: Uint32Array, options: { readonly scale: number }): Float64Array {
  const fn = 'decodeFixedPointSum';
  if (!(sum instanceof Uint32Array)) invalid(fn, 'sum', sum, 'a Uint32Array');
  const o = optionsObject(fn, 'options', options);
  const scale = positiveNumber(fn, 'options.scale', o.scale);
  const out = new Float64Array(sum.length);
  for (let i = 0; i < sum.length; i++) out[i] = ((sum[i] as number) | 0) / scale;
  return out;
}

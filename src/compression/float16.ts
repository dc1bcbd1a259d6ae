/**
 * IEEE 754 half precision (binary16) conversion with round-to-nearest-even, as NumPy's
 * `astype(float16)` and the tfjs converter's `--quantize_float16` do. Pure JavaScript over typed
 * arrays: no tensors, no backend.
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Rounds one float32 bit pattern to the nearest half-precision pattern (ties to even). */
function halfBits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 | (mant >>> 13) : 0); // Inf, NaN (quiet)
  const e = exp - 127 + 15; // rebias
  if (e >= 0x1f) return sign | 0x7c00; // overflow to infinity
  if (e <= 0) {
    // Subnormal half (or zero): shift the full significand (with its implicit 1) into place.
    if (e < -10) return sign; // below half of the smallest subnormal: rounds to zero
    const m = mant | 0x800000;
    const shift = 14 - e; // 14..24
    const q = m >>> shift;
    const rem = m & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    const up = rem > half || (rem === half && (q & 1) === 1);
    return sign | (q + (up ? 1 : 0)); // a carry into the exponent field gives the smallest normal
  }
  const q = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  const up = rem > 0x1000 || (rem === 0x1000 && (q & 1) === 1);
  return sign | (q + (up ? 1 : 0)); // a carry may round up to the next binade or to infinity
}

/**
 * Converts float32 values to IEEE half-precision bit patterns, rounding to nearest, ties to even.
 * Values beyond the half range (|x| >= 65520) become ±Infinity; NaN stays NaN; tiny values become
 * half subnormals or signed zeros.
 *
 * @param values - Numbers, rounded to float32 first (as a `Float32Array` holds them).
 * @returns A new `Uint16Array` of half-precision bit patterns.
 * @example
 * ```ts
 * import { float32ToFloat16Bits } from 'responsible-tfjs/compression';
 * float32ToFloat16Bits([1, -2, 65504, 1e-8]); // Uint16Array [0x3c00, 0xc000, 0x7bff, 0x0000]
 * ```
 */
export function float32ToFloat16Bits(values: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    f32[0] = values[i] as number;
    out[i] = halfBits(u32[0] as number);
  }
  return out;
}

/**
 * Decodes IEEE half-precision bit patterns to float32 values (exact: every half is a float32).
 *
 * @param bits - Half-precision bit patterns.
 * @returns A new `Float32Array`.
 * @example
 * ```ts
 * import { float16BitsToFloat32 } from 'responsible-tfjs/compression';
 * float16BitsToFloat32(new Uint16Array([0x3c00, 0x0001])); // Float32Array [1, 5.960464477539063e-8]
 * ```
 */
export function float16BitsToFloat32(bits: ArrayLike<number>): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) {
    const h = (bits[i] as number) & 0xffff;
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0) out[i] = sign * mant * 2 ** -24;
    else if (exp === 0x1f) out[i] = mant === 0 ? sign * Infinity : NaN;
    else out[i] = sign * (1 + mant / 1024) * 2 ** (exp - 15);
  }
  return out;
}

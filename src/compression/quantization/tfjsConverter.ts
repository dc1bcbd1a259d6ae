import { roundHalfEven } from '../internal/rounding.js';

const f = Math.fround;

/** Result of the tfjs converter's affine quantization of one tensor. */
export interface TfjsQuantized {
  readonly values: Uint8Array | Uint16Array;
  readonly min: number;
  readonly scale: number;
  readonly zeroPoint: number;
}

/**
 * The tfjs converter's `quantize_weights` for uint8/uint16 (tensorflowjs/quantization.py
 * L93-147, `_get_affine_quantization_range` L175-216, tfjs commit 0fc04d95): range and nudging in
 * float64; clip, subtract and divide in float32 as NumPy 1.x runs them (float64 scalars against a
 * float32 array); `np.round` is half to even.
 */
export function tfjsQuantize(values: Float32Array, dtype: 'uint8' | 'uint16'): TfjsQuantized {
  const qmax = dtype === 'uint8' ? 255 : 65535;
  const out = dtype === 'uint8' ? new Uint8Array(values.length) : new Uint16Array(values.length);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (values.length === 0 || lo === hi) return { values: out, min: values.length === 0 ? 0 : lo, scale: 1, zeroPoint: 0 };
  const scale = (hi - lo) / qmax;
  let nudgedMin = lo;
  let nudgedMax = hi;
  let zeroPoint = 0;
  if (lo <= 0 && 0 <= hi) {
    zeroPoint = roundHalfEven(0 - lo / scale);
    nudgedMin = -zeroPoint * scale;
    nudgedMax = qmax * scale + nudgedMin;
  }
  const cMin = f(nudgedMin);
  const cMax = f(nudgedMax);
  const s = f(scale);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    const clipped = v < cMin ? cMin : v > cMax ? cMax : v;
    const q = roundHalfEven(f(f(clipped - cMin) / s));
    out[i] = q < 0 ? 0 : q > qmax ? qmax : q;
  }
  return { values: out, min: nudgedMin, scale, zeroPoint };
}

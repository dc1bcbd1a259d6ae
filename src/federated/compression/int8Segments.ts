/**
 * Symmetric int8 quantisation of an update, one scale per segment, through the compression
 * module's `quantizeArray` / `dequantizeArray` (internal).
 */
import { invalid } from '../../core/validate.js';
import { quantizeArray } from '../../compression/quantization/quantizeArray.js';
import { dequantizeArray } from '../../compression/quantization/dequantize.js';
import type { WeightLayout } from '../types.js';

/** Segment boundaries from a layout (checked against the update's length), or one segment. */
export function segmentOffsetsOf(fn: string, argument: string, layout: WeightLayout | undefined, size: number): number[] {
  if (layout === undefined) return [0, size];
  const l = layout as Partial<WeightLayout>;
  if (layout === null || typeof layout !== 'object' || !Array.isArray(l.offsets) || typeof l.size !== 'number') {
    invalid(fn, argument, layout, 'a WeightLayout ({ names, shapes, offsets, size })');
  }
  const offsets = l.offsets as readonly number[];
  if (l.size !== size) invalid(fn, `${argument}.size`, l.size, `the update's length (${size})`);
  if (offsets[0] !== 0 || offsets[offsets.length - 1] !== size) {
    invalid(fn, `${argument}.offsets`, [...offsets], `non-decreasing integers from 0 to size (${size})`);
  }
  for (let i = 1; i < offsets.length; i++) {
    const a = offsets[i - 1] as number;
    const b = offsets[i] as number;
    if (!Number.isSafeInteger(b) || b < a) invalid(fn, `${argument}.offsets[${i}]`, b, `an integer >= offsets[${i - 1}] (${a})`);
  }
  return [...offsets];
}

/** Quantises each segment with its own symmetric int8 scale (PyTorch's per-tensor symmetric rule). */
export function encodeInt8(values: Float32Array, segmentOffsets: readonly number[]): { scales: Float32Array; q: Int8Array } {
  const segments = segmentOffsets.length - 1;
  const scales = new Float32Array(segments);
  const q = new Int8Array(values.length);
  for (let s = 0; s < segments; s++) {
    const a = segmentOffsets[s] as number;
    const b = segmentOffsets[s + 1] as number;
    const part = values.subarray(a, b);
    const qt = quantizeArray(part, [part.length], { dtype: 'int8', scheme: 'symmetric' });
    q.set(qt.values as Int8Array, a);
    scales[s] = qt.scale as number;
  }
  return { scales, q };
}

/** Dense float32 values of an int8 encoding: `q · scale` per segment, rounded once. */
export function decodeInt8(q: Int8Array, scales: Float32Array, segmentOffsets: readonly number[]): Float32Array {
  const out = new Float32Array(q.length);
  for (let s = 0; s < scales.length; s++) {
    const a = segmentOffsets[s] as number;
    const b = segmentOffsets[s + 1] as number;
    const part = dequantizeArray({
      values: q.subarray(a, b), shape: [b - a], dtype: 'int8', scheme: 'symmetric', axis: null, scale: scales[s] as number, zeroPoint: 0,
    });
    out.set(part, a);
  }
  return out;
}

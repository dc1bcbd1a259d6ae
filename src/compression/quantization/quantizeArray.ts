import { float32ToFloat16Bits } from '../float16.js';
import { INT_RANGES } from '../internal/rounding.js';
import { finiteArray, invalid, oneOf, optionsObject } from '../../core/validate.js';
import { minMaxQParams, quantizeValue, type QParams } from './qparams.js';
import { tfjsQuantize } from './tfjsConverter.js';
import type { QuantDtype, QuantizedTensor, QuantizeOptions, QuantScheme } from './types.js';

const DTYPES: readonly QuantDtype[] = ['int8', 'uint8', 'int16', 'uint16', 'float16'];
const SCHEMES: readonly QuantScheme[] = ['affine', 'symmetric', 'tfjs'];

/** Validated options with the axis resolved to a non-negative index (or null). */
export function resolveQuantizeOptions(fn: string, options: QuantizeOptions, shape: readonly number[]): {
  dtype: QuantDtype; scheme: QuantScheme; axis: number | null;
} {
  const opts = optionsObject(fn, 'options', options);
  const dtype = oneOf(fn, 'options.dtype', opts.dtype, DTYPES);
  const scheme = oneOf(fn, 'options.scheme', opts.scheme ?? 'affine', SCHEMES);
  if (scheme === 'tfjs' && dtype !== 'uint8' && dtype !== 'uint16') {
    invalid(fn, 'options.dtype', dtype, "'uint8' or 'uint16' with scheme 'tfjs'", 'The tfjs converter quantizes to uint8 or uint16 only');
  }
  let axis: number | null = null;
  if (opts.axis !== undefined) {
    const rank = shape.length;
    const a = opts.axis;
    if (typeof a !== 'number' || !Number.isInteger(a) || a < -rank || a >= rank) {
      invalid(fn, 'options.axis', a, `an integer in [${-rank}, ${rank - 1}] for a tensor of rank ${rank}`);
    }
    if (scheme === 'tfjs') invalid(fn, 'options.axis', a, 'undefined with scheme \'tfjs\'', 'The tfjs converter quantizes per tensor');
    axis = a < 0 ? a + rank : a;
  }
  return { dtype, scheme, axis };
}

/**
 * Quantizes float32 values held in a typed array (row-major, tfjs layout) with PyTorch's min-max
 * observer rules, the tfjs converter's rule, or half precision. The synchronous, tensor-free core
 * of {@link quantize}.
 *
 * @param values - Row-major values; every one must be finite.
 * @param shape - Their tensor shape (its product must equal `values.length`).
 * @param options - dtype, scheme and optional channel axis.
 * @returns A {@link QuantizedTensor} with fresh arrays.
 * @throws {@link InvalidArgumentError} for an unsupported dtype or scheme, an axis out of range,
 *   a shape that does not match, or a non-finite value.
 * @example
 * ```ts
 * import { quantizeArray } from 'responsible-tfjs/compression';
 * const q = quantizeArray(new Float32Array([-1, -0.5, 0, 0.3, 1.5]), [5], { dtype: 'uint8', scheme: 'tfjs' });
 * console.log(Array.from(q.values)); // [0, 51, 102, 133, 255]
 * ```
 */
export function quantizeArray(values: Float32Array, shape: readonly number[], options: QuantizeOptions): QuantizedTensor {
  const fn = 'quantizeArray';
  return quantizeArrayAs(fn, values, shape, options);
}

/** {@link quantizeArray} reporting errors under the caller's name. */
export function quantizeArrayAs(fn: string, values: Float32Array, shape: readonly number[], options: QuantizeOptions): QuantizedTensor {
  const { dtype, scheme, axis } = resolveQuantizeOptions(fn, options, shape);
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== values.length) invalid(fn, 'shape', [...shape], `a shape with ${values.length} elements`);
  finiteArray(fn, 'values', values);
  if (dtype === 'float16') {
    return { values: float32ToFloat16Bits(values), shape: [...shape], dtype, scheme, axis, scale: 1, zeroPoint: 0 };
  }
  if (scheme === 'tfjs') {
    const t = tfjsQuantize(values, dtype as 'uint8' | 'uint16');
    return { values: t.values, shape: [...shape], dtype, scheme, axis: null, scale: t.scale, zeroPoint: t.zeroPoint, min: t.min };
  }
  const { qmin, qmax } = INT_RANGES[dtype];
  const out = newIntArray(dtype, values.length);
  if (axis === null) {
    const p = rangeParams(values, 0, 1, values.length, 1, dtype, scheme);
    fillQuantized(values, out, 0, 1, values.length, 1, p, qmin, qmax);
    return { values: out, shape: [...shape], dtype, scheme, axis: null, scale: p.scale, zeroPoint: p.zeroPoint };
  }
  // Row-major: index = (outer * channels + c) * inner + k.
  const channels = shape[axis] as number;
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const scales: number[] = [];
  const zeroPoints: number[] = [];
  for (let c = 0; c < channels; c++) {
    const p = rangeParams(values, c * inner, channels * inner, outer, inner, dtype, scheme);
    fillQuantized(values, out, c * inner, channels * inner, outer, inner, p, qmin, qmax);
    scales.push(p.scale);
    zeroPoints.push(p.zeroPoint);
  }
  return { values: out, shape: [...shape], dtype, scheme, axis, scale: scales, zeroPoint: zeroPoints };
}

function newIntArray(dtype: Exclude<QuantDtype, 'float16'>, n: number): Int8Array | Uint8Array | Int16Array | Uint16Array {
  switch (dtype) {
    case 'int8': return new Int8Array(n);
    case 'uint8': return new Uint8Array(n);
    case 'int16': return new Int16Array(n);
    case 'uint16': return new Uint16Array(n);
  }
}

/** Min-max parameters over `blocks` strided blocks of `inner` contiguous values. */
function rangeParams(v: Float32Array, start: number, stride: number, blocks: number, inner: number,
  dtype: Exclude<QuantDtype, 'float16'>, scheme: 'affine' | 'symmetric'): QParams {
  let lo = Infinity;
  let hi = -Infinity;
  for (let b = 0; b < blocks; b++) {
    const o = start + b * stride;
    for (let k = 0; k < inner; k++) {
      const x = v[o + k] as number;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
  }
  if (lo === Infinity) lo = hi = 0;
  return minMaxQParams(lo, hi, dtype, scheme);
}

function fillQuantized(v: Float32Array, out: Int8Array | Uint8Array | Int16Array | Uint16Array, start: number, stride: number,
  blocks: number, inner: number, p: QParams, qmin: number, qmax: number): void {
  const inv = Math.fround(1 / p.scale);
  for (let b = 0; b < blocks; b++) {
    const o = start + b * stride;
    for (let k = 0; k < inner; k++) out[o + k] = quantizeValue(v[o + k] as number, inv, p.zeroPoint, qmin, qmax);
  }
}

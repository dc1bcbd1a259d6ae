/**
 * Storage types {@link quantize} supports: four integer types and IEEE half precision.
 */
export type QuantDtype = 'int8' | 'uint8' | 'int16' | 'uint16' | 'float16';

/**
 * How scales and zero points are chosen.
 *
 * - `'affine'`: PyTorch's `MinMaxObserver` with `per_tensor_affine` / `per_channel_affine`: the range
 *   `[min(w, 0), max(w, 0)]` maps onto the full integer range.
 * - `'symmetric'`: PyTorch's `per_tensor_symmetric` / `per_channel_symmetric`: `scale = max|w| /
 *   ((qmax - qmin) / 2)`, zero point 0 for signed types and the range midpoint (128, 32768) for unsigned.
 * - `'tfjs'`: the tfjs converter's `--quantize_uint8` / `--quantize_uint16` (uint8 and uint16 only,
 *   per tensor): a nudged affine range, stored as `{min, scale}`; dequantized as `q * scale + min`.
 *
 * Ignored for `'float16'`.
 */
export type QuantScheme = 'affine' | 'symmetric' | 'tfjs';

/**
 * Options of {@link quantize}.
 */
export interface QuantizeOptions {
  /** Storage type. */
  readonly dtype: QuantDtype;
  /** Scale and zero-point rule; `'affine'` by default. */
  readonly scheme?: QuantScheme;
  /**
   * Quantize per channel along this axis (negative counts from the end; `-1` is the output
   * channel of a tfjs Dense or Conv2D kernel). Omitted: one scale for the whole tensor.
   */
  readonly axis?: number;
}

/**
 * A quantized tensor as plain data: integers (or half-precision bits) in tfjs layout plus the
 * parameters that map them back to real values. JSON-friendly apart from the typed array.
 *
 * Dequantization: `(q - zeroPoint) * scale` in float32 for `'affine'` and `'symmetric'`;
 * `q * scale + min` for `'tfjs'`; the half-precision value for `'float16'`.
 */
export interface QuantizedTensor {
  /** Integers (or half bits for `'float16'`) in the tensor's row-major tfjs layout. */
  readonly values: Int8Array | Uint8Array | Int16Array | Uint16Array;
  /** Shape of the original tensor. */
  readonly shape: readonly number[];
  /** Storage type. */
  readonly dtype: QuantDtype;
  /** Scheme the parameters follow (`'affine'` for float16, where it has no effect). */
  readonly scheme: QuantScheme;
  /** Channel axis (non-negative) for per-channel quantization, or `null` for per tensor. */
  readonly axis: number | null;
  /** Scale per tensor, or one per channel (float32 values). 1 for float16. */
  readonly scale: number | readonly number[];
  /** Zero point per tensor, or one per channel. 0 for float16. */
  readonly zeroPoint: number | readonly number[];
  /** `'tfjs'` scheme only: the (nudged) minimum added after scaling, as in the tfjs weights manifest. */
  readonly min?: number;
}

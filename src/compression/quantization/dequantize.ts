import { assertBackend } from '../../core/backend.js';
import { float16BitsToFloat32 } from '../float16.js';
import { tensor, type Tensor } from '../../core/tf.js';
import type { QuantizedTensor } from './types.js';

/**
 * Maps a {@link QuantizedTensor} back to float32 values in a typed array: `(q - zeroPoint) * scale`
 * rounded once to float32 (PyTorch's `dequantize`), `q * scale + min` rounded to float32 for the
 * `'tfjs'` scheme (tfjs-core `io_utils`), or the exact half-precision value for `'float16'`.
 *
 * @returns A new `Float32Array` in the tensor's row-major layout.
 * @example
 * ```ts
 * import { quantizeArray, dequantizeArray } from 'responsible-tfjs/compression';
 * const q = quantizeArray(new Float32Array([-1, 0.3, 1.5]), [3], { dtype: 'uint8', scheme: 'tfjs' });
 * dequantizeArray(q); // Float32Array [-1, 0.30392158, 1.5]
 * ```
 */
export function dequantizeArray(q: QuantizedTensor): Float32Array {
  if (q.dtype === 'float16') return float16BitsToFloat32(q.values);
  const n = q.values.length;
  const out = new Float32Array(n);
  if (q.scheme === 'tfjs') {
    const scale = q.scale as number;
    const min = q.min ?? 0;
    for (let i = 0; i < n; i++) out[i] = (q.values[i] as number) * scale + min;
    return out;
  }
  if (q.axis === null) {
    const scale = q.scale as number;
    const zp = q.zeroPoint as number;
    for (let i = 0; i < n; i++) out[i] = ((q.values[i] as number) - zp) * scale;
    return out;
  }
  const scales = q.scale as readonly number[];
  const zps = q.zeroPoint as readonly number[];
  const channels = q.shape[q.axis] as number;
  const inner = q.shape.slice(q.axis + 1).reduce((a, b) => a * b, 1);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(i / inner) % channels;
    out[i] = ((q.values[i] as number) - (zps[c] as number)) * (scales[c] as number);
  }
  return out;
}

/**
 * Dequantizes a {@link QuantizedTensor} into a float32 tensor of its original shape (see
 * {@link dequantizeArray} for the formulas).
 *
 * @returns A new float32 tensor, which the caller owns.
 * @example
 * ```ts
 * import { quantize, dequantize } from 'responsible-tfjs/compression';
 * const q = await quantize(kernel, { dtype: 'int8', scheme: 'symmetric', axis: -1 });
 * const approx = dequantize(q); // same shape as kernel
 * ```
 */
export function dequantize(q: QuantizedTensor): Tensor {
  assertBackend('dequantize');
  return tensor(dequantizeArray(q), [...q.shape], 'float32');
}

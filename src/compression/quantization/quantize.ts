import { assertBackend } from '../../core/backend.js';
import type { Tensor } from '../../core/tf.js';
import { invalid } from '../../core/validate.js';
import { quantizeArrayAs, resolveQuantizeOptions } from './quantizeArray.js';
import type { QuantizedTensor, QuantizeOptions } from './types.js';

/**
 * Post-training quantization of one float32 tensor, per tensor or per channel.
 *
 * Integer types follow PyTorch's min-max observers (`torch.ao.quantization.observer`, torch 1.13):
 * float32 arithmetic throughout, `q = clamp(roundHalfEven(w * float32(1/scale)) + zeroPoint, qmin,
 * qmax)`. Note that PyTorch's symmetric scale is `max|w| / 127.5` for int8, so the largest negative
 * weight maps to -128. `scheme: 'tfjs'` reproduces the tfjs converter's `--quantize_uint8/uint16`
 * (NumPy 1.x arithmetic); `dtype: 'float16'` rounds to half precision, ties to even.
 *
 * @param x - A float32 tensor (e.g. a Dense kernel `[in, out]` or Conv2D kernel `[kh, kw, in, out]`).
 * @param options - `dtype`, `scheme` (`'affine'` by default) and `axis` for per-channel scales
 *   (use `-1` for the output channels of a tfjs kernel).
 * @returns Plain data (typed array plus parameters); no tensor is created, nothing to dispose.
 * @throws {@link InvalidArgumentError} for an unsupported dtype or scheme, an axis out of range, a
 *   non-float32 tensor or a non-finite value.
 * @example
 * ```ts
 * import { quantize } from 'responsible-tfjs/compression';
 * const q = await quantize(kernel, { dtype: 'int8', scheme: 'symmetric', axis: -1 });
 * console.log(q.values, q.scale); // Int8Array, one scale per output channel
 * ```
 */
export async function quantize(x: Tensor, options: QuantizeOptions): Promise<QuantizedTensor> {
  const fn = 'quantize';
  assertBackend(fn);
  if (typeof x !== 'object' || x === null || !('dtype' in x) || x.dtype !== 'float32') {
    invalid(fn, 'x', x, 'a float32 tensor');
  }
  resolveQuantizeOptions(fn, options, x.shape); // fail before reading the tensor
  const data = (await x.data()) as Float32Array;
  return quantizeArrayAs(fn, data, x.shape, options);
}

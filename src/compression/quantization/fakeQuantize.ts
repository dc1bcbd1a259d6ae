import { synchronousReadsSupported } from '../../core/backend.js';
import { assertBackend } from '../../core/backend.js';
import {
  add, customGrad, div, floor, greater, greaterEqual, less, lessEqual, logicalAnd, max, maximum, min, minimum, mod,
  mul, neg, reshape, scalar, sub, tensor1d, tidy, where, clipByValue, cast, type GradSaveFunc, type Tensor,
} from '../../core/tf.js';
import { assertGradientsAvailable } from '../../core/gradients.js';
import { assertFiniteTensorSync, tensorArgument } from '../../core/tensorArgument.js';
import { booleanValue, invalid, oneOf, optionsObject } from '../../core/validate.js';
import { FLOAT32_EPS, INT_RANGES, type IntegerDtype } from '../internal/rounding.js';

/**
 * Options of {@link fakeQuantize}. Give `scale` and `zeroPoint` for fixed parameters, or leave
 * them out to use the tensor's current min-max range (PyTorch's `FakeQuantize` with a min-max
 * observer, recomputed on every call and treated as constants by the gradient).
 */
export interface FakeQuantizeOptions {
  /** Integer type simulated. */
  readonly dtype: IntegerDtype;
  /** Range rule when the parameters are computed from the tensor: `'affine'` (default) or `'symmetric'`. */
  readonly scheme?: 'affine' | 'symmetric';
  /** Per-channel axis (negative counts from the end); omitted: per tensor. */
  readonly axis?: number;
  /** Fixed scale (one number, or one per channel with `axis`). */
  readonly scale?: number | readonly number[];
  /** Fixed zero point (integer, or one per channel). Required with `scale`. */
  readonly zeroPoint?: number | readonly number[];
  /**
   * Read `x` and reject NaN or infinite values, as `quantizeArray` rejects them in arrays (a NaN
   * would otherwise turn the min-max scale, and every output, into NaN). Default true, except on
   * the webgpu backend, whose synchronous reads are unreliable: there the default is false.
   * `fakeQuantize` is synchronous (it runs inside the forward pass of a gradient tape), so the
   * read is a synchronous `dataSync`: free on cpu and wasm, a pipeline stall on webgl and webgpu.
   * In a training loop, pass false and check the weights once outside the tape if needed.
   */
  readonly checkValues?: boolean;
}

/** Round half to even with tensor ops (backend-independent: `round` kernels differ). */
function roundHalfEvenT(x: Tensor): Tensor {
  const f = floor(x);
  const d = sub(x, f);
  const half = scalar(0.5);
  return where(greater(d, half), add(f, 1), where(less(d, half), f, add(f, mod(f, 2))));
}

/** Shape that broadcasts a per-channel vector along `axis` of a rank-`rank` tensor. */
function channelShape(rank: number, axis: number, channels: number): number[] {
  return Array.from({ length: rank }, (_, i) => (i === axis ? channels : 1));
}

/**
 * Fake quantization for quantization-aware training, as `torch.fake_quantize_per_tensor_affine` /
 * `_per_channel_affine`: the forward pass returns `(clamp(roundHalfEven(x * float32(1/scale)) + zp,
 * qmin, qmax) - zp) * scale`; the backward pass is the straight-through estimator: the gradient
 * passes unchanged where `roundHalfEven(x / scale) + zp` lies in `[qmin, qmax]` and is zero where
 * the value was clamped. The scale and zero point receive no gradient. With min-max parameters
 * nothing is clamped except, under symmetric int8, the largest positive value: PyTorch's scale
 * `max|w| / 127.5` puts it on 127.5, which rounds to 128 and is clamped to 127, so its gradient is
 * 0 (exactly as in PyTorch).
 *
 * @param x - A float32 tensor (a kernel, or activations).
 * @param options - Simulated dtype, and fixed parameters or the min-max rule.
 * @returns A float32 tensor of `x`'s shape, which the caller owns.
 * @throws {@link InvalidArgumentError} for an unsupported dtype, a bad axis or parameters, an `x`
 *   that is disposed, not float32 or (with `checkValues`, the default) holds NaN or infinity;
 *   {@link MissingGradientsError} when no gradients are registered.
 * @example
 * ```ts
 * import '@tensorflow/tfjs-layers';
 * import * as tf from '@tensorflow/tfjs-core';
 * import { fakeQuantize } from 'responsible-tfjs/compression';
 * const logits = tf.matMul(x, fakeQuantize(kernel, { dtype: 'int8', scheme: 'symmetric', axis: -1 }));
 * ```
 */
export function fakeQuantize(x: Tensor, options: FakeQuantizeOptions): Tensor {
  const fn = 'fakeQuantize';
  assertBackend(fn);
  const opts = optionsObject(fn, 'options', options);
  const dtype = oneOf(fn, 'options.dtype', opts.dtype, Object.keys(INT_RANGES) as IntegerDtype[]);
  const scheme = oneOf(fn, 'options.scheme', opts.scheme ?? 'affine', ['affine', 'symmetric'] as const);
  const checkValues = booleanValue(fn, 'options.checkValues', opts.checkValues ?? synchronousReadsSupported());
  tensorArgument(fn, 'x', x, 'a float32 tensor');
  if (x.dtype !== 'float32') invalid(fn, 'x', x, 'a float32 tensor');
  assertGradientsAvailable(fn);
  // Synchronous read at the boundary only: fakeQuantize is synchronous by contract (it must run
  // inside tf.grad / optimizer.minimize); `checkValues: false` skips it in hot loops.
  if (checkValues) assertFiniteTensorSync(fn, 'x', x);
  const rank = x.rank;
  let axis: number | null = null;
  if (opts.axis !== undefined) {
    const a = opts.axis;
    if (typeof a !== 'number' || !Number.isInteger(a) || a < -rank || a >= rank) invalid(fn, 'options.axis', a, `an integer in [${-rank}, ${rank - 1}] for a tensor of rank ${rank}`);
    axis = a < 0 ? a + rank : a;
  }
  const { qmin, qmax } = INT_RANGES[dtype];
  const channels = axis === null ? 1 : (x.shape[axis] as number);
  const fixed = opts.scale !== undefined || opts.zeroPoint !== undefined ? checkFixed(fn, opts, axis, channels, qmin, qmax) : null;

  return tidy(() => {
    let scale: Tensor;
    let zp: Tensor;
    if (fixed !== null) {
      const shape = axis === null ? [] : channelShape(rank, axis, channels);
      scale = reshape(tensor1d(fixed.scale, 'float32'), shape);
      zp = reshape(tensor1d(fixed.zeroPoint, 'float32'), shape);
    } else {
      [scale, zp] = minMaxParams(x, axis, scheme, qmin, qmax);
    }
    const inv = div(1, scale);
    const op = customGrad((...args: (Tensor | GradSaveFunc)[]) => {
      const input = args[0] as Tensor;
      const save = args[1] as GradSaveFunc;
      const q = add(roundHalfEvenT(mul(input, inv)), zp);
      const inRange = cast(logicalAnd(greaterEqual(q, qmin), lessEqual(q, qmax)), 'float32');
      save([inRange]);
      const value = mul(sub(clipByValue(q, qmin, qmax), zp), scale);
      return { value, gradFunc: (dy: Tensor, saved: Tensor[]) => mul(dy, saved[0]!) };
    });
    return op(x);
  });
}

function checkFixed(fn: string, opts: FakeQuantizeOptions, axis: number | null, channels: number, qmin: number, qmax: number): {
  scale: number[]; zeroPoint: number[];
} {
  const n = axis === null ? 1 : channels;
  const list = (name: string, v: unknown): number[] => {
    const arr = axis === null ? [v] : v;
    if (!Array.isArray(arr) || arr.length !== n) invalid(fn, `options.${name}`, v, axis === null ? 'a number' : `an array of ${n} numbers (one per channel)`);
    return arr as number[];
  };
  const scale = list('scale', opts.scale);
  const zeroPoint = list('zeroPoint', opts.zeroPoint);
  scale.forEach((s) => { if (typeof s !== 'number' || !Number.isFinite(s) || s <= 0) invalid(fn, 'options.scale', s, 'a finite number > 0'); });
  zeroPoint.forEach((z) => { if (!Number.isInteger(z) || z < qmin || z > qmax) invalid(fn, 'options.zeroPoint', z, `an integer in [${qmin}, ${qmax}]`); });
  return { scale: scale.map(Math.fround), zeroPoint };
}

/** Min-max observer parameters as tensors (float32, as PyTorch computes them). */
function minMaxParams(x: Tensor, axis: number | null, scheme: 'affine' | 'symmetric', qmin: number, qmax: number): [Tensor, Tensor] {
  const reduceAxes = axis === null ? undefined : Array.from({ length: x.rank }, (_, i) => i).filter((i) => i !== axis);
  const keep = axis !== null;
  const minNeg = minimum(min(x, reduceAxes, keep), 0);
  const maxPos = maximum(max(x, reduceAxes, keep), 0);
  if (scheme === 'symmetric') {
    const scale = maximum(div(maximum(neg(minNeg), maxPos), (qmax - qmin) / 2), FLOAT32_EPS);
    const zp = scalar(qmin < 0 ? 0 : (qmin + qmax + 1) / 2);
    return [scale, zp];
  }
  const scale = maximum(div(sub(maxPos, minNeg), qmax - qmin), FLOAT32_EPS);
  const zp = clipByValue(sub(qmin, roundHalfEvenT(div(minNeg, scale))), qmin, qmax);
  return [scale, zp];
}

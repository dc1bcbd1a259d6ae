/**
 * Reading and writing the value kinds of {@link NumericValue} (internal). Tensors are read
 * synchronously: the noise is drawn in JavaScript doubles by exact samplers, never by tfjs.
 */
import { synchronousReadsSupported } from '../../core/backend.js';
import { assertFiniteValues, tensorArgument } from '../../core/tensorArgument.js';
import { add, cast, tensor, tidy } from '../../core/tf.js';
import { invalid } from '../../core/validate.js';
import type { NoisyValue, NumericValue } from './release.js';

const KINDS = 'a finite number, an array of finite numbers, a Float32Array/Float64Array or a float32/int32 tf.Tensor';

/** The input values as doubles, validated, and how to give an output the input's kind. */
export interface ReadValues<T> {
  readonly values: Float64Array;
  /** The output kind for noisy values (a float32 tensor owned by the caller for a tensor input). */
  write(out: Float64Array): NoisyValue<T>;
  /** Unsafe path only: adds noise to the input as before (float32 `add` for tensors). */
  addNoise(noise: Float64Array): NoisyValue<T>;
}

function isTensorLike(v: unknown): boolean {
  return typeof v === 'object' && v !== null && 'shape' in v && 'dtype' in v && 'dataId' in v;
}

/**
 * Reads `value` (a number, array, typed array or live float32/int32 tensor), rejecting NaN and
 * infinities with an error naming the element. Reading a tensor uses `dataSync`, which stalls
 * GPU backends: the mechanisms are synchronous by contract. On webgpu a tensor is refused: there
 * a synchronous read can return zeros (tfjs 4.22), and the release would be noise around them.
 */
export function readValues<T extends NumericValue>(fn: string, value: T): ReadValues<T> {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) invalid(fn, 'value', value, KINDS);
    return {
      values: Float64Array.of(value),
      write: (out) => out[0] as NoisyValue<T>,
      addNoise: (noise) => (value + (noise[0] as number)) as NoisyValue<T>,
    };
  }
  if (isTensorLike(value)) {
    const t = tensorArgument(fn, 'value', value, 'a float32 or int32 tf.Tensor');
    if (t.dtype !== 'float32' && t.dtype !== 'int32') invalid(fn, 'value', t, 'a float32 or int32 tf.Tensor');
    if (!synchronousReadsSupported()) {
      invalid(fn, 'value', t, 'on the webgpu backend, the values read first (`await value.data()`): its synchronous reads can return zeros');
    }
    const data = t.dataSync() as Float32Array | Int32Array;
    assertFiniteValues(fn, 'value', t, data);
    return {
      values: Float64Array.from(data),
      write: (out) => tensor(Float32Array.from(out), t.shape, 'float32') as NoisyValue<T>,
      addNoise: (noise) =>
        tidy(() => add(t.dtype === 'float32' ? t : cast(t, 'float32'), tensor(Float32Array.from(noise), t.shape, 'float32'))) as NoisyValue<T>,
    };
  }
  if (Array.isArray(value) || value instanceof Float32Array || value instanceof Float64Array) {
    const arr = value as ArrayLike<number>;
    for (let i = 0; i < arr.length; i++) {
      if (typeof arr[i] !== 'number' || !Number.isFinite(arr[i])) invalid(fn, `value[${i}]`, arr[i], 'a finite number');
    }
    const wrap = (out: Float64Array): NoisyValue<T> => (Array.isArray(value) ? Array.from(out) : out) as NoisyValue<T>;
    return {
      values: Float64Array.from(arr),
      write: wrap,
      addNoise: (noise) => wrap(noise.map((v, i) => v + (arr[i] as number))),
    };
  }
  return invalid(fn, 'value', value, KINDS);
}


/**
 * Shared shape of a noisy release and the value kinds mechanisms accept.
 */
import { add, cast, tensor, tidy, type Tensor } from '../../core/tf.js';
import { invalid } from '../../core/validate.js';
import type { DpEvent } from '../accounting/dpEvent.js';

/**
 * What a continuous mechanism accepts: a number, an array of numbers, a typed array or a tfjs
 * tensor. The output has the same kind (typed arrays come back as `Float64Array`).
 *
 * @example
 * ```ts
 * import type { NumericValue } from 'responsible-tfjs/privacy';
 * const v: NumericValue = [1, 2, 3];
 * ```
 */
export type NumericValue = number | readonly number[] | Float32Array | Float64Array | Tensor;

/**
 * The output kind for an input kind of {@link NumericValue}.
 *
 * @example
 * ```ts
 * import type { NoisyValue } from 'responsible-tfjs/privacy';
 * const n: NoisyValue<number[]> = [1.2, 2.9];
 * ```
 */
export type NoisyValue<T> = T extends number ? number : T extends Tensor ? Tensor : T extends Float32Array | Float64Array ? Float64Array : number[];

/**
 * A noisy release and how it was made.
 *
 * @example
 * ```ts
 * import { laplaceMechanism } from 'responsible-tfjs/privacy';
 * const r = laplaceMechanism(42, { sensitivity: 1, epsilon: 0.5 });
 * console.log(r.value, r.scale, r.secure); // 44.1... 2 true
 * ```
 */
export interface NoisyRelease<T> {
  /** The noisy value (a tensor here is owned by the caller: dispose it). */
  readonly value: T;
  /** Which mechanism produced it. */
  readonly mechanism: 'laplace' | 'gaussian' | 'discreteLaplace' | 'discreteGaussian';
  /** Noise scale in query units: Laplace b, or Gaussian standard deviation σ. */
  readonly scale: number;
  /** Epsilon of the release; NaN for the discrete Gaussian, whose guarantee is accounted from `event` at a delta of your choice. */
  readonly epsilon: number;
  /** Delta of the release (0 for pure-DP mechanisms). */
  readonly delta: number;
  /** Whether the noise came from a cryptographically secure source; `false` means testing only. */
  readonly secure: boolean;
  /** Label of the random source used. */
  readonly rngLabel: string;
  /** The release as a {@link DpEvent}, ready for an accountant, when one applies exactly. */
  readonly event?: DpEvent;
}

function isTensor(v: unknown): v is Tensor {
  return typeof v === 'object' && v !== null && 'shape' in v && 'dtype' in v && 'dataId' in v;
}

/** Adds noise drawn by `fill` to a value of any accepted kind (internal). */
export function addNoise<T extends NumericValue>(fn: string, value: T, fill: (out: Float64Array) => void): NoisyValue<T> {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) invalid(fn, 'value', value, 'a finite number, an array of finite numbers or a tensor');
    const n = new Float64Array(1);
    fill(n);
    return (value + (n[0] as number)) as NoisyValue<T>;
  }
  if (isTensor(value)) {
    if (value.dtype !== 'float32' && value.dtype !== 'int32') invalid(fn, 'value', value, 'a float32 or int32 tensor');
    const noise = new Float64Array(value.size);
    fill(noise);
    return tidy(() => add(value.dtype === 'float32' ? value : cast(value, 'float32'), tensor(Float32Array.from(noise), value.shape, 'float32'))) as NoisyValue<T>;
  }
  if (Array.isArray(value) || value instanceof Float32Array || value instanceof Float64Array) {
    const arr = value as ArrayLike<number>;
    for (let i = 0; i < arr.length; i++) {
      if (!Number.isFinite(arr[i])) invalid(fn, `value[${i}]`, arr[i], 'a finite number');
    }
    const noise = new Float64Array(arr.length);
    fill(noise);
    for (let i = 0; i < arr.length; i++) noise[i] = (noise[i] as number) + (arr[i] as number);
    return (Array.isArray(value) ? Array.from(noise) : noise) as NoisyValue<T>;
  }
  return invalid(fn, 'value', value, 'a number, an array of numbers, a Float32Array/Float64Array or a tfjs tensor');
}

/**
 * Shared shape of a noisy release and the value kinds mechanisms accept.
 */
import type { Tensor } from '../../core/tf.js';
import type { DpEvent } from '../accounting/dpEvent.js';

/**
 * What a continuous mechanism accepts: a number, an array of numbers, a typed array or a tfjs
 * tensor. The output has the same kind (typed arrays come back as `Float64Array`).
 */
export type NumericValue = number | readonly number[] | Float32Array | Float64Array | Tensor;

/**
 * The output kind for an input kind of {@link NumericValue}.
 */
export type NoisyValue<T> = T extends number ? number : T extends Tensor ? Tensor : T extends Float32Array | Float64Array ? Float64Array : number[];

/**
 * What the ideal real-valued mechanism would guarantee. Only releases made with
 * `unsafeFloatingPoint: true` carry it: their floating-point noise does not deliver it.
 *
 * @example
 * ```ts
 * import { seededRng } from 'responsible-tfjs';
 * import { laplaceMechanism } from 'responsible-tfjs/privacy';
 * const r = laplaceMechanism(3, { sensitivity: 1, epsilon: 1, unsafeFloatingPoint: true, rng: seededRng(1) });
 * console.log(r.epsilon, r.nominal?.epsilon); // Infinity 1
 * ```
 */
export interface NominalGuarantee {
  /** Epsilon of the ideal mechanism. */
  readonly epsilon: number;
  /** Delta of the ideal mechanism. */
  readonly delta: number;
  /** The ideal mechanism as a {@link DpEvent}. */
  readonly event: DpEvent;
}

/**
 * A noisy release and how it was made, with the guarantee it actually has.
 *
 * @example
 * ```ts
 * import { laplaceMechanism } from 'responsible-tfjs/privacy';
 * const r = laplaceMechanism(42, { sensitivity: 1, epsilon: 0.5 });
 * console.log(r.value, r.epsilon, r.delta, r.granularity, r.floatingPointSafe, r.secure);
 * // 44.1... 0.5 0 1.8189894035458565e-12 true true
 * ```
 */
export interface NoisyRelease<T> {
  /** The noisy value (a tensor here is owned by the caller: dispose it). */
  readonly value: T;
  /** Which mechanism produced it. */
  readonly mechanism: 'laplace' | 'gaussian' | 'discreteLaplace' | 'discreteGaussian';
  /** Noise scale in query units: Laplace b, or Gaussian standard deviation σ. */
  readonly scale: number;
  /**
   * Epsilon the release satisfies; NaN for the discrete Gaussian (accounted from `event` at a
   * delta of your choice) and `Infinity` for `unsafeFloatingPoint` releases (no guarantee).
   */
  readonly epsilon: number;
  /** Delta the release satisfies (0 for pure-DP mechanisms; 1, i.e. none, for unsafe releases). */
  readonly delta: number;
  /** Whether the noise came from a cryptographically secure source; `false` means testing only. */
  readonly secure: boolean;
  /** Label of the random source used. */
  readonly rngLabel: string;
  /**
   * Whether the release is immune to floating-point attacks (Mironov 2012): exact samplers, an
   * output on a fixed grid. `false` only with `unsafeFloatingPoint: true`.
   */
  readonly floatingPointSafe: boolean;
  /**
   * Spacing of the output grid in query units: outputs are multiples of it (before the final
   * rounding to a double, or to float32 for tensors). 1 for the integer mechanisms; absent for
   * unsafe releases.
   */
  readonly granularity?: number;
  /** The release as a {@link DpEvent}, ready for an accountant, when one applies; absent for unsafe releases. */
  readonly event?: DpEvent;
  /** For `unsafeFloatingPoint` releases only: the guarantee of the ideal mechanism, not delivered. */
  readonly nominal?: NominalGuarantee;
}

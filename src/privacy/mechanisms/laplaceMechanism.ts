/**
 * The Laplace mechanism on numbers, arrays and tensors.
 */
import { resolveRng, secureRng, type Rng } from '../../core/rng.js';
import { optionsObject, positiveNumber } from '../../core/validate.js';
import { addNoise, type NoisyRelease, type NoisyValue, type NumericValue } from './release.js';
import { fillLaplace } from './samplers/continuous.js';

/**
 * Options of {@link laplaceMechanism}.
 *
 * @example
 * ```ts
 * import { seededRng, type LaplaceMechanismOptions } from 'responsible-tfjs/privacy';
 * const o: LaplaceMechanismOptions = { sensitivity: 1, epsilon: 0.5 };
 * ```
 */
export interface LaplaceMechanismOptions {
  /** L1 sensitivity of the query, > 0. */
  readonly sensitivity: number;
  /** Epsilon of the release, > 0. */
  readonly epsilon: number;
  /** Random source; a secure one (`secureRng()`) by default. A seeded rng marks the result as insecure. */
  readonly rng?: Rng;
}

/**
 * Releases `value + Laplace(0, b)` noise with `b = sensitivity / epsilon`: epsilon-DP for a query
 * of that L1 sensitivity (Dwork et al. 2006). Noise is drawn in double precision from 53-bit
 * uniforms of a secure source by default; floating-point Laplace noise is open to the attack of
 * Mironov (2012) that exploits the gaps in floating-point outputs, so for integer-valued queries
 * prefer {@link discreteLaplaceMechanism}.
 *
 * @param value - A number, array, typed array or tensor (tensors get float32 noise added).
 * @returns The release; a tensor `value` is a new tensor owned by the caller.
 * @example
 * ```ts
 * import { laplaceMechanism, seededRng } from 'responsible-tfjs/privacy';
 * const r = laplaceMechanism([10, 20], { sensitivity: 1, epsilon: 1, rng: seededRng(1) });
 * console.log(r.value, r.scale, r.secure); // [...] 1 false (seeded: for testing only)
 * ```
 */
export function laplaceMechanism<T extends NumericValue>(value: T, options: LaplaceMechanismOptions): NoisyRelease<NoisyValue<T>> {
  const fn = 'laplaceMechanism';
  const o = optionsObject(fn, 'options', options);
  positiveNumber(fn, 'sensitivity', o.sensitivity);
  positiveNumber(fn, 'epsilon', o.epsilon);
  const rng = resolveRng(fn, o.rng, secureRng);
  const scale = o.sensitivity / o.epsilon;
  const noisy = addNoise(fn, value, (out) => fillLaplace(rng, scale, out));
  return {
    value: noisy,
    mechanism: 'laplace',
    scale,
    epsilon: o.epsilon,
    delta: 0,
    secure: rng.secure,
    rngLabel: rng.label,
    event: { kind: 'laplace', noiseMultiplier: 1 / o.epsilon },
  };
}

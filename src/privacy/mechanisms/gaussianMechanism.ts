/**
 * The Gaussian mechanism on numbers, arrays and tensors.
 */
import { resolveRng, secureRng, type Rng } from '../../core/rng.js';
import { optionsObject, positiveNumber } from '../../core/validate.js';
import { gaussianSigma, type GaussianCalibration } from './gaussianSigma.js';
import { addNoise, type NoisyRelease, type NoisyValue, type NumericValue } from './release.js';
import { fillGaussian } from './samplers/continuous.js';

/**
 * Options of {@link gaussianMechanism}.
 *
 * @example
 * ```ts
 * import type { GaussianMechanismOptions } from 'responsible-tfjs/privacy';
 * const o: GaussianMechanismOptions = { sensitivity: 1, epsilon: 1, delta: 1e-5 };
 * ```
 */
export interface GaussianMechanismOptions {
  /** L2 sensitivity of the query, > 0. */
  readonly sensitivity: number;
  /** Epsilon of the release, > 0 (< 1 for `'classic'`). */
  readonly epsilon: number;
  /** Delta of the release, in (0, 1). */
  readonly delta: number;
  /** Calibration of σ (default `'analytic'`, exact); see {@link gaussianSigma}. */
  readonly method?: GaussianCalibration;
  /** Random source; secure by default. A seeded rng marks the result as insecure. */
  readonly rng?: Rng;
}

/**
 * Releases `value + N(0, σ²)` noise with σ from {@link gaussianSigma}: (epsilon, delta)-DP for a
 * query of that L2 sensitivity. Noise is drawn in double precision (Box–Muller over 53-bit
 * uniforms) from a secure source by default; for integer-valued queries the exact
 * {@link discreteGaussianMechanism} avoids floating-point attacks.
 *
 * @param value - A number, array, typed array or tensor (tensors get float32 noise added).
 * @returns The release; a tensor `value` is a new tensor owned by the caller.
 * @example
 * ```ts
 * import { gaussianMechanism } from 'responsible-tfjs/privacy';
 * const r = gaussianMechanism(100, { sensitivity: 1, epsilon: 1, delta: 1e-5 });
 * console.log(r.scale); // 3.73... (analytic σ)
 * ```
 */
export function gaussianMechanism<T extends NumericValue>(value: T, options: GaussianMechanismOptions): NoisyRelease<NoisyValue<T>> {
  const fn = 'gaussianMechanism';
  const o = optionsObject(fn, 'options', options);
  positiveNumber(fn, 'sensitivity', o.sensitivity);
  const sigma = gaussianSigma({ epsilon: o.epsilon, delta: o.delta, sensitivity: o.sensitivity, method: o.method ?? 'analytic' });
  const rng = resolveRng(fn, o.rng, secureRng);
  const noisy = addNoise(fn, value, (out) => fillGaussian(rng, sigma, out));
  return {
    value: noisy,
    mechanism: 'gaussian',
    scale: sigma,
    epsilon: o.epsilon,
    delta: o.delta,
    secure: rng.secure,
    rngLabel: rng.label,
    event: { kind: 'gaussian', noiseMultiplier: sigma / o.sensitivity },
  };
}

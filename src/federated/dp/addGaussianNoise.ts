/**
 * Gaussian noise on an aggregate (the Gaussian mechanism of DP-FedAvg, McMahan et al. 2018).
 */
import { finiteArray, nonNegativeNumber, optionsObject } from '../../core/validate.js';
import { resolveRng, secureRng, type Rng } from '../../core/rng.js';
import { fillGaussian } from '../../privacy/dpsgd/noise.js';
import { checkFloat32Array } from './checkFloat32Array.js';

/** Options of {@link addGaussianNoise}. */
export interface AddGaussianNoiseOptions {
  /** Standard deviation of the noise per coordinate, a finite number >= 0 (0 returns a copy). */
  readonly std: number;
  /**
   * Source of randomness; default {@link secureRng} (`crypto.getRandomValues`). A seeded generator
   * gives reproducible noise, for tests only: it provides no privacy.
   */
  readonly rng?: Rng;
}

/**
 * Returns `values + N(0, std²·I)` as a new float32 array (each sum formed in float64, rounded
 * once). For central DP-FedAvg the server noises the sum of clipped updates with
 * `std = noiseMultiplier · clipNorm`; for distributed noise each client noises its own clipped
 * update with {@link distributedNoiseStd}. Samples are Box–Muller over 53-bit uniforms from `rng` (the sampler of DP-SGD's noise).
 *
 * @param values - The vector to noise; every entry must be finite.
 * @param options - `std` and the optional `rng`.
 * @returns A new Float32Array.
 * @throws InvalidArgumentError for a non-finite entry (`values[i]`), a negative or non-finite
 *   `options.std`, or an `options.rng` that is not an Rng.
 * @example
 * ```ts
 * import { addGaussianNoise, clipUpdate } from 'responsible-tfjs/federated';
 * const { update } = clipUpdate(delta, { clipNorm: 0.5 });
 * const noised = addGaussianNoise(update, { std: 1.1 * 0.5 }); // secure noise by default
 * ```
 */
export function addGaussianNoise(values: Float32Array, options: AddGaussianNoiseOptions): Float32Array {
  const fn = 'addGaussianNoise';
  const o = optionsObject(fn, 'options', options);
  const std = nonNegativeNumber(fn, 'options.std', o.std);
  const rng = resolveRng(fn, o.rng, secureRng);
  checkFloat32Array(fn, 'values', values);
  finiteArray(fn, 'values', values);
  if (std === 0) return Float32Array.from(values);
  // The privacy module's Box–Muller sampler, so DP-SGD and DP-FedAvg draw noise the same way.
  const out = fillGaussian(rng, std, new Float32Array(values.length));
  for (let i = 0; i < values.length; i++) out[i] = (values[i] as number) + (out[i] as number);
  return out;
}

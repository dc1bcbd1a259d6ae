/**
 * The Gaussian mechanism on numbers, arrays and tensors, safe against floating-point attacks.
 */
import { resolveRng, secureRng, type Rng } from '../../core/rng.js';
import { booleanValue, optionsObject, positiveNumber } from '../../core/validate.js';
import { gaussianSigma, type GaussianCalibration } from './gaussianSigma.js';
import type { NoisyRelease, NoisyValue, NumericValue } from './release.js';
import { fillGaussian } from './samplers/continuous.js';
import { quotientAtMost } from './samplers/grid.js';
import { GAUSSIAN_GRID_SLACK, gridGaussian } from './samplers/gridGaussian.js';
import { readValues } from './values.js';

/**
 * Options of {@link gaussianMechanism}.
 */
export interface GaussianMechanismOptions {
  /** L2 sensitivity of the query (of the whole value, all coordinates together), > 0. */
  readonly sensitivity: number;
  /** Epsilon of the release, > 0 (< 1 for `'classic'`). */
  readonly epsilon: number;
  /** Delta of the release, in (0, 1). */
  readonly delta: number;
  /** Calibration of σ (default `'analytic'`, exact); see {@link gaussianSigma}. */
  readonly method?: GaussianCalibration;
  /** Random source; secure by default. A seeded rng marks the result as insecure. */
  readonly rng?: Rng;
  /**
   * `true` restores the old floating-point sampler (Box–Muller over 53-bit uniforms, added in
   * floating point), open to the attack of Mironov (2012): the release carries **no** guarantee
   * (`epsilon: Infinity`, `delta: 1`, no `event`, `floatingPointSafe: false`; the ideal values are
   * in `nominal`). Default `false`.
   */
  readonly unsafeFloatingPoint?: boolean;
}

/**
 * Releases `value` plus Gaussian noise with σ from {@link gaussianSigma}, on a grid and with no
 * floating-point leak: (ε, δ)-DP for a query of that L2 sensitivity.
 *
 * Each coordinate x becomes K · 2^k with K drawn exactly from the discrete Gaussian
 * N_Z(x / 2^k, s²) (Canonne, Kamath and Steinke 2020; exact sampler centred at the exact input),
 * granularity 2^k with k = ⌈log2 σ⌉ − 40, and s² = (σ / 2^k)² + 16. That law is, to within a
 * factor e^{±ξ} per coordinate (ξ < 2.8e-137), the ideal `x + N(0, σ²)` followed by a fixed
 * randomized rounding to the grid (a post-processing), so for n coordinates the release is
 * (ε + 2nξ, e^{nξ} δ)-DP: the reported `epsilon` and `delta`, which equal the requested ones in
 * double precision. `event` is the continuous Gaussian event with noise multiplier σ / sensitivity
 * (never rounded up); any accountant's figure for it holds up to the same slack per release.
 * Float32 tensor outputs are the double output rounded to float32 (post-processing). For
 * integer-valued queries {@link discreteGaussianMechanism} gives integer outputs.
 *
 * @param value - A number, array, typed array or live float32/int32 tensor; NaN and infinities
 * are rejected. Tensors are read synchronously (`dataSync`) and the noise is drawn in JavaScript; on
 * webgpu, whose synchronous reads can return zeros, pass `await value.data()` instead of the tensor.
 * @returns The release; a tensor `value` is a new float32 tensor owned by the caller.
 * @example
 * ```ts
 * import { gaussianMechanism } from 'responsible-tfjs/privacy';
 * const r = gaussianMechanism(100, { sensitivity: 1, epsilon: 1, delta: 1e-5 });
 * console.log(r.scale, r.granularity, r.floatingPointSafe); // 3.73... (analytic σ) 3.637978807091713e-12 true
 * ```
 */
export function gaussianMechanism<T extends NumericValue>(value: T, options: GaussianMechanismOptions): NoisyRelease<NoisyValue<T>> {
  const fn = 'gaussianMechanism';
  const o = optionsObject(fn, 'options', options);
  positiveNumber(fn, 'options.sensitivity', o.sensitivity);
  const sigma = gaussianSigma({ epsilon: o.epsilon, delta: o.delta, sensitivity: o.sensitivity, method: o.method ?? 'analytic' });
  const unsafe = o.unsafeFloatingPoint === undefined ? false : booleanValue(fn, 'options.unsafeFloatingPoint', o.unsafeFloatingPoint);
  const rng = resolveRng(fn, o.rng, secureRng);
  const input = readValues(fn, value);
  const event = { kind: 'gaussian', noiseMultiplier: quotientAtMost(sigma, o.sensitivity) } as const;
  const common = { mechanism: 'gaussian', scale: sigma, secure: rng.secure, rngLabel: rng.label } as const;
  if (unsafe) {
    const noisy = input.addNoise(fillGaussian(rng, sigma, new Float64Array(input.values.length)));
    return { ...common, value: noisy, epsilon: Infinity, delta: 1, floatingPointSafe: false, nominal: { epsilon: o.epsilon, delta: o.delta, event } };
  }
  const grid = gridGaussian(fn, rng, input.values, sigma);
  const slack = input.values.length * GAUSSIAN_GRID_SLACK;
  return {
    ...common,
    value: input.write(grid.values),
    epsilon: o.epsilon + 2 * slack,
    delta: o.delta * Math.exp(slack),
    floatingPointSafe: true,
    granularity: 2 ** grid.exponent,
    event,
  };
}

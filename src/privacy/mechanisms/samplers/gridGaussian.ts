/**
 * Floating-point-safe Gaussian noise (internal): exact discrete Gaussian noise on the grid 2^k,
 * centred at the exact input (Canonne, Kamath and Steinke 2020), with a parameter that makes it
 * a randomized rounding of the continuous Gaussian of standard deviation σ.
 */
import type { Rng } from '../../../core/rng.js';
import { discreteGaussianParams, sampleDiscreteGaussianCentered } from './centeredDiscreteGaussian.js';
import { gridValue, scaledFraction, toDyadic } from './dyadic.js';
import { gridExponent } from './grid.js';
import type { GridNoise } from './gridLaplace.js';

/** Width r (in grid steps) of the discrete Gaussian rounding that relates the two laws. */
export const SMOOTHING_WIDTH = 4;

/**
 * ξ = ln((1 + θ)/(1 − θ)) with θ = 2 Σ_{m>=1} exp(−2π² r² m²), r = 4: the per-coordinate
 * multiplicative distance between the released law and a post-processing of the continuous
 * Gaussian mechanism (see {@link gridGaussian}). About 2.7e-137.
 */
export const GAUSSIAN_GRID_SLACK = 4.000001 * /* @__PURE__ */ Math.exp(-2 * Math.PI * Math.PI * SMOOTHING_WIDTH * SMOOTHING_WIDTH);

/**
 * Adds Gaussian-like noise to each value x: K·2^k with K ~ N_Z(x/2^k, s²) exactly, where
 * k = ⌈log2 σ⌉ − 40 and s² = (σ/2^k)² + r² (r = {@link SMOOTHING_WIDTH}).
 *
 * Why this has the continuous Gaussian's guarantee: let B first add N(0, σ²) to x (the ideal
 * mechanism), divide by 2^k and then draw an integer from N_Z(·, r²) around the result (a fixed
 * randomized rounding, i.e. post-processing). By Poisson summation the normaliser of N_Z(y, r²)
 * is r√(2π)(1 ± θ) for every real y, so B's output law is the sampled density of N(x/2^k, s²)
 * times a factor in [1/(1 + θ), 1/(1 − θ)]; the discrete Gaussian N_Z(x/2^k, s²) is the same
 * sampled density times a factor in the same range. Their ratio is within e^{±ξ} pointwise, so a
 * release of n coordinates is within e^{±nξ} of a post-processing of the ideal mechanism.
 */
export function gridGaussian(fn: string, rng: Rng, values: ArrayLike<number>, sigma: number): GridNoise {
  const k = gridExponent(fn, 'sigma', sigma, 'σ is calibrated from sensitivity, epsilon and delta');
  const sc = scaledFraction(toDyadic(sigma), -k); // σ / 2^k exactly
  const r2 = BigInt(SMOOTHING_WIDTH * SMOOTHING_WIDTH);
  const params = discreteGaussianParams(sc.num * sc.num + r2 * sc.den * sc.den, sc.den * sc.den);
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const center = scaledFraction(toDyadic(values[i] as number), -k);
    out[i] = gridValue(sampleDiscreteGaussianCentered(rng, center, params), k);
  }
  return { values: out, exponent: k };
}

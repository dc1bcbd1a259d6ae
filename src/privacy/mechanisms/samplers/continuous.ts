/**
 * Floating-point Laplace and Gaussian samplers (internal) over 53-bit uniforms. They inherit the
 * floating-point caveat of Mironov (2012): for integer-valued queries prefer the exact discrete
 * samplers.
 */
import type { Rng } from '../../../core/rng.js';

/** Laplace(0, b) as b (E1 − E2) with E1, E2 standard exponentials. */
export function sampleLaplace(rng: Rng, b: number): number {
  const e1 = -Math.log(1 - rng.next());
  const e2 = -Math.log(1 - rng.next());
  return b * (e1 - e2);
}

/** Fills `out` with N(0, σ²) samples (Box–Muller, both outputs used). */
export function fillGaussian(rng: Rng, sigma: number, out: Float64Array): Float64Array {
  for (let i = 0; i < out.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rng.next()));
    const theta = 2 * Math.PI * rng.next();
    out[i] = sigma * r * Math.cos(theta);
    if (i + 1 < out.length) out[i + 1] = sigma * r * Math.sin(theta);
  }
  return out;
}

/** Fills `out` with Laplace(0, b) samples. */
export function fillLaplace(rng: Rng, b: number, out: Float64Array): Float64Array {
  for (let i = 0; i < out.length; i++) out[i] = sampleLaplace(rng, b);
  return out;
}

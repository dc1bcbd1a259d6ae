/**
 * Gaussian noise tensors drawn on the JavaScript side from an {@link Rng} (internal), so that the
 * default privacy noise comes from `crypto.getRandomValues` rather than tfjs's seeded generator.
 * Box–Muller over 53-bit uniforms, `1 - u` so the logarithm never sees 0.
 */
import type { Rng } from '../../core/rng.js';
import { tensor, type Tensor } from '../../core/tf.js';

/** Fills `out` with N(0, std^2) samples drawn from `rng`. */
export function fillGaussian(rng: Rng, std: number, out: Float32Array): Float32Array {
  for (let i = 0; i < out.length; i += 2) {
    const r = std * Math.sqrt(-2 * Math.log(1 - rng.next()));
    const theta = 2 * Math.PI * rng.next();
    out[i] = r * Math.cos(theta);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(theta);
  }
  return out;
}

/**
 * A tensor of N(0, std^2) noise of the given shape.
 * @returns A new tensor the caller owns.
 */
export function gaussianNoise(shape: readonly number[], std: number, rng: Rng): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tensor(fillGaussian(rng, std, new Float32Array(size)), [...shape]);
}

/**
 * The L2 norm of a model update, the quantity DP-FedAvg clips (McMahan et al. 2018).
 */
import { finiteArray } from '../../core/validate.js';
import { checkFloat32Array } from './checkFloat32Array.js';

/**
 * The L2 norm of a flat update, accumulated in float64.
 *
 * Float32 input cannot overflow or underflow a float64 sum of squares: the square of any float32
 * lies between about 2e-90 (smallest subnormal) and 1.2e77, and 2^53 of them sum far below
 * float64's 1.8e308. So no rescaling pass is needed: entries of 3e38 give a finite, accurate norm
 * (6e38 for four of them, beyond the float32 range), and tiny entries do not flush to 0, both of
 * which a float32 accumulation would get wrong.
 *
 * @param delta - The update (local minus global weights); every entry must be finite.
 * @returns The Euclidean norm as a double (may exceed the float32 range).
 * @throws InvalidArgumentError naming `delta[i]` for the first non-finite entry.
 * @example
 * ```ts
 * import { updateNorm } from 'responsible-tfjs/federated';
 * updateNorm(new Float32Array([3, 4]));       // 5
 * updateNorm(new Float32Array([3e38, 3e38])); // ≈ 4.24e38, finite
 * ```
 */
export function updateNorm(delta: Float32Array): number {
  return updateNormAs('updateNorm', 'delta', delta);
}

/** {@link updateNorm} reporting errors under the caller's function and argument names (internal). */
export function updateNormAs(fn: string, argument: string, delta: Float32Array): number {
  checkFloat32Array(fn, argument, delta);
  finiteArray(fn, argument, delta);
  return sumOfSquaresNorm(delta);
}

/** The norm of already validated values (internal). */
export function sumOfSquaresNorm(values: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i] as number;
    sum += x * x;
  }
  return Math.sqrt(sum);
}

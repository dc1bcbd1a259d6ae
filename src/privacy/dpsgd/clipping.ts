/** Clipping coefficients from squared per-example norms (internal). */
import { add, addN, div, minimum, scalar, sqrt, type Tensor1D } from '../../core/tf.js';

/**
 * How per-example gradients are clipped: `'flat'` clips the norm of the whole gradient to
 * `maxGradNorm`; `'perLayer'` clips each layer's part to `maxGradNorm / sqrt(numLayers)`, so the
 * whole gradient's norm stays within `maxGradNorm` and the same noise applies.
 *
 * @example
 * ```ts
 * import type { ClippingMode } from 'responsible-tfjs/privacy';
 * const mode: ClippingMode = 'perLayer';
 * ```
 */
export type ClippingMode = 'flat' | 'perLayer';

/** Added to norms before dividing (as Opacus does), so a zero gradient gets coefficient 1. */
export const NORM_EPSILON = 1e-6;

/** `min(1, bound / (norm + 1e-6))` from squared norms `[batch]`. */
export function clipCoefficients(squaredNorms: Tensor1D, bound: number): Tensor1D {
  return minimum(scalar(1), div(scalar(bound), add(sqrt(squaredNorms), NORM_EPSILON))) as Tensor1D;
}

/** One coefficient vector per group, for the given mode. Call inside a tidy. */
export function groupCoefficients(squaredNorms: readonly Tensor1D[], maxGradNorm: number, mode: ClippingMode): Tensor1D[] {
  if (mode === 'flat') {
    const total = squaredNorms.length === 1 ? squaredNorms[0]! : (addN([...squaredNorms]) as Tensor1D);
    const c = clipCoefficients(total, maxGradNorm);
    return squaredNorms.map(() => c);
  }
  const bound = maxGradNorm / Math.sqrt(squaredNorms.length);
  return squaredNorms.map((n) => clipCoefficients(n, bound));
}

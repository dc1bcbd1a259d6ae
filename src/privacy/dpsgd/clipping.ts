/**
 * The one clipping rule of every DP-SGD path (internal): coefficients computed in JavaScript
 * doubles from the per-example squared norms read off the device, so that no backend's NaN or
 * overflow semantics can change them (wasm's `minimum(1, NaN)` is 1, cpu's is NaN).
 */

/**
 * How per-example gradients are clipped: `'flat'` clips the norm of the whole gradient to
 * `maxGradNorm`; `'perLayer'` clips each layer's part to `maxGradNorm / sqrt(numLayers)`, so the
 * whole gradient's norm stays within `maxGradNorm` and the same noise applies.
 *
 * @example
 * ```ts
 * import { fitPrivately, type ClippingMode } from 'responsible-tfjs/privacy';
 * const clipping: ClippingMode = 'perLayer';
 * await fitPrivately(model, x, y, { ...options, clipping });
 * ```
 */
export type ClippingMode = 'flat' | 'perLayer';

/** Added to norms before dividing (as Opacus does), so a zero gradient gets coefficient 1. */
export const NORM_EPSILON = 1e-6;

/** Unit roundoff of float32 (the precision the squared norms are computed in). */
const FLOAT32_UNIT_ROUNDOFF = 2 ** -24;

/**
 * Relative margin applied to the squared norms before clipping. A float32 sum of n non-negative
 * terms underestimates the exact sum by at most a relative (n - 1) u (Higham, "Accuracy and
 * Stability of Numerical Algorithms", 2002, eq. 4.4), whatever the summation order; inflating the
 * squared norm by (n + 8) u covers that and the few roundings of the scaling itself, so a clipped
 * contribution never exceeds `maxGradNorm` because of rounding.
 */
export function normMargin(weightCount: number): number {
  return (weightCount + 8) * FLOAT32_UNIT_ROUNDOFF;
}

/** Result of {@link clippingRule}. */
export interface ClippingDecision {
  /** One coefficient per example for each group (all groups share one array in `'flat'` mode). */
  readonly coefficients: Float32Array[];
  /** 1 for examples that contribute, 0 for examples zeroed (non-finite or overflowing norm). */
  readonly kept: Uint8Array;
  /** Examples scaled down (coefficient < 1), zeroed ones excluded. */
  readonly clippedCount: number;
  /** Examples whose norm was NaN, infinite or overflowing: their contribution is exactly zero. */
  readonly zeroedCount: number;
}

/**
 * The clipping coefficients `min(1, bound / (sqrt(norm^2 (1 + margin)) + 1e-6))` of every example,
 * from the squared norms of each group (layer). An example with any non-finite squared norm (NaN
 * from `Inf * 0`, an overflow to Infinity) gets coefficient 0 in every group and is marked not
 * kept: the caller must also remove its rows before summing, because `0 * Inf` is NaN.
 */
export function clippingRule(
  squaredNorms: readonly ArrayLike<number>[],
  options: { readonly maxGradNorm: number; readonly mode: ClippingMode; readonly weightCount: number },
): ClippingDecision {
  const batch = squaredNorms[0]?.length ?? 0;
  const margin = 1 + normMargin(options.weightCount);
  const kept = new Uint8Array(batch);
  const groups = squaredNorms.length;
  const coefficients = options.mode === 'flat' ? [new Float32Array(batch)] : squaredNorms.map(() => new Float32Array(batch));
  const bound = options.mode === 'flat' ? options.maxGradNorm : options.maxGradNorm / Math.sqrt(groups);
  let clippedCount = 0;
  let zeroedCount = 0;
  for (let i = 0; i < batch; i++) {
    let finite = true;
    let total = 0;
    for (let g = 0; g < groups; g++) {
      const v = squaredNorms[g]![i]!;
      // `v >= 0` is false for NaN; negative values cannot come from a sum of squares.
      if (!(v >= 0) || !Number.isFinite(v)) finite = false;
      total += v;
    }
    if (!finite || !Number.isFinite(total)) {
      zeroedCount++;
      continue; // coefficients stay 0, kept stays 0
    }
    kept[i] = 1;
    let clipped = false;
    if (options.mode === 'flat') {
      const c = coefficient(bound, total, margin);
      coefficients[0]![i] = c;
      clipped = c < 1;
    } else {
      for (let g = 0; g < groups; g++) {
        const c = coefficient(bound, squaredNorms[g]![i]!, margin);
        coefficients[g]![i] = c;
        clipped ||= c < 1;
      }
    }
    if (clipped) clippedCount++;
  }
  if (options.mode === 'flat') for (let g = 1; g < groups; g++) coefficients.push(coefficients[0]!);
  return { coefficients, kept, clippedCount, zeroedCount };
}

/** `min(1, bound / (sqrt(sq * margin) + 1e-6))`, rounded down to float32. */
function coefficient(bound: number, squaredNorm: number, margin: number): number {
  const c = bound / (Math.sqrt(squaredNorm * margin) + NORM_EPSILON);
  return c < 1 ? roundDown(c) : 1;
}

/** The largest float32 not above `x` (>= 0), so storing a coefficient never rounds it up. */
function roundDown(x: number): number {
  const f = Math.fround(x);
  if (f <= x) return f;
  // One float32 step down: for positive normal floats, the previous bit pattern.
  const buf = new Float32Array([f]);
  const bits = new Uint32Array(buf.buffer);
  bits[0] = (bits[0] as number) - 1;
  return buf[0] as number;
}

/**
 * Per-client L2 clipping of DP-FedAvg (McMahan et al. 2018, Algorithm 1 "ClipFn").
 */
import { optionsObject, positiveNumber } from '../../core/validate.js';
import { sumOfSquaresNorm, updateNormAs } from './updateNorm.js';

/** Options of {@link clipUpdate}. */
export interface ClipUpdateOptions {
  /** The L2 bound C on one client's update, a finite number > 0 (the user-level sensitivity). */
  readonly clipNorm: number;
}

/** Result of {@link clipUpdate}. */
export interface ClipUpdateResult {
  /** A new array: the update scaled to norm at most `clipNorm` (a copy when it already was). */
  readonly update: Float32Array;
  /** The norm of the input update, before clipping (float64). */
  readonly norm: number;
  /** Whether the update was scaled down (`norm > clipNorm`); adaptive clipping counts the others. */
  readonly wasClipped: boolean;
}

/**
 * Scales a client's update to L2 norm at most `clipNorm`: `delta · min(1, C / ‖delta‖)`, as
 * `tf.clip_by_global_norm` in tensorflow_privacy's `GaussianSumQuery`. This bounds one user's
 * contribution to the sum, the sensitivity that the Gaussian noise of user-level DP is calibrated
 * to (McMahan et al. 2018, https://arxiv.org/abs/1710.06963).
 *
 * The scaled values are rounded to float32, which can push the norm a few ulps above `C`; the
 * factor is then shrunk until the stored update really satisfies `‖update‖ <= C`, because the
 * privacy guarantee relies on the bound, not on its approximation.
 *
 * @param delta - The update; every entry must be finite (it is not clipped silently).
 * @param options - `clipNorm`.
 * @returns The clipped copy, the original norm and whether clipping happened.
 * @throws InvalidArgumentError naming `delta[i]` for a non-finite entry, or `options.clipNorm`.
 * @example
 * ```ts
 * import { clipUpdate } from 'responsible-tfjs/federated';
 * const { update, norm, wasClipped } = clipUpdate(new Float32Array([3, 4]), { clipNorm: 1 });
 * // update ≈ [0.6, 0.8], norm 5, wasClipped true
 * ```
 */
export function clipUpdate(delta: Float32Array, options: ClipUpdateOptions): ClipUpdateResult {
  const fn = 'clipUpdate';
  const o = optionsObject(fn, 'options', options);
  const clipNorm = positiveNumber(fn, 'options.clipNorm', o.clipNorm);
  const norm = updateNormAs(fn, 'delta', delta);
  if (norm <= clipNorm) return { update: Float32Array.from(delta), norm, wasClipped: false };
  const exact = clipNorm / norm;
  const update = new Float32Array(delta.length);
  // float32 rounding of each entry moves the norm by at most 2^-24 relative (more only for
  // subnormal results): shrink the factor by 2^-24, 2^-23, ... until the stored update is within
  // the bound. The first try is TF's exact factor; 0 after 24 tries is trivially within it.
  for (let attempt = 0; attempt <= 24; attempt++) {
    const factor = attempt === 0 ? exact : exact * (1 - 2 ** (attempt - 25));
    for (let i = 0; i < delta.length; i++) update[i] = (delta[i] as number) * factor;
    if (sumOfSquaresNorm(update) <= clipNorm) return { update, norm, wasClipped: true };
  }
  update.fill(0);
  return { update, norm, wasClipped: true };
}

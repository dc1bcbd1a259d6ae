import { assertBackend } from '../../core/backend.js';
import { resolveRng, secureRng, type Rng } from '../../core/rng.js';
import { all, isFinite as isFiniteOp, tidy, type Tensor } from '../../core/tf.js';
import { tensorArgument } from '../../core/tensorArgument.js';
import { invalid, nonNegativeNumber, oneOf, optionsObject, positiveNumber } from '../../core/validate.js';
import { aggregatePerExample } from './aggregatePerExample.js';
import type { ClippingMode } from './clipping.js';

/**
 * Options of {@link clipAndNoise}.
 */
export interface ClipAndNoiseOptions {
  /** Clipping bound C on each example's gradient norm, > 0. */
  readonly maxGradNorm: number;
  /** Noise standard deviation over C, >= 0 (0 turns noise off: not private). */
  readonly noiseMultiplier: number;
  /** The divisor: the expected batch size `sampleRate * N` under Poisson sampling (default: the batch size). */
  readonly expectedBatchSize?: number;
  /** `'flat'` (default) or `'perLayer'`; see {@link ClippingMode}. */
  readonly clipping?: ClippingMode;
  /** For `'perLayer'`: the group (layer) index of each tensor; default each tensor is its own group. */
  readonly groups?: readonly number[];
  /** Source of the noise (default {@link secureRng}; a seeded rng is for testing only). */
  readonly rng?: Rng;
}

/**
 * Result of {@link clipAndNoise}. The counts are computed from the private batch: they are not
 * protected by the noise.
 */
export interface ClipAndNoiseResult {
  /** One noisy averaged gradient per input tensor, `[...shape]`; the caller owns them. */
  readonly gradients: Tensor[];
  /** Examples scaled down to the clipping bound (not private). */
  readonly clippedCount: number;
  /** Examples whose gradient norm overflowed float32: they contributed exactly zero (not private). */
  readonly zeroedCount: number;
}

/**
 * The DP-SGD aggregation on per-example gradients: clip each example's gradient to
 * `maxGradNorm`, sum, add Gaussian noise of standard deviation `noiseMultiplier * maxGradNorm`
 * to every coordinate, divide by the expected batch size. The clipping coefficients are decided
 * in JavaScript from the norms read off the device, so an example whose norm overflows float32
 * contributes zero on every backend (never an unclipped or NaN update); gradients that already
 * hold NaN or infinite values are refused.
 *
 * @param perExample - Per-example gradients, `[batch, ...shape]` each (e.g. from {@link perExampleGradients}).
 * @param options - {@link ClipAndNoiseOptions}.
 * @returns The noisy averaged gradients and the clipping counts.
 * @example
 * ```ts
 * import { clipAndNoise, perExampleGradients } from 'responsible-tfjs/privacy';
 * const { gradients: perExample, losses } = perExampleGradients(model, x, y);
 * const { gradients, zeroedCount } = await clipAndNoise(perExample, { maxGradNorm: 1, noiseMultiplier: 1.1, expectedBatchSize: 64 });
 * optimizer.applyGradients(Object.fromEntries(model.trainableWeights.map((w, i) => [w.originalName, gradients[i]])));
 * tf.dispose([...perExample, losses, ...gradients]);
 * ```
 */
export async function clipAndNoise(perExample: readonly Tensor[], options: ClipAndNoiseOptions): Promise<ClipAndNoiseResult> {
  const fn = 'clipAndNoise';
  assertBackend(fn);
  const o = optionsObject(fn, 'options', options);
  if (!Array.isArray(perExample) || perExample.length === 0) invalid(fn, 'perExample', perExample, 'a non-empty array of tensors [batch, ...shape]');
  perExample.forEach((t, i) => {
    tensorArgument(fn, `perExample[${i}]`, t, 'a tensor [batch, ...shape]');
    if (t.rank < 1) invalid(fn, `perExample[${i}]`, t, 'a tensor [batch, ...shape]');
  });
  const batch = perExample[0]!.shape[0] as number;
  if (perExample.some((t) => t.shape[0] !== batch)) invalid(fn, 'perExample', perExample, 'tensors with the same batch size');
  const maxGradNorm = positiveNumber(fn, 'options.maxGradNorm', o.maxGradNorm);
  const noiseMultiplier = nonNegativeNumber(fn, 'options.noiseMultiplier', o.noiseMultiplier);
  const expectedBatchSize = o.expectedBatchSize === undefined ? batch : positiveNumber(fn, 'options.expectedBatchSize', o.expectedBatchSize);
  const clipping = oneOf(fn, 'options.clipping', o.clipping ?? 'flat', ['flat', 'perLayer'] as const);
  const groups = o.groups ?? perExample.map((_, i) => i);
  if (!Array.isArray(groups) || groups.length !== perExample.length || groups.some((g) => !Number.isInteger(g) || g < 0)) {
    invalid(fn, 'options.groups', groups, `one non-negative integer group index per tensor (${perExample.length})`);
  }
  const rng = resolveRng(fn, o.rng, secureRng);
  if (batch === 0) invalid(fn, 'perExample', perExample, 'tensors with at least one example (for an empty batch, add noise only)');
  // Refuse gradients that already hold NaN or Infinity (as the array paths of the library do).
  // The clipping rule would zero such examples anyway; this check only makes the refusal explicit.
  const finite = tidy(() => perExample.map((t) => all(isFiniteOp(t))));
  const flags = await Promise.all(finite.map((t) => t.data()));
  finite.forEach((t) => t.dispose());
  flags.forEach((f, i) => {
    if (!f[0]) invalid(fn, `perExample[${i}]`, perExample[i], 'finite values (no NaN or infinity)');
  });
  return aggregatePerExample(perExample, groups, { maxGradNorm, noiseMultiplier, expectedBatchSize, clipping, rng });
}

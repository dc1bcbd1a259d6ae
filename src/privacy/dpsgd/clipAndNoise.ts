import { resolveRng, secureRng, type Rng } from '../../core/rng.js';
import { add, div, reshape, scalar, sum, tidy, type Tensor, type Tensor1D } from '../../core/tf.js';
import { isTensor } from '../../core/labels.js';
import { invalid, nonNegativeNumber, oneOf, optionsObject, positiveNumber } from '../../core/validate.js';
import { groupCoefficients, type ClippingMode } from './clipping.js';
import { gaussianNoise } from './noise.js';
import { scaleRows, squaredNormsPerExample } from './rules/common.js';

/**
 * Options of {@link clipAndNoise}.
 *
 * @example
 * ```ts
 * import type { ClipAndNoiseOptions } from 'responsible-tfjs/privacy';
 * const o: ClipAndNoiseOptions = { maxGradNorm: 1, noiseMultiplier: 1.1, expectedBatchSize: 64 };
 * ```
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
 * The DP-SGD aggregation on per-example gradients: clip each example's gradient to
 * `maxGradNorm`, sum, add Gaussian noise of standard deviation `noiseMultiplier * maxGradNorm`
 * to every coordinate, divide by the expected batch size.
 *
 * @param perExample - Per-example gradients, `[batch, ...shape]` each (e.g. from {@link perExampleGradients}).
 * @param options - {@link ClipAndNoiseOptions}.
 * @returns One noisy averaged gradient per input tensor, `[...shape]`; the caller owns them.
 * @example
 * ```ts
 * import { clipAndNoise, perExampleGradients } from 'responsible-tfjs/privacy';
 * const { gradients, losses } = perExampleGradients(model, x, y);
 * const noisy = clipAndNoise(gradients, { maxGradNorm: 1, noiseMultiplier: 1.1, expectedBatchSize: 64 });
 * ```
 */
export function clipAndNoise(perExample: readonly Tensor[], options: ClipAndNoiseOptions): Tensor[] {
  const fn = 'clipAndNoise';
  const o = optionsObject(fn, 'options', options);
  if (!Array.isArray(perExample) || perExample.length === 0 || perExample.some((t) => !isTensor(t) || t.rank < 1)) {
    invalid(fn, 'perExample', perExample, 'a non-empty array of tensors [batch, ...shape]');
  }
  const batch = perExample[0]!.shape[0] as number;
  if (perExample.some((t) => t.shape[0] !== batch)) invalid(fn, 'perExample', perExample, 'tensors with the same batch size');
  const maxGradNorm = positiveNumber(fn, 'maxGradNorm', o.maxGradNorm);
  const noiseMultiplier = nonNegativeNumber(fn, 'noiseMultiplier', o.noiseMultiplier);
  const expected = o.expectedBatchSize === undefined ? batch : positiveNumber(fn, 'expectedBatchSize', o.expectedBatchSize);
  const clipping = oneOf(fn, 'clipping', o.clipping ?? 'flat', ['flat', 'perLayer'] as const);
  const groups = o.groups ?? perExample.map((_, i) => i);
  if (groups.length !== perExample.length || groups.some((g) => !Number.isInteger(g) || g < 0)) {
    invalid(fn, 'groups', groups, `one non-negative integer group index per tensor (${perExample.length})`);
  }
  const rng = resolveRng(fn, o.rng, secureRng);
  return tidy(() => {
    const groupIds = [...new Set(groups)];
    const squared = groupIds.map((id) =>
      perExample.filter((_, i) => groups[i] === id).map(squaredNormsPerExample).reduce((a, b) => add(a, b) as Tensor1D),
    );
    const coefficients = groupCoefficients(squared, maxGradNorm, clipping);
    return perExample.map((g, i) => {
      const c = coefficients[groupIds.indexOf(groups[i]!)]!;
      const clippedSum = sum(scaleRows(g, c), 0);
      const shape = g.shape.slice(1);
      const noisy = noiseMultiplier > 0 ? add(clippedSum, gaussianNoise(shape, noiseMultiplier * maxGradNorm, rng)) : clippedSum;
      return div(reshape(noisy, shape), scalar(expected));
    });
  });
}


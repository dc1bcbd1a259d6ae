/**
 * How to split a noise budget between the clipped sum and the clipped count of adaptive clipping
 * (Andrew et al. 2021, "Differentially Private Learning with Adaptive Clipping",
 * https://arxiv.org/abs/1905.03871, Section 3.1), as TFF's `adaptive_clip_noise_params`.
 */
import { InvalidArgumentError } from '../../core/errors.js';
import { nonNegativeNumber, optionsObject, positiveNumber } from '../../core/validate.js';

/** Options of {@link adaptiveNoiseMultipliers}. */
export interface AdaptiveNoiseMultipliersOptions {
  /** The total (effective) noise multiplier z the round should be accounted with, >= 0. */
  readonly noiseMultiplier: number;
  /** Expected number of clients per round, > 0 (need not be an integer). */
  readonly expectedClientsPerRound: number;
  /**
   * Standard deviation of the noise on the sum of centred clipped-count indicators; default
   * `0.05 · expectedClientsPerRound` when `noiseMultiplier > 0` and 0 otherwise (TFF's default).
   */
  readonly clippedCountStddev?: number;
}

/** Result of {@link adaptiveNoiseMultipliers}. */
export interface AdaptiveNoiseMultipliers {
  /** Noise multiplier to apply to the sum of clipped updates (noise std = this · current clipNorm). */
  readonly valueNoiseMultiplier: number;
  /** Standard deviation of the noise on the centred count sum (TFF's `clipped_count_stddev`). */
  readonly countNoiseStd: number;
  /**
   * `valueNoiseMultiplier / noiseMultiplier` (1 when both are 0): how much more noise the values get
   * to pay for the count. TFF warns at 2 or more; we report it instead of printing.
   */
  readonly addedNoiseFactor: number;
}

/**
 * Splits a total noise multiplier `z` between the values and the count of adaptive clipping so the
 * round is exactly as private as one Gaussian mechanism with multiplier `z`. Each client's centred
 * indicator is ±½ (sensitivity ½), so count noise of std `σ_b` is a Gaussian with multiplier `2σ_b`;
 * two Gaussians compose like one with `1/z² = 1/z_v² + 1/(2σ_b)²` (RDP is linear in `1/z²`), hence
 *
 *   z_v = (z⁻² − (2σ_b)⁻²)^(−1/2)
 *
 * (TFF `tensorflow_federated/python/aggregators/differential_privacy.py`,
 * `adaptive_clip_noise_params`). Account each round with `gaussianEvent(z)`.
 *
 * @param options - `noiseMultiplier`, `expectedClientsPerRound`, optional `clippedCountStddev`.
 * @returns The value noise multiplier, the count noise std and the added-noise factor.
 * @throws InvalidArgumentError when `noiseMultiplier >= 2 · clippedCountStddev` (the count alone
 *   would already spend the whole budget): increase `clippedCountStddev` or decrease `noiseMultiplier`.
 * @example
 * ```ts
 * import { adaptiveNoiseMultipliers } from 'responsible-tfjs/federated';
 * const { valueNoiseMultiplier, countNoiseStd } = adaptiveNoiseMultipliers({ noiseMultiplier: 1, expectedClientsPerRound: 100 });
 * // countNoiseStd 5, valueNoiseMultiplier = (1 - 1/100)^(-1/2) ≈ 1.005
 * ```
 */
export function adaptiveNoiseMultipliers(options: AdaptiveNoiseMultipliersOptions): AdaptiveNoiseMultipliers {
  const fn = 'adaptiveNoiseMultipliers';
  const o = optionsObject(fn, 'options', options);
  const z = nonNegativeNumber(fn, 'options.noiseMultiplier', o.noiseMultiplier);
  const n = positiveNumber(fn, 'options.expectedClientsPerRound', o.expectedClientsPerRound);
  if (o.clippedCountStddev !== undefined) nonNegativeNumber(fn, 'options.clippedCountStddev', o.clippedCountStddev);
  if (z === 0) {
    return { valueNoiseMultiplier: 0, countNoiseStd: o.clippedCountStddev ?? 0, addedNoiseFactor: 1 };
  }
  const countNoiseStd = o.clippedCountStddev ?? 0.05 * n;
  if (z >= 2 * countNoiseStd) {
    throw new InvalidArgumentError({
      fn,
      argument: 'options.clippedCountStddev',
      value: countNoiseStd,
      allowed: `a number > noiseMultiplier / 2 = ${z / 2}`,
      hint: 'It defaults to 0.05 · expectedClientsPerRound; increase it (or the clients per round) or decrease noiseMultiplier',
    });
  }
  const valueNoiseMultiplier = (z ** -2 - (2 * countNoiseStd) ** -2) ** -0.5;
  return { valueNoiseMultiplier, countNoiseStd, addedNoiseFactor: valueNoiseMultiplier / z };
}

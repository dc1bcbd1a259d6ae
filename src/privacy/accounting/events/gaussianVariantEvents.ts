/**
 * Gaussian-mechanism variants accounted by privacy loss distributions only: the mixture of
 * Gaussians and the truncated Poisson-subsampled Gaussian.
 */
import { invalid, nonNegativeInteger, numberInRange, optionsObject, positiveInteger, positiveNumber } from '../../../core/validate.js';

/**
 * The mixture-of-Gaussians mechanism (Choquette-Choo et al. 2023, https://arxiv.org/abs/2310.15526;
 * dp_accounting's `MixtureOfGaussiansDpEvent`): on one dataset N(0, σ²), on its neighbour
 * Σᵢ pᵢ·N(cᵢ, σ²) with sensitivities cᵢ drawn with probabilities pᵢ.
 */
export interface MixtureOfGaussiansDpEvent {
  /** Discriminant. */
  readonly kind: 'mixtureOfGaussians';
  /** Standard deviation σ of the noise, > 0 (in the same units as the sensitivities). */
  readonly standardDeviation: number;
  /** The possible sensitivities cᵢ, finite numbers. */
  readonly sensitivities: readonly number[];
  /** Their probabilities pᵢ, in [0, 1], summing to 1; same length as `sensitivities`. */
  readonly samplingProbs: readonly number[];
}

/**
 * The Gaussian mechanism on a truncated Poisson sample (https://arxiv.org/abs/2508.15089;
 * dp_accounting's `TruncatedSubsampledGaussianDpEvent`): each of `datasetSize` records is included
 * with probability `sampleRate`, a sample larger than `truncatedBatchSize` is cut down to a random
 * subset of that size, and Gaussian noise with multiplier `noiseMultiplier` is added.
 */
export interface TruncatedSubsampledGaussianDpEvent {
  /** Discriminant. */
  readonly kind: 'truncatedSubsampledGaussian';
  /** Number of records, an integer >= 1. */
  readonly datasetSize: number;
  /** Poisson inclusion probability of each record, in [0, 1]. */
  readonly sampleRate: number;
  /** Largest batch kept, an integer >= 0. */
  readonly truncatedBatchSize: number;
  /** Noise standard deviation over the L2 sensitivity, > 0. */
  readonly noiseMultiplier: number;
}

/** The events of this file. */
export type GaussianVariantDpEvent = MixtureOfGaussiansDpEvent | TruncatedSubsampledGaussianDpEvent;

/** Validates a Gaussian-variant event (internal), naming fields `${prefix}field`. */
export function checkGaussianVariantEvent(fn: string, prefix: string, e: GaussianVariantDpEvent): void {
  switch (e.kind) {
    case 'mixtureOfGaussians': {
      positiveNumber(fn, `${prefix}standardDeviation`, e.standardDeviation);
      const c = e.sensitivities;
      const p = e.samplingProbs;
      if (!Array.isArray(c) || c.length === 0) invalid(fn, `${prefix}sensitivities`, c, 'a non-empty array of finite numbers');
      if (!Array.isArray(p) || p.length !== c.length) {
        invalid(fn, `${prefix}samplingProbs`, p, `an array of probabilities of the same length as sensitivities (${c.length})`);
      }
      let sum = 0;
      // Indexed loops, not forEach: forEach skips the holes of a sparse array ([, 5]), which would
      // reach the accountant as undefined.
      for (let i = 0; i < c.length; i++) {
        const x: unknown = c[i];
        if (typeof x !== 'number' || !Number.isFinite(x)) invalid(fn, `${prefix}sensitivities[${i}]`, x, 'a finite number');
      }
      for (let i = 0; i < p.length; i++) sum += numberInRange(fn, `${prefix}samplingProbs[${i}]`, p[i], { min: 0, max: 1 });
      if (!(Math.abs(sum - 1) <= 1e-9)) invalid(fn, `${prefix}samplingProbs`, p, 'probabilities summing to 1 (within 1e-9)');
      return;
    }
    case 'truncatedSubsampledGaussian':
      positiveInteger(fn, `${prefix}datasetSize`, e.datasetSize);
      numberInRange(fn, `${prefix}sampleRate`, e.sampleRate, { min: 0, max: 1 });
      nonNegativeInteger(fn, `${prefix}truncatedBatchSize`, e.truncatedBatchSize);
      positiveNumber(fn, `${prefix}noiseMultiplier`, e.noiseMultiplier);
      return;
  }
}

/**
 * A validated {@link MixtureOfGaussiansDpEvent} (arrays copied and frozen).
 *
 * @param options - `standardDeviation` (> 0), `sensitivities` and `samplingProbs` (same length, summing to 1).
 * @example
 * ```ts
 * import { mixtureOfGaussiansEvent } from 'responsible-tfjs/privacy';
 * // sensitivity 1 with probability 0.1, else 0: a Poisson-subsampled Gaussian with rate 0.1
 * const e = mixtureOfGaussiansEvent({ standardDeviation: 1, sensitivities: [0, 1], samplingProbs: [0.9, 0.1] });
 * ```
 */
export function mixtureOfGaussiansEvent(options: {
  readonly standardDeviation: number;
  readonly sensitivities: readonly number[];
  readonly samplingProbs: readonly number[];
}): MixtureOfGaussiansDpEvent {
  const fn = 'mixtureOfGaussiansEvent';
  const { standardDeviation, sensitivities, samplingProbs } = optionsObject(fn, 'options', options);
  const e = { kind: 'mixtureOfGaussians', standardDeviation, sensitivities, samplingProbs } as const;
  checkGaussianVariantEvent(fn, 'options.', e);
  return Object.freeze({ ...e, sensitivities: Object.freeze([...sensitivities]), samplingProbs: Object.freeze([...samplingProbs]) });
}

/**
 * A validated {@link TruncatedSubsampledGaussianDpEvent}.
 *
 * @param options - `datasetSize`, `sampleRate`, `truncatedBatchSize` and `noiseMultiplier`.
 * @example
 * ```ts
 * import { truncatedSubsampledGaussianEvent } from 'responsible-tfjs/privacy';
 * const e = truncatedSubsampledGaussianEvent({ datasetSize: 60000, sampleRate: 0.004, truncatedBatchSize: 300, noiseMultiplier: 1.1 });
 * ```
 */
export function truncatedSubsampledGaussianEvent(options: {
  readonly datasetSize: number;
  readonly sampleRate: number;
  readonly truncatedBatchSize: number;
  readonly noiseMultiplier: number;
}): TruncatedSubsampledGaussianDpEvent {
  const fn = 'truncatedSubsampledGaussianEvent';
  const { datasetSize, sampleRate, truncatedBatchSize, noiseMultiplier } = optionsObject(fn, 'options', options);
  const e = { kind: 'truncatedSubsampledGaussian', datasetSize, sampleRate, truncatedBatchSize, noiseMultiplier } as const;
  checkGaussianVariantEvent(fn, 'options.', e);
  return Object.freeze(e);
}

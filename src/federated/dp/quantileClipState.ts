/**
 * State of adaptive clipping: a private estimate of a quantile of the clients' update norms
 * (Andrew et al. 2021, https://arxiv.org/abs/1905.03871), ported from tensorflow_privacy's
 * `QuantileEstimatorQuery` / `QuantileAdaptiveClipSumQuery` and TFF's
 * `DifferentiallyPrivateFactory.gaussian_adaptive`.
 */
import { booleanValue, nonNegativeNumber, numberInRange, optionsObject, positiveNumber } from '../../core/validate.js';

/**
 * Adaptive clipping's state between rounds: plain, JSON-serialisable data.
 */
export interface QuantileClipState {
  /** The clipping norm to use this round (the current quantile estimate), >= 0. */
  readonly clipNorm: number;
  /** Target fraction of clients left unclipped, in [0, 1] (TFF's `target_unclipped_quantile`). */
  readonly targetQuantile: number;
  /** Step size: the norm changes by at most a factor `exp(learningRate)` (geometric) or by `learningRate` (arithmetic). */
  readonly learningRate: number;
  /** Geometric (multiplicative) update, recommended for norms; arithmetic otherwise. */
  readonly geometric: boolean;
  /** Expected clients per round: the denominator of the unclipped fraction (> 0). */
  readonly expectedClientsPerRound: number;
  /** Standard deviation of the noise on the sum of centred indicators, >= 0. */
  readonly clippedCountStddev: number;
  /** The noised unclipped fraction of the round that produced this state (absent initially). */
  readonly unclippedFraction?: number;
}

/** Options of {@link createQuantileClipState}. */
export interface CreateQuantileClipStateOptions {
  /** First clipping norm, > 0 (default 0.1, TFF's `gaussian_adaptive`). */
  readonly initialClipNorm?: number;
  /** Target unclipped fraction in [0, 1] (default 0.5: clip to the median, as Andrew et al. recommend). */
  readonly targetQuantile?: number;
  /** Learning rate >= 0 (default 0.2, recommended by Andrew et al. for geometric updates). */
  readonly learningRate?: number;
  /** Geometric updates (default true, as TFF's `gaussian_adaptive`). */
  readonly geometric?: boolean;
  /** Expected clients per round, > 0. */
  readonly expectedClientsPerRound: number;
  /**
   * Noise std on the centred count sum; default `0.05 · expectedClientsPerRound` (Andrew et al.'s
   * `expected_num_records / 20`). Take it from {@link adaptiveNoiseMultipliers}' `countNoiseStd`
   * so the values' noise is raised to pay for it.
   */
  readonly clippedCountStddev?: number;
}

/**
 * The initial state of adaptive clipping.
 *
 * @param options - Estimator settings; only `expectedClientsPerRound` is required.
 * @returns A frozen {@link QuantileClipState}.
 * @example
 * ```ts
 * import { adaptiveNoiseMultipliers, createQuantileClipState } from 'responsible-tfjs/federated';
 * const { valueNoiseMultiplier, countNoiseStd } = adaptiveNoiseMultipliers({ noiseMultiplier: 1, expectedClientsPerRound: 100 });
 * let clip = createQuantileClipState({ expectedClientsPerRound: 100, clippedCountStddev: countNoiseStd });
 * // each round: clip with clip.clipNorm, noise the sum with std valueNoiseMultiplier * clip.clipNorm
 * ```
 */
export function createQuantileClipState(options: CreateQuantileClipStateOptions): QuantileClipState {
  const fn = 'createQuantileClipState';
  const o = optionsObject(fn, 'options', options);
  const expectedClientsPerRound = positiveNumber(fn, 'options.expectedClientsPerRound', o.expectedClientsPerRound);
  return Object.freeze({
    clipNorm: positiveNumber(fn, 'options.initialClipNorm', o.initialClipNorm ?? 0.1),
    targetQuantile: numberInRange(fn, 'options.targetQuantile', o.targetQuantile ?? 0.5, { min: 0, max: 1 }),
    learningRate: nonNegativeNumber(fn, 'options.learningRate', o.learningRate ?? 0.2),
    geometric: booleanValue(fn, 'options.geometric', o.geometric ?? true),
    expectedClientsPerRound,
    clippedCountStddev: nonNegativeNumber(fn, 'options.clippedCountStddev', o.clippedCountStddev ?? 0.05 * expectedClientsPerRound),
  });
}

/**
 * What one client contributes to the clipped count: `+½` when its update norm is at most the
 * clipping norm (unclipped), `−½` otherwise. Centring the 0/1 indicator halves its sensitivity
 * (tensorflow_privacy's `QuantileEstimatorQuery.preprocess_record`); sum these (securely, and
 * with noise) and pass the sum to {@link updateQuantileClip}.
 *
 * @param norm - The client's update norm before clipping, >= 0.
 * @param clipNorm - The round's clipping norm (`state.clipNorm`), >= 0.
 * @returns 0.5 or -0.5.
 * @example
 * ```ts
 * import { clipUpdate, quantileClipIndicator } from 'responsible-tfjs/federated';
 * const { norm } = clipUpdate(delta, { clipNorm: state.clipNorm });
 * const bit = quantileClipIndicator(norm, state.clipNorm); // ±0.5
 * ```
 */
export function quantileClipIndicator(norm: number, clipNorm: number): 0.5 | -0.5 {
  const fn = 'quantileClipIndicator';
  numberInRange(fn, 'norm', norm, { min: 0, max: Infinity });
  nonNegativeNumber(fn, 'clipNorm', clipNorm);
  return norm <= clipNorm ? 0.5 : -0.5;
}

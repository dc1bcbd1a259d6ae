/**
 * Distributed Gaussian noise: each client noises its own clipped update so that the securely
 * aggregated sum carries the noise the server would otherwise add (the distributed DP setting of
 * Kairouz et al. 2021, "The Distributed Discrete Gaussian Mechanism for Federated Learning with
 * Secure Aggregation", here with continuous Gaussians).
 */
import { nonNegativeInteger, nonNegativeNumber, optionsObject, positiveInteger, positiveNumber } from '../../core/validate.js';

/** Options of {@link distributedNoiseStd}. */
export interface DistributedNoiseStdOptions {
  /** Central noise multiplier z: the sum should carry noise of standard deviation `z · clipNorm`. */
  readonly noiseMultiplier: number;
  /** Per-client L2 clipping norm C, > 0. */
  readonly clipNorm: number;
  /** The number m of clients whose noised updates are guaranteed to reach the sum, an integer >= 1. */
  readonly minSurvivingClients: number;
}

/**
 * The standard deviation each client adds to its clipped update: `z · C / √m`. Gaussian variances
 * add, so the sum over any `s >= m` surviving clients carries noise of standard deviation
 * `z · C · √(s/m) >= z · C`, at least the central mechanism's; the guarantee of a noise multiplier
 * `z` then holds for the sum, provided the server learns only the sum (secure aggregation) and the
 * clients are honest about their noise.
 *
 * If fewer than `m` clients survive (dropouts after noising), the sum has less noise than promised
 * and the guarantee degrades to the noise multiplier `z · √(s/m)`; report it with
 * {@link effectiveDistributedNoiseMultiplier} and account with that value, or abort the round.
 *
 * @param options - `noiseMultiplier` (>= 0), `clipNorm` (> 0), `minSurvivingClients` (integer >= 1).
 * @returns The per-client standard deviation.
 * @example
 * ```ts
 * import { distributedNoiseStd, addGaussianNoise } from 'responsible-tfjs/federated';
 * const std = distributedNoiseStd({ noiseMultiplier: 1, clipNorm: 0.1, minSurvivingClients: 100 }); // 0.01
 * const share = addGaussianNoise(clippedUpdate, { std }); // sent through secure aggregation
 * ```
 */
export function distributedNoiseStd(options: DistributedNoiseStdOptions): number {
  const fn = 'distributedNoiseStd';
  const o = optionsObject(fn, 'options', options);
  const z = nonNegativeNumber(fn, 'options.noiseMultiplier', o.noiseMultiplier);
  const clipNorm = positiveNumber(fn, 'options.clipNorm', o.clipNorm);
  const m = positiveInteger(fn, 'options.minSurvivingClients', o.minSurvivingClients);
  return (z * clipNorm) / Math.sqrt(m);
}

/** Options of {@link effectiveDistributedNoiseMultiplier}. */
export interface EffectiveDistributedNoiseMultiplierOptions {
  /** The central noise multiplier z the clients' noise was calibrated for. */
  readonly noiseMultiplier: number;
  /** The m the per-client noise was calibrated for ({@link distributedNoiseStd}). */
  readonly minSurvivingClients: number;
  /** The number s of clients whose noised updates are actually in the sum, an integer >= 0. */
  readonly survivingClients: number;
}

/**
 * The noise multiplier one client is protected by when `s` clients' noised updates are in the
 * sum, each having added a share sized for `m`: `z · √(min(s − 1, m) / m)`. A client's own share
 * does not hide its own update (removing the client removes its share too), so only the other
 * `s − 1` shares count, and more than `m` of them is capped at the `z` that was planned. Account a
 * round with this value, never with the planned `z`: it is below `z` whenever fewer than `m + 1`
 * clients made it. `s <= 1` gives 0.
 *
 * @param options - `noiseMultiplier`, `minSurvivingClients`, `survivingClients`.
 * @returns The effective noise multiplier (noise standard deviation of the sum over clipNorm).
 * @example
 * ```ts
 * import { effectiveDistributedNoiseMultiplier } from 'responsible-tfjs/federated';
 * // calibrated for 100 survivors, only 65 made it: each is hidden by 64 others' shares, z = 1 becomes 0.8
 * effectiveDistributedNoiseMultiplier({ noiseMultiplier: 1, minSurvivingClients: 100, survivingClients: 65 }); // 0.8
 * ```
 */
export function effectiveDistributedNoiseMultiplier(options: EffectiveDistributedNoiseMultiplierOptions): number {
  const fn = 'effectiveDistributedNoiseMultiplier';
  const o = optionsObject(fn, 'options', options);
  const z = nonNegativeNumber(fn, 'options.noiseMultiplier', o.noiseMultiplier);
  const m = positiveInteger(fn, 'options.minSurvivingClients', o.minSurvivingClients);
  const s = nonNegativeInteger(fn, 'options.survivingClients', o.survivingClients);
  return z * Math.sqrt(Math.min(Math.max(s - 1, 0), m) / m);
}

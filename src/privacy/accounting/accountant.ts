/**
 * The one interface every privacy accountant implements.
 */
import type { DpEvent } from './dpEvent.js';

/**
 * One DP-SGD step (or several): the Poisson-subsampled Gaussian mechanism.
 */
export interface DpSgdStep {
  /** Noise standard deviation over the clipping norm, > 0. */
  readonly noiseMultiplier: number;
  /** Poisson inclusion probability of each record, in [0, 1]. */
  readonly sampleRate: number;
}

/**
 * A privacy accountant: records a history of mechanisms ({@link DpEvent}s) and converts it into an
 * (epsilon, delta) guarantee. Implemented by {@link RdpAccountant} (Rényi DP, fast, loose) and
 * {@link PldAccountant} (privacy loss distributions, tight up to discretization).
 *
 * @example
 * ```ts
 * import { createAccountant } from 'responsible-tfjs/privacy';
 * const acc = createAccountant('rdp').step({ noiseMultiplier: 1.1, sampleRate: 0.004 }, 1000);
 * console.log(acc.getEpsilon(1e-5));
 * ```
 */
export interface PrivacyAccountant {
  /** Which accountant this is. */
  readonly kind: AccountantKind;
  /** The neighbouring relation the guarantee is stated for. */
  readonly neighboringRelation: NeighboringRelation;
  /**
   * Records `steps` Poisson-subsampled Gaussian mechanisms (DP-SGD steps).
   * @param params - Noise multiplier and sample rate of each step.
   * @param steps - Number of steps, an integer >= 0 (default 1; 0 records nothing).
   * @returns This accountant, for chaining.
   * @throws UnsupportedEventError when the accountant cannot account for Poisson subsampling
   * under its relation (the RDP accountant under `'replaceOne'`, as dp_accounting).
   */
  step(params: DpSgdStep, steps?: number): this;
  /**
   * Records `count` repetitions of an event.
   * @param event - The mechanism; check {@link PrivacyAccountant.supports} first.
   * @param count - Number of repetitions, an integer >= 0 (default 1; 0 records nothing).
   * @returns This accountant, for chaining.
   * @throws UnsupportedEventError when the accountant cannot account for the event.
   */
  compose(event: DpEvent, count?: number): this;
  /** Whether {@link PrivacyAccountant.compose} accepts the event. */
  supports(event: DpEvent): boolean;
  /** Smallest epsilon such that the history is (epsilon, delta)-DP; delta in (0, 1). */
  getEpsilon(delta: number): number;
  /** Smallest delta such that the history is (epsilon, delta)-DP; epsilon >= 0. */
  getDelta(epsilon: number): number;
  /** An independent copy (same history), e.g. to ask "what if I took 100 more steps?". */
  clone(): PrivacyAccountant;
  /** The recorded history as one event (composed, run-length encoded). */
  readonly ledger: DpEvent;
}

/**
 * The available accountants: `'rdp'` ({@link RdpAccountant}) and `'pld'` ({@link PldAccountant}).
 */
export type AccountantKind = 'rdp' | 'pld';

/**
 * Which datasets count as neighbours, i.e. what a privacy guarantee protects against:
 * - `'addOrRemoveOne'` (default): adding or removing one record (the dataset size is private);
 *   the relation of Poisson-subsampled DP-SGD (Abadi et al. 2016, Opacus).
 * - `'replaceOne'`: replacing one record by another (the dataset size is public); needed for
 *   fixed-size sampling without replacement and for randomized response.
 *
 * A Gaussian's or Laplace's `noiseMultiplier` always means noise over one record's contribution
 * (the add/remove sensitivity, DP-SGD's clipping norm); two datasets that differ by a replaced
 * record are twice that apart, and under `'replaceOne'` both accountants account for it, as
 * dp_accounting's PLD accountant does (its RDP accountant does not, so its two accountants differ
 * by a factor 2 in the noise there; ours agree). Guarantees stated as such (`epsilonDelta`, `zcdp`,
 * `exponential`, `permuteAndFlip`, `randomizedResponse`) are taken as they are. An accountant
 * only accepts the events it can account under its relation (see its `supports`), following
 * dp_accounting's `NeighboringRelation` (whose third relation, "replace with a special record",
 * is not offered).
 *
 * @example
 * ```ts
 * import { createAccountant, randomizedResponseEvent } from 'responsible-tfjs/privacy';
 * const acc = createAccountant('rdp', { neighboringRelation: 'replaceOne' });
 * acc.compose(randomizedResponseEvent(0.5, 2)).getEpsilon(1e-6);
 * ```
 */
export type NeighboringRelation = 'addOrRemoveOne' | 'replaceOne';

/** The accepted {@link NeighboringRelation} values (internal). */
export const NEIGHBORING_RELATIONS: readonly NeighboringRelation[] = /* @__PURE__ */ Object.freeze(['addOrRemoveOne', 'replaceOne'] as const);

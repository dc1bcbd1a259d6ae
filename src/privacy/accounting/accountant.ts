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
  /** Poisson inclusion probability of each record, in (0, 1]. */
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
  /**
   * Records `steps` Poisson-subsampled Gaussian mechanisms (DP-SGD steps).
   * @param params - Noise multiplier and sample rate of each step.
   * @param steps - Number of steps, an integer >= 1 (default 1).
   * @returns This accountant, for chaining.
   */
  step(params: DpSgdStep, steps?: number): this;
  /**
   * Records `count` repetitions of an event.
   * @param event - The mechanism; check {@link PrivacyAccountant.supports} first.
   * @param count - Number of repetitions, an integer >= 1 (default 1).
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

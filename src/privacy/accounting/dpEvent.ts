/**
 * Mechanisms as frozen values (the DpEvent algebra of dp_accounting): an accountant composes a
 * history of events and reports the resulting (epsilon, delta) guarantee.
 */
import { nonNegativeInteger, positiveNumber, numberInRange, invalid } from '../../core/validate.js';
import { assertEvent } from './assertEvent.js';
import type { NoOpDpEvent, NonPrivateDpEvent, RandomizedResponseDpEvent, ZcdpDpEvent } from './events/basicEvents.js';
import type { DiscreteLaplaceDpEvent, EpsilonDeltaDpEvent, ExponentialDpEvent, PermuteAndFlipDpEvent } from './events/pureDpEvents.js';
import type { RepeatAndSelectDpEvent, SampledWithoutReplacementDpEvent } from './events/nestedEvents.js';
import type { MixtureOfGaussiansDpEvent, TruncatedSubsampledGaussianDpEvent } from './events/gaussianVariantEvents.js';

export {
  noOpEvent,
  nonPrivateEvent,
  zcdpEvent,
  randomizedResponseEvent,
  type NoOpDpEvent,
  type NonPrivateDpEvent,
  type ZcdpDpEvent,
  type RandomizedResponseDpEvent,
} from './events/basicEvents.js';
export {
  epsilonDeltaEvent,
  exponentialEvent,
  permuteAndFlipEvent,
  discreteLaplaceEvent,
  type EpsilonDeltaDpEvent,
  type ExponentialDpEvent,
  type PermuteAndFlipDpEvent,
  type DiscreteLaplaceDpEvent,
} from './events/pureDpEvents.js';
export {
  sampledWithoutReplacementEvent,
  repeatAndSelectEvent,
  type SampledWithoutReplacementDpEvent,
  type RepeatAndSelectDpEvent,
} from './events/nestedEvents.js';
export {
  mixtureOfGaussiansEvent,
  truncatedSubsampledGaussianEvent,
  type MixtureOfGaussiansDpEvent,
  type TruncatedSubsampledGaussianDpEvent,
} from './events/gaussianVariantEvents.js';

/**
 * A Gaussian mechanism with noise standard deviation `noiseMultiplier × sensitivity` (L2).
 */
export interface GaussianDpEvent {
  /** Discriminant. */
  readonly kind: 'gaussian';
  /** Noise standard deviation divided by the L2 sensitivity. */
  readonly noiseMultiplier: number;
}

/**
 * A Laplace mechanism with noise scale `noiseMultiplier × sensitivity` (L1).
 */
export interface LaplaceDpEvent {
  /** Discriminant. */
  readonly kind: 'laplace';
  /** Laplace scale b divided by the L1 sensitivity (a single release is (1/noiseMultiplier)-DP). */
  readonly noiseMultiplier: number;
}

/**
 * An event applied to a Poisson subsample: each record is included independently with
 * probability `sampleRate` (accounted under the add/remove neighbouring relation).
 */
export interface PoissonSampledDpEvent {
  /** Discriminant. */
  readonly kind: 'poissonSampled';
  /** Inclusion probability of each record, in [0, 1] (0: nothing is released, no cost). */
  readonly sampleRate: number;
  /** The mechanism run on the subsample. */
  readonly event: DpEvent;
}

/**
 * The same event repeated `count` times (adaptive composition).
 */
export interface SelfComposedDpEvent {
  /** Discriminant. */
  readonly kind: 'selfComposed';
  /** The repeated mechanism. */
  readonly event: DpEvent;
  /** Number of repetitions, an integer >= 0 (0: no cost). */
  readonly count: number;
}

/**
 * Several events composed in sequence.
 */
export interface ComposedDpEvent {
  /** Discriminant. */
  readonly kind: 'composed';
  /** The composed events, in order. */
  readonly events: readonly DpEvent[];
}

/**
 * Any mechanism an accountant can be asked about: a discriminated union on `kind`.
 *
 * @example
 * ```ts
 * import { poissonSampledEvent, gaussianEvent, selfComposedEvent, type DpEvent } from 'responsible-tfjs/privacy';
 * const dpSgd: DpEvent = selfComposedEvent(poissonSampledEvent(0.004, gaussianEvent(1.1)), 10000);
 * ```
 */
export type DpEvent =
  | GaussianDpEvent
  | LaplaceDpEvent
  | PoissonSampledDpEvent
  | SelfComposedDpEvent
  | ComposedDpEvent
  | NoOpDpEvent
  | NonPrivateDpEvent
  | EpsilonDeltaDpEvent
  | ZcdpDpEvent
  | RandomizedResponseDpEvent
  | ExponentialDpEvent
  | PermuteAndFlipDpEvent
  | DiscreteLaplaceDpEvent
  | MixtureOfGaussiansDpEvent
  | TruncatedSubsampledGaussianDpEvent
  | SampledWithoutReplacementDpEvent
  | RepeatAndSelectDpEvent;


/**
 * A validated {@link GaussianDpEvent}.
 *
 * @param noiseMultiplier - Noise standard deviation over L2 sensitivity, > 0.
 * @example
 * ```ts
 * import { gaussianEvent } from 'responsible-tfjs/privacy';
 * const e = gaussianEvent(1.1); // { kind: 'gaussian', noiseMultiplier: 1.1 }
 * ```
 */
export function gaussianEvent(noiseMultiplier: number): GaussianDpEvent {
  positiveNumber('gaussianEvent', 'noiseMultiplier', noiseMultiplier);
  return Object.freeze({ kind: 'gaussian', noiseMultiplier });
}

/**
 * A validated {@link LaplaceDpEvent}.
 *
 * @param noiseMultiplier - Laplace scale over L1 sensitivity, > 0.
 * @example
 * ```ts
 * import { laplaceEvent } from 'responsible-tfjs/privacy';
 * const e = laplaceEvent(2); // a (1/2)-DP release
 * ```
 */
export function laplaceEvent(noiseMultiplier: number): LaplaceDpEvent {
  positiveNumber('laplaceEvent', 'noiseMultiplier', noiseMultiplier);
  return Object.freeze({ kind: 'laplace', noiseMultiplier });
}

/**
 * A validated {@link PoissonSampledDpEvent}.
 *
 * @param sampleRate - Inclusion probability in [0, 1].
 * @param event - The mechanism run on the subsample.
 * @example
 * ```ts
 * import { poissonSampledEvent, gaussianEvent } from 'responsible-tfjs/privacy';
 * const e = poissonSampledEvent(256 / 60000, gaussianEvent(1.1));
 * ```
 */
export function poissonSampledEvent(sampleRate: number, event: DpEvent): PoissonSampledDpEvent {
  numberInRange('poissonSampledEvent', 'sampleRate', sampleRate, { min: 0, max: 1 });
  assertEvent('poissonSampledEvent', 'event', event);
  return Object.freeze({ kind: 'poissonSampled', sampleRate, event });
}

/**
 * A validated {@link SelfComposedDpEvent}.
 *
 * @param event - The repeated mechanism.
 * @param count - Number of repetitions, an integer >= 0.
 * @example
 * ```ts
 * import { selfComposedEvent, laplaceEvent } from 'responsible-tfjs/privacy';
 * const e = selfComposedEvent(laplaceEvent(10), 5);
 * ```
 */
export function selfComposedEvent(event: DpEvent, count: number): SelfComposedDpEvent {
  assertEvent('selfComposedEvent', 'event', event);
  nonNegativeInteger('selfComposedEvent', 'count', count);
  return Object.freeze({ kind: 'selfComposed', event, count });
}

/**
 * A validated {@link ComposedDpEvent}.
 *
 * @param events - The events, in order (may be empty: no privacy cost).
 * @example
 * ```ts
 * import { composedEvent, gaussianEvent, laplaceEvent } from 'responsible-tfjs/privacy';
 * const e = composedEvent([gaussianEvent(2), laplaceEvent(3)]);
 * ```
 */
export function composedEvent(events: readonly DpEvent[]): ComposedDpEvent {
  if (!Array.isArray(events)) invalid('composedEvent', 'events', events, 'an array of DpEvent');
  for (let i = 0; i < events.length; i++) assertEvent('composedEvent', `events[${i}]`, events[i]); // holes included
  return Object.freeze({ kind: 'composed', events: Object.freeze([...events]) });
}

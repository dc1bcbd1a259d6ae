/**
 * Epsilon-DP and (epsilon, delta)-DP events (internal file, re-exported by dpEvent.ts):
 * dp_accounting's (epsilon, delta), exponential, permute-and-flip and discrete Laplace events.
 */
import { nonNegativeNumber, numberInRange, positiveInteger, positiveNumber } from '../../../core/validate.js';

/** A black-box (epsilon, delta)-DP mechanism (dp_accounting's `EpsilonDeltaDpEvent`). */
export interface EpsilonDeltaDpEvent {
  /** Discriminant. */
  readonly kind: 'epsilonDelta';
  /** Epsilon of the mechanism, finite and >= 0. */
  readonly epsilon: number;
  /** Delta of the mechanism, in [0, 1]. */
  readonly delta: number;
}

/**
 * The epsilon-DP exponential mechanism (dp_accounting's `ExponentialMechanismDpEvent`); RDP uses
 * that it is epsilon-bounded range (Cesar and Rogers 2021).
 */
export interface ExponentialDpEvent {
  /** Discriminant. */
  readonly kind: 'exponential';
  /** Epsilon of the mechanism, finite and >= 0. */
  readonly epsilon: number;
}

/**
 * The epsilon-DP permute-and-flip mechanism (McKenna and Sheldon 2020; dp_accounting's
 * `PermuteAndFlipDpEvent`): accounted as a Laplace mechanism with scale 1/epsilon.
 */
export interface PermuteAndFlipDpEvent {
  /** Discriminant. */
  readonly kind: 'permuteAndFlip';
  /** Epsilon of the mechanism, finite and >= 0. */
  readonly epsilon: number;
}

/**
 * The discrete Laplace mechanism on integers (dp_accounting's `DiscreteLaplaceDpEvent`): noise with
 * probability mass ∝ exp(−noiseParameter·|x|) added to an integer query of L1 sensitivity `sensitivity`.
 */
export interface DiscreteLaplaceDpEvent {
  /** Discriminant. */
  readonly kind: 'discreteLaplace';
  /** Decay parameter a of the noise, > 0 (a single release is (a·sensitivity)-DP). */
  readonly noiseParameter: number;
  /** L1 sensitivity of the integer query, an integer >= 1. */
  readonly sensitivity: number;
}

/**
 * A validated {@link EpsilonDeltaDpEvent}.
 *
 * @param epsilon - Finite, >= 0.
 * @param delta - In [0, 1].
 * @example
 * ```ts
 * import { epsilonDeltaEvent } from 'responsible-tfjs/privacy';
 * const e = epsilonDeltaEvent(0.5, 1e-7); // { kind: 'epsilonDelta', epsilon: 0.5, delta: 1e-7 }
 * ```
 */
export function epsilonDeltaEvent(epsilon: number, delta: number): EpsilonDeltaDpEvent {
  return checked('epsilonDeltaEvent', { kind: 'epsilonDelta', epsilon, delta });
}

/**
 * A validated {@link ExponentialDpEvent}.
 *
 * @param epsilon - Finite, >= 0.
 * @example
 * ```ts
 * import { exponentialEvent } from 'responsible-tfjs/privacy';
 * const e = exponentialEvent(0.1);
 * ```
 */
export function exponentialEvent(epsilon: number): ExponentialDpEvent {
  return checked('exponentialEvent', { kind: 'exponential', epsilon });
}

/**
 * A validated {@link PermuteAndFlipDpEvent}.
 *
 * @param epsilon - Finite, >= 0.
 * @example
 * ```ts
 * import { permuteAndFlipEvent } from 'responsible-tfjs/privacy';
 * const e = permuteAndFlipEvent(0.1);
 * ```
 */
export function permuteAndFlipEvent(epsilon: number): PermuteAndFlipDpEvent {
  return checked('permuteAndFlipEvent', { kind: 'permuteAndFlip', epsilon });
}

/**
 * A validated {@link DiscreteLaplaceDpEvent}.
 *
 * @param noiseParameter - Decay parameter of the noise, > 0.
 * @param sensitivity - L1 sensitivity, an integer >= 1.
 * @example
 * ```ts
 * import { discreteLaplaceEvent } from 'responsible-tfjs/privacy';
 * const e = discreteLaplaceEvent(0.5, 1); // a 0.5-DP integer count
 * ```
 */
export function discreteLaplaceEvent(noiseParameter: number, sensitivity: number): DiscreteLaplaceDpEvent {
  return checked('discreteLaplaceEvent', { kind: 'discreteLaplace', noiseParameter, sensitivity });
}

/** The events of this file. */
export type PureDpEvent = EpsilonDeltaDpEvent | ExponentialDpEvent | PermuteAndFlipDpEvent | DiscreteLaplaceDpEvent;

/**
 * Validates the fields of an epsilon-DP event (internal), naming them `${prefix}field`; shared by
 * the builders (prefix '') and `assertEvent`.
 */
export function checkPureDpEvent(fn: string, prefix: string, e: PureDpEvent): void {
  switch (e.kind) {
    case 'epsilonDelta':
      nonNegativeNumber(fn, `${prefix}epsilon`, e.epsilon);
      numberInRange(fn, `${prefix}delta`, e.delta, { min: 0, max: 1 });
      return;
    case 'exponential':
    case 'permuteAndFlip':
      nonNegativeNumber(fn, `${prefix}epsilon`, e.epsilon);
      return;
    case 'discreteLaplace':
      positiveNumber(fn, `${prefix}noiseParameter`, e.noiseParameter);
      positiveInteger(fn, `${prefix}sensitivity`, e.sensitivity);
      return;
  }
}

function checked<T extends PureDpEvent>(fn: string, e: T): T {
  checkPureDpEvent(fn, '', e);
  return Object.freeze(e);
}

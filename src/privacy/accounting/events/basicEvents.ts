/**
 * Events without a nested event or an epsilon (internal file, re-exported by dpEvent.ts):
 * dp_accounting's no-op, non-private, zCDP and randomized-response events.
 */
import { nonNegativeNumber, numberInRange, positiveInteger } from '../../../core/validate.js';

/** An operation with no privacy cost (dp_accounting's `NoOpDpEvent`). */
export interface NoOpDpEvent {
  /** Discriminant. */
  readonly kind: 'noOp';
}

/**
 * An operation that is not differentially private (dp_accounting's `NonPrivateDpEvent`): once
 * composed, every accountant reports epsilon = Infinity (and delta = 1).
 */
export interface NonPrivateDpEvent {
  /** Discriminant. */
  readonly kind: 'nonPrivate';
}

/**
 * A mechanism satisfying (xi, rho)-zCDP, i.e. (alpha, xi + rho·alpha)-RDP at every order
 * (Bun and Steinke 2016; dp_accounting's `ZCDpEvent`).
 */
export interface ZcdpDpEvent {
  /** Discriminant. */
  readonly kind: 'zcdp';
  /** Multiplicative constant of the RDP bound, finite and >= 0 (a Gaussian with noise multiplier s has rho = 1/(2s²)). */
  readonly rho: number;
  /** Additive constant of the RDP bound, finite and >= 0 (0 for plain rho-zCDP). */
  readonly xi: number;
}

/**
 * k-ary randomized response (dp_accounting's `RandomizedResponseDpEvent`): with probability
 * `1 − noiseParameter` the true bucket is released, otherwise a uniformly random one of `numBuckets`.
 */
export interface RandomizedResponseDpEvent {
  /** Discriminant. */
  readonly kind: 'randomizedResponse';
  /** Probability of answering at random, in [0, 1] (0: no privacy, 1: no information). */
  readonly noiseParameter: number;
  /** Number of buckets k, an integer >= 1. */
  readonly numBuckets: number;
}

const NO_OP: NoOpDpEvent = /* @__PURE__ */ Object.freeze({ kind: 'noOp' });
const NON_PRIVATE: NonPrivateDpEvent = /* @__PURE__ */ Object.freeze({ kind: 'nonPrivate' });

/**
 * The {@link NoOpDpEvent}: a placeholder that costs nothing.
 *
 * @example
 * ```ts
 * import { noOpEvent, createAccountant } from 'responsible-tfjs/privacy';
 * createAccountant('rdp').compose(noOpEvent()).getEpsilon(1e-5); // 0
 * ```
 */
export function noOpEvent(): NoOpDpEvent {
  return NO_OP;
}

/**
 * The {@link NonPrivateDpEvent}: records a release without a privacy guarantee.
 *
 * @example
 * ```ts
 * import { nonPrivateEvent, createAccountant } from 'responsible-tfjs/privacy';
 * createAccountant('rdp').compose(nonPrivateEvent()).getEpsilon(1e-5); // Infinity
 * ```
 */
export function nonPrivateEvent(): NonPrivateDpEvent {
  return NON_PRIVATE;
}

/**
 * A validated {@link ZcdpDpEvent}.
 *
 * @param rho - Finite, >= 0.
 * @param xi - Finite, >= 0 (default 0).
 * @example
 * ```ts
 * import { zcdpEvent } from 'responsible-tfjs/privacy';
 * const e = zcdpEvent(0.125); // as private as a Gaussian with noise multiplier 2
 * ```
 */
export function zcdpEvent(rho: number, xi = 0): ZcdpDpEvent {
  return checked('zcdpEvent', { kind: 'zcdp', rho, xi });
}

/**
 * A validated {@link RandomizedResponseDpEvent}.
 *
 * @param noiseParameter - Probability of a random answer, in [0, 1].
 * @param numBuckets - Number of buckets, an integer >= 1.
 * @example
 * ```ts
 * import { randomizedResponseEvent } from 'responsible-tfjs/privacy';
 * const coinFlip = randomizedResponseEvent(0.5, 2); // Warner's randomized response, ln 3-DP
 * ```
 */
export function randomizedResponseEvent(noiseParameter: number, numBuckets: number): RandomizedResponseDpEvent {
  return checked('randomizedResponseEvent', { kind: 'randomizedResponse', noiseParameter, numBuckets });
}

/** The events of this file. */
export type BasicDpEvent = NoOpDpEvent | NonPrivateDpEvent | ZcdpDpEvent | RandomizedResponseDpEvent;

/**
 * Validates the fields of a basic event (internal), naming them `${prefix}field`; shared by the
 * builders (prefix '') and `assertEvent`.
 */
export function checkBasicEvent(fn: string, prefix: string, e: BasicDpEvent): void {
  switch (e.kind) {
    case 'noOp':
    case 'nonPrivate':
      return;
    case 'zcdp':
      nonNegativeNumber(fn, `${prefix}rho`, e.rho);
      nonNegativeNumber(fn, `${prefix}xi`, e.xi);
      return;
    case 'randomizedResponse':
      numberInRange(fn, `${prefix}noiseParameter`, e.noiseParameter, { min: 0, max: 1 });
      positiveInteger(fn, `${prefix}numBuckets`, e.numBuckets);
      return;
  }
}

function checked<T extends BasicDpEvent>(fn: string, e: T): T {
  checkBasicEvent(fn, '', e);
  return Object.freeze(e);
}

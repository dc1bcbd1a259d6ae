import { InvalidArgumentError } from '../../core/errors.js';
import { invalid, numberInRange, oneOf, optionsObject, positiveInteger, positiveNumber } from '../../core/validate.js';
import type { AccountantKind, PrivacyAccountant } from './accountant.js';
import { calibrate } from './calibrate.js';
import { deltaOption } from './deltaOption.js';
import { createAccountant } from './createAccountant.js';
import type { DpEvent } from './dpEvent.js';

/**
 * Options of {@link getNoiseMultiplier}.
 */
export interface GetNoiseMultiplierOptions {
  /** The epsilon to reach (never exceeded), including what `accountant`'s history already spent. */
  readonly targetEpsilon: number;
  /** The delta at which epsilon is measured, in (0, 1) (`delta`, as in `fitPrivately`). */
  readonly delta?: number;
  /** @deprecated Use `delta`; accepted for one minor version. */
  readonly targetDelta?: number;
  /** Poisson sample rate of each step, in (0, 1]. */
  readonly sampleRate: number;
  /** Number of DP-SGD steps, an integer >= 1. */
  readonly steps: number;
  /**
   * The accountant that will be spent on (default `'rdp'`): a kind for a fresh one, or an
   * instance, whose orders, settings and history are used through clones (it is not modified).
   */
  readonly accountant?: AccountantKind | PrivacyAccountant;
  /** The result's epsilon lies in [targetEpsilon − epsilonTolerance, targetEpsilon] (default 0.01, as Opacus). */
  readonly epsilonTolerance?: number;
}

/** The event of `steps` DP-SGD steps with noise multiplier `sigma` (internal). */
export function dpSgdEvent(sigma: number, sampleRate: number, steps: number): DpEvent {
  const step: DpEvent = { kind: 'poissonSampled', sampleRate, event: { kind: 'gaussian', noiseMultiplier: sigma } };
  return steps === 1 ? step : { kind: 'selfComposed', count: steps, event: step };
}

/** A factory of accountants to evaluate candidates on: fresh ones of a kind, or clones of an instance (internal). */
export function accountantFactory(fn: string, argument: string, value: AccountantKind | PrivacyAccountant | undefined): () => PrivacyAccountant {
  if (value === undefined || typeof value === 'string') {
    const kind = oneOf(fn, argument, value ?? 'rdp', ['rdp', 'pld'] as const);
    return () => createAccountant(kind);
  }
  const a = value as Partial<PrivacyAccountant>;
  if (typeof a !== 'object' || a === null || typeof a.compose !== 'function' || typeof a.getEpsilon !== 'function' || typeof a.clone !== 'function') {
    invalid(fn, argument, value, "'rdp', 'pld' or a PrivacyAccountant");
  }
  return () => value.clone();
}

/**
 * The smallest noise multiplier (to within tolerance) for which `steps` Poisson-subsampled
 * Gaussian steps meet the target on the given accountant, like Opacus' `get_noise_multiplier`: its
 * epsilon lies in `[targetEpsilon − epsilonTolerance, targetEpsilon]`, never above the target. It
 * is {@link calibrate} over the DP-SGD event, bracketed geometrically (factors of 2) from a first
 * guess; pass the accountant you will spend on (with its orders and history) and the target is met
 * on that accountant exactly.
 *
 * @param options - Target, sampling, steps, accountant and tolerance.
 * @returns The noise multiplier (standard deviation over clipping norm).
 * @throws InvalidArgumentError when even a noise multiplier of 1e12 cannot meet the target (the
 * accountant's history alone is over it).
 * @example
 * ```ts
 * import { getNoiseMultiplier, RdpAccountant } from 'responsible-tfjs/privacy';
 * const sigma = getNoiseMultiplier({ targetEpsilon: 3, delta: 1e-5, sampleRate: 256 / 60000, steps: 14062 });
 * // ≈ 1.01 (Opacus returns 1.015625, its conservative bisection end)
 * // Calibrated on the accountant that will be spent on (custom orders):
 * const acc = new RdpAccountant({ orders: [2, 4, 8, 16, 32] });
 * const sigma2 = getNoiseMultiplier({ targetEpsilon: 3, delta: 1e-5, sampleRate: 0.01, steps: 1000, accountant: acc });
 * ```
 */
export function getNoiseMultiplier(options: GetNoiseMultiplierOptions): number {
  const fn = 'getNoiseMultiplier';
  const o = optionsObject(fn, 'options', options);
  const targetEpsilon = positiveNumber(fn, 'options.targetEpsilon', o.targetEpsilon);
  const targetDelta = deltaOption(fn, o);
  const sampleRate = numberInRange(fn, 'options.sampleRate', o.sampleRate, { min: 0, max: 1, minInclusive: false });
  const steps = positiveInteger(fn, 'options.steps', o.steps);
  const make = accountantFactory(fn, 'options.accountant', o.accountant);
  const epsilonTolerance = positiveNumber(fn, 'options.epsilonTolerance', o.epsilonTolerance ?? 0.01);
  const makeEvent = (sigma: number): DpEvent => dpSgdEvent(sigma, sampleRate, steps);
  const eps = (sigma: number): number => make().compose(makeEvent(sigma)).getEpsilon(targetDelta);
  // First guess from a fresh RDP accountant (fast); the bracket is then checked on the accountant
  // that decides. Small noise multipliers are slow to account, so the search stays above 1e-3.
  const guess = Math.min(1e6, Math.max(1e-3, rdpGuess(makeEvent, targetEpsilon, targetDelta)));
  let lo = guess;
  let hi = guess;
  if (eps(guess) > targetEpsilon) {
    do {
      lo = hi;
      hi *= 2;
      if (hi > 1e12) {
        throw new InvalidArgumentError({
          fn, argument: 'options.targetEpsilon', value: targetEpsilon, allowed: 'a target that some noise multiplier up to 1e12 can meet',
          hint: 'The accountant\'s history may already spend more than the target',
        });
      }
    } while (eps(hi) > targetEpsilon);
  } else {
    do {
      hi = lo;
      lo /= 2;
      if (lo < 1e-3) return hi;
    } while (eps(lo) <= targetEpsilon);
  }
  return calibrate({ makeEvent, targetEpsilon, delta: targetDelta, accountant: make, lowerBound: lo, upperBound: hi, epsilonTolerance }).parameter;
}

function rdpGuess(makeEvent: (s: number) => DpEvent, targetEpsilon: number, targetDelta: number): number {
  const eps = (s: number): number => createAccountant('rdp').compose(makeEvent(s)).getEpsilon(targetDelta);
  let s = 1;
  // Doubling or halving to within a factor of 2 of the RDP answer: a starting point only.
  if (eps(s) > targetEpsilon) while (eps(s) > targetEpsilon && s < 1e6) s *= 2;
  else while (eps(s / 2) <= targetEpsilon && s > 1e-3) s /= 2;
  return s;
}

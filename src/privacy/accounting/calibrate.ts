/**
 * One generic calibration: find the parameter of a mechanism family that meets a privacy target.
 */
import { InvalidArgumentError, ResponsibleError } from '../../core/errors.js';
import { invalid, oneOf, optionsObject, positiveNumber } from '../../core/validate.js';
import type { AccountantKind, PrivacyAccountant } from './accountant.js';
import { createAccountant } from './createAccountant.js';
import type { DpEvent } from './dpEvent.js';
import { deltaOption } from './deltaOption.js';

/**
 * Options of {@link calibrate}.
 */
export interface CalibrateOptions {
  /** The mechanism family: the event for a parameter value. */
  readonly makeEvent: (parameter: number) => DpEvent;
  /** The epsilon to reach, never exceeded. */
  readonly targetEpsilon: number;
  /** The delta at which epsilon is measured, in (0, 1). */
  readonly delta?: number;
  /** @deprecated Use `delta`; accepted for one minor version. */
  readonly targetDelta?: number;
  /** The accountant kind, or a factory of fresh accountants (default `'rdp'`). */
  readonly accountant?: AccountantKind | (() => PrivacyAccountant);
  /** Smallest parameter to consider (> 0). */
  readonly lowerBound: number;
  /** Largest parameter to consider; found by doubling from `lowerBound` when omitted. */
  readonly upperBound?: number;
  /**
   * `'decreasing'` when epsilon falls as the parameter grows (a noise scale: the smallest
   * admissible parameter is returned) or `'increasing'` (a sample rate or step count: the largest
   * admissible parameter is returned). Default `'decreasing'`.
   */
  readonly monotonicity?: 'decreasing' | 'increasing';
  /** Search for an integer parameter (e.g. a number of steps). Default false. */
  readonly discrete?: boolean;
  /** The result's epsilon is within `epsilonTolerance` below the target when the range allows (default 1e-3). */
  readonly epsilonTolerance?: number;
}

/**
 * Result of {@link calibrate}.
 */
export interface CalibrationResult {
  /** The calibrated parameter: its epsilon never exceeds the target. */
  readonly parameter: number;
  /** The epsilon at `parameter`. */
  readonly epsilon: number;
  /** Accountant evaluations used. */
  readonly evaluations: number;
}

/**
 * Finds the parameter of a mechanism family that meets an (epsilon, delta) target with any
 * accountant, in the spirit of dp_accounting's `calibrate_dp_mechanism`: brackets the target, then
 * runs an Illinois (safeguarded regula falsi) search that always keeps an admissible end and
 * returns it, so the result **never overshoots** the target epsilon.
 *
 * @param options - The family, the target, the accountant and the search range.
 * @returns The admissible parameter, its epsilon and the number of evaluations.
 * @throws InvalidArgumentError when no parameter in range meets the target.
 * @example
 * ```ts
 * import { calibrate, poissonSampledEvent, gaussianEvent, selfComposedEvent } from 'responsible-tfjs/privacy';
 * // Noise multiplier for 1000 DP-SGD steps at q = 0.01 reaching epsilon 2 at delta 1e-5:
 * const { parameter } = calibrate({
 *   makeEvent: (s) => selfComposedEvent(poissonSampledEvent(0.01, gaussianEvent(s)), 1000),
 *   targetEpsilon: 2, delta: 1e-5, lowerBound: 0.3,
 * });
 * ```
 */
export function calibrate(options: CalibrateOptions): CalibrationResult {
  const fn = 'calibrate';
  const o = optionsObject(fn, 'options', options);
  if (typeof o.makeEvent !== 'function') invalid(fn, 'options.makeEvent', o.makeEvent, 'a function (parameter) => DpEvent');
  positiveNumber(fn, 'options.targetEpsilon', o.targetEpsilon);
  const delta = deltaOption(fn, o);
  positiveNumber(fn, 'options.lowerBound', o.lowerBound);
  if (o.upperBound !== undefined) {
    positiveNumber(fn, 'options.upperBound', o.upperBound);
    if (!(o.upperBound > o.lowerBound)) invalid(fn, 'options.upperBound', o.upperBound, `a number > lowerBound (${o.lowerBound})`);
  }
  const monotonicity = oneOf(fn, 'options.monotonicity', o.monotonicity ?? 'decreasing', ['decreasing', 'increasing'] as const);
  const tolerance = o.epsilonTolerance ?? 1e-3;
  positiveNumber(fn, 'epsilonTolerance', tolerance);
  const discrete = o.discrete ?? false;
  const make = typeof o.accountant === 'function' ? o.accountant : undefined;
  const kind = make === undefined ? oneOf(fn, 'options.accountant', o.accountant ?? 'rdp', ['rdp', 'pld'] as const) : 'rdp';
  const target = o.targetEpsilon;
  let evaluations = 0;
  const epsAt = (p: number): number => {
    evaluations++;
    const acc = make !== undefined ? make() : createAccountant(kind);
    return acc.compose(o.makeEvent(p)).getEpsilon(delta);
  };
  const decreasing = monotonicity === 'decreasing';
  // `good` meets the target, `bad` does not.
  let lo = discrete ? Math.ceil(o.lowerBound) : o.lowerBound;
  let hi = o.upperBound ?? Number.NaN;
  if (o.upperBound === undefined) {
    hi = lo;
    let e = epsAt(lo);
    for (let i = 0; i < 1100 && (decreasing ? e > target : e <= target); i++) {
      lo = hi;
      hi = hi * 2;
      e = epsAt(hi);
    }
    if (!decreasing && e <= target) return { parameter: hi, epsilon: e, evaluations };
  }
  if (discrete) hi = Math.floor(hi);
  let good = decreasing ? hi : lo;
  let bad = decreasing ? lo : hi;
  let eGood = epsAt(good);
  let eBad = epsAt(bad);
  if (eGood > target) {
    throw new InvalidArgumentError({
      fn,
      argument: decreasing ? 'options.upperBound' : 'options.lowerBound',
      value: good,
      allowed: `a value whose epsilon meets the target ${target}`,
      hint: `at ${good} epsilon is ${eGood}`,
    });
  }
  if (eBad <= target) return { parameter: bad, epsilon: eBad, evaluations };
  // Illinois (regula falsi with halving) on g(u) = eps − target in u = log(parameter), with
  // bisection whenever the interpolated point is unusable. good: g <= 0, bad: g > 0.
  let fGood = eGood - target;
  let fBad = eBad - target;
  let retained = 0;
  for (let iter = 0; iter < 200; iter++) {
    if (target - eGood <= tolerance) break;
    if (discrete ? Math.abs(good - bad) <= 1 : Math.abs(good - bad) <= 1e-13 * Math.abs(good)) break;
    const ug = Math.log(good);
    const ub = Math.log(bad);
    let u = Number.isFinite(fBad) ? ug - (fGood * (ub - ug)) / (fBad - fGood) : 0.5 * (ug + ub);
    const span = Math.abs(ub - ug);
    if (!(Math.abs(u - ug) > 1e-3 * span && Math.abs(u - ub) > 1e-3 * span) || iter % 4 === 3) u = 0.5 * (ug + ub);
    let p = Math.exp(u);
    if (discrete) {
      p = Math.round(p);
      if (p === good || p === bad) p = Math.floor((good + bad) / 2);
      if (p === good || p === bad) break;
    }
    const e = epsAt(p);
    if (e <= target) {
      good = p;
      eGood = e;
      fGood = e - target;
      if (retained === 1) fBad /= 2;
      retained = 1;
    } else {
      bad = p;
      eBad = e;
      fBad = e - target;
      if (retained === -1) fGood /= 2;
      retained = -1;
    }
  }
  if (!(eGood <= target)) throw new ResponsibleError('NOT_CONVERGED', `${fn}: search did not converge`);
  return { parameter: good, epsilon: eGood, evaluations };
}

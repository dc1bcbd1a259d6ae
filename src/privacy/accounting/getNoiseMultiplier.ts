import { numberInRange, oneOf, optionsObject, positiveInteger, positiveNumber } from '../../core/validate.js';
import type { AccountantKind, PrivacyAccountant } from './accountant.js';
import { PldAccountant } from './pldAccountant.js';
import { calibrate } from './calibrate.js';
import { createAccountant } from './createAccountant.js';
import type { DpEvent } from './dpEvent.js';

/**
 * Options of {@link getNoiseMultiplier}.
 *
 * @example
 * ```ts
 * import type { GetNoiseMultiplierOptions } from 'responsible-tfjs/privacy';
 * const o: GetNoiseMultiplierOptions = { targetEpsilon: 3, targetDelta: 1e-5, sampleRate: 0.004, steps: 14062 };
 * ```
 */
export interface GetNoiseMultiplierOptions {
  /** The epsilon to reach (never exceeded). */
  readonly targetEpsilon: number;
  /** The delta at which epsilon is measured, in (0, 1). */
  readonly targetDelta: number;
  /** Poisson sample rate of each step, in (0, 1]. */
  readonly sampleRate: number;
  /** Number of DP-SGD steps, an integer >= 1. */
  readonly steps: number;
  /** Which accountant to use (default `'rdp'`). */
  readonly accountant?: AccountantKind;
  /** The result's epsilon lies in [targetEpsilon − epsilonTolerance, targetEpsilon] (default 0.01, as Opacus). */
  readonly epsilonTolerance?: number;
}

/**
 * The smallest noise multiplier (to within tolerance) for which `steps` Poisson-subsampled
 * Gaussian steps meet the target, like Opacus' `get_noise_multiplier` but with a faster
 * (Illinois) search: its epsilon lies in `[targetEpsilon − epsilonTolerance, targetEpsilon]`,
 * never above the target.
 *
 * @param options - Target, sampling, steps, accountant and tolerance.
 * @returns The noise multiplier (standard deviation over clipping norm).
 * @example
 * ```ts
 * import { getNoiseMultiplier } from 'responsible-tfjs/privacy';
 * const sigma = getNoiseMultiplier({ targetEpsilon: 3, targetDelta: 1e-5, sampleRate: 256 / 60000, steps: 14062 });
 * // ≈ 1.01 (Opacus returns 1.015625, its conservative bisection end)
 * ```
 */
export function getNoiseMultiplier(options: GetNoiseMultiplierOptions): number {
  const fn = 'getNoiseMultiplier';
  const o = optionsObject(fn, 'options', options);
  positiveNumber(fn, 'targetEpsilon', o.targetEpsilon);
  numberInRange(fn, 'targetDelta', o.targetDelta, { min: 0, max: 1, minInclusive: false, maxInclusive: false });
  numberInRange(fn, 'sampleRate', o.sampleRate, { min: 0, max: 1, minInclusive: false });
  positiveInteger(fn, 'steps', o.steps);
  const accountant = oneOf(fn, 'accountant', o.accountant ?? 'rdp', ['rdp', 'pld'] as const);
  const epsilonTolerance = o.epsilonTolerance ?? 0.01;
  positiveNumber(fn, 'epsilonTolerance', epsilonTolerance);
  const makeEvent = (sigma: number): DpEvent => ({
    kind: 'selfComposed',
    count: o.steps,
    event: { kind: 'poissonSampled', sampleRate: o.sampleRate, event: { kind: 'gaussian', noiseMultiplier: sigma } },
  });
  const common = { makeEvent, targetEpsilon: o.targetEpsilon, targetDelta: o.targetDelta, epsilonTolerance };
  // Bracket geometrically from sigma = 1 (small sigmas make the fractional-order series slow).
  const epsRdp = (s: number): number => createAccountant('rdp').compose(makeEvent(s)).getEpsilon(o.targetDelta);
  let lo = 1;
  let hi = 1;
  if (epsRdp(1) > o.targetEpsilon) {
    while (epsRdp(hi) > o.targetEpsilon && hi < 1e12) {
      lo = hi;
      hi *= 2;
    }
  } else {
    while (epsRdp(lo) <= o.targetEpsilon && lo > 1e-3) {
      hi = lo;
      lo /= 2;
    }
  }
  const rdpSigma = lo === hi ? hi : calibrate({ ...common, accountant: 'rdp', lowerBound: lo, upperBound: hi }).parameter;
  if (accountant === 'rdp') return rdpSigma;
  // PLD is tighter than RDP, so the RDP answer brackets it from above. A coarse grid (1e-3, ten
  // times cheaper) narrows the bracket first; the default grid then refines it. Every bracket end
  // is checked with the accountant that decides, so the answer still never overshoots.
  const coarse = (): PrivacyAccountant => new PldAccountant({ valueDiscretizationInterval: 1e-3 });
  const epsWith = (make: () => PrivacyAccountant, s: number): number => make().compose(makeEvent(s)).getEpsilon(o.targetDelta);
  const fine = (): PrivacyAccountant => createAccountant('pld');
  let upper = rdpSigma;
  while (epsWith(coarse, upper) > o.targetEpsilon) upper *= 1.25;
  let lower = upper * 0.85;
  while (epsWith(coarse, lower) <= o.targetEpsilon) {
    upper = lower;
    lower *= 0.85;
  }
  const sigmaCoarse = calibrate({ ...common, accountant: coarse, lowerBound: lower, upperBound: upper }).parameter;
  upper = sigmaCoarse;
  while (epsWith(fine, upper) > o.targetEpsilon) upper *= 1.02;
  lower = upper * 0.97;
  while (epsWith(fine, lower) <= o.targetEpsilon) {
    upper = lower;
    lower *= 0.97;
  }
  return calibrate({ ...common, accountant: 'pld', lowerBound: lower, upperBound: upper }).parameter;
}

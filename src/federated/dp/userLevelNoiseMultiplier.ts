/**
 * Calibration of DP-FedAvg's noise multiplier for a user-level privacy target.
 */
import { invalid, numberInRange, oneOf, optionsObject, positiveInteger, positiveNumber } from '../../core/validate.js';
import type { AccountantKind } from '../../privacy/accounting/accountant.js';
import { calibrate } from '../../privacy/accounting/calibrate.js';
import { getNoiseMultiplier } from '../../privacy/accounting/getNoiseMultiplier.js';
import { userLevelAccountant, userLevelEvent, type ClientSampling } from './userLevelPrivacy.js';

/** Options of {@link userLevelNoiseMultiplier}. */
export interface UserLevelNoiseMultiplierOptions {
  /** The user-level epsilon to reach, never exceeded. */
  readonly targetEpsilon: number;
  /** The delta at which it is measured, in (0, 1). */
  readonly delta: number;
  /** Number of rounds, an integer >= 1. */
  readonly rounds: number;
  /** The client sampling (see {@link userLevelPrivacy}); Poisson sample rates must be > 0 here, uniform `clientsPerRound` >= 1. */
  readonly sampling: ClientSampling;
  /** `'rdp'` (default) or `'pld'` (Poisson sampling only). */
  readonly accountant?: AccountantKind;
  /** The result's epsilon lies in [targetEpsilon − epsilonTolerance, targetEpsilon] (default 0.01). */
  readonly epsilonTolerance?: number;
}

/**
 * The smallest noise multiplier (to within tolerance) for which {@link userLevelPrivacy} with the
 * same rounds, sampling and accountant reports at most `targetEpsilon`. Poisson sampling goes
 * through the privacy module's `getNoiseMultiplier` (the same mechanism as DP-SGD, with clients
 * for examples and rounds for steps); uniform sampling through its generic `calibrate` under the
 * replace-one relation, searching from 0.1 upwards. The answer never overshoots the target.
 *
 * @param options - Target, delta, rounds, sampling, accountant, tolerance.
 * @returns The noise multiplier (noise std over the clip norm, on the sum of clipped updates).
 * @example
 * ```ts
 * import { userLevelNoiseMultiplier } from 'responsible-tfjs/federated';
 * const z = userLevelNoiseMultiplier({
 *   targetEpsilon: 2, delta: 1e-6, rounds: 1000, sampling: { method: 'poisson', sampleRate: 1e-3 },
 * });
 * ```
 */
export function userLevelNoiseMultiplier(options: UserLevelNoiseMultiplierOptions): number {
  const fn = 'userLevelNoiseMultiplier';
  const o = optionsObject(fn, 'options', options);
  const targetEpsilon = positiveNumber(fn, 'options.targetEpsilon', o.targetEpsilon);
  const delta = numberInRange(fn, 'options.delta', o.delta, { min: 0, max: 1, minInclusive: false, maxInclusive: false });
  const rounds = positiveInteger(fn, 'options.rounds', o.rounds);
  const accountant = oneOf(fn, 'options.accountant', o.accountant ?? 'rdp', ['rdp', 'pld'] as const);
  const epsilonTolerance = positiveNumber(fn, 'options.epsilonTolerance', o.epsilonTolerance ?? 0.01);
  // Validates the sampling (with a placeholder noise multiplier) and gives its relation.
  const { relation } = userLevelEvent(fn, o.sampling, 1, rounds);
  if (relation === 'addOrRemoveOne') {
    const sampleRate = (o.sampling as { sampleRate: number }).sampleRate;
    if (sampleRate === 0) invalid(fn, 'options.sampling.sampleRate', 0, 'a number in (0, 1]', 'A sample rate of 0 releases nothing; any noise multiplier meets the target');
    return getNoiseMultiplier({ targetEpsilon, delta, sampleRate, steps: rounds, accountant: userLevelAccountant(accountant, relation), epsilonTolerance });
  }
  if (accountant === 'pld') {
    invalid(fn, 'options.accountant', accountant, "'rdp' with uniform sampling", 'The PLD accountant has no distribution for sampling without replacement');
  }
  const s = o.sampling as { clientsPerRound: number };
  if (s.clientsPerRound === 0) invalid(fn, 'options.sampling.clientsPerRound', 0, 'an integer >= 1', 'Sampling no client releases nothing');
  const makeEvent = (z: number) => userLevelEvent(fn, o.sampling, z, rounds).event;
  const make = () => userLevelAccountant('rdp', relation);
  // Bracket by doubling from a small multiplier; calibrate then never returns an epsilon above the target.
  return calibrate({ makeEvent, targetEpsilon, delta, accountant: make, lowerBound: 0.1, epsilonTolerance }).parameter;
}

/**
 * User-level (client-level) privacy of DP-FedAvg: one client's whole dataset is the unit protected
 * (McMahan et al. 2018, https://arxiv.org/abs/1710.06963), accounted with the privacy module.
 */
import { invalid, nonNegativeInteger, numberInRange, oneOf, optionsObject, positiveInteger, positiveNumber } from '../../core/validate.js';
import type { AccountantKind, NeighboringRelation, PrivacyAccountant } from '../../privacy/accounting/accountant.js';
import { PldAccountant } from '../../privacy/accounting/pldAccountant.js';
import { RdpAccountant } from '../../privacy/accounting/rdpAccountant.js';
import { DP_ACCOUNTING_RDP_ORDERS } from '../../privacy/accounting/rdp/orders.js';
import type { DpEvent } from '../../privacy/accounting/dpEvent.js';

/**
 * How the clients of each round are chosen:
 * - `'poisson'`: each client joins independently with probability `sampleRate` (the analysis of
 *   McMahan et al. 2018); accounted under add-or-remove-one-client.
 * - `'uniform'`: exactly `clientsPerRound` distinct clients out of `numClients`, uniformly; the
 *   population size is public, accounted under replace-one-client (Wang et al. 2019's bound for
 *   sampling without replacement).
 */
export type ClientSampling =
  | { readonly method: 'poisson'; readonly sampleRate: number }
  | { readonly method: 'uniform'; readonly clientsPerRound: number; readonly numClients: number };

/** Options of {@link userLevelPrivacy}. */
export interface UserLevelPrivacyOptions {
  /** Number of rounds run (or planned), an integer >= 0. */
  readonly rounds: number;
  /** The client sampling actually used. */
  readonly sampling: ClientSampling;
  /**
   * Noise multiplier of each round: noise std on the sum of clipped updates over the clipping norm,
   * > 0 (with adaptive clipping: the total `noiseMultiplier` given to {@link adaptiveNoiseMultipliers};
   * with distributed noise and dropouts: {@link effectiveDistributedNoiseMultiplier}).
   */
  readonly noiseMultiplier: number;
  /** The delta at which epsilon is reported, in (0, 1). */
  readonly delta: number;
  /**
   * `'rdp'` (default; Rényi DP with dp_accounting's orders 1.1 to 1024) or `'pld'` (tighter;
   * Poisson sampling only: the PLD accountant has no distribution for sampling without replacement).
   */
  readonly accountant?: AccountantKind;
}

/** Result of {@link userLevelPrivacy}. */
export interface UserLevelPrivacy {
  /** User-level epsilon: the guarantee protects all of one client's data. */
  readonly epsilon: number;
  /** The delta it holds at. */
  readonly delta: number;
  /** The neighbouring relation of the guarantee: `'addOrRemoveOne'` (Poisson) or `'replaceOne'` (uniform), of clients. */
  readonly neighboringRelation: NeighboringRelation;
  /** The accountant used. */
  readonly accountant: AccountantKind;
  /**
   * The mechanism accounted, as a privacy-module event: compose it into your own accountant
   * (created with `neighboringRelation`) to combine it with other releases.
   */
  readonly event: DpEvent;
}

/**
 * A fresh accountant for user-level accounting (internal). The RDP accountant gets dp_accounting's
 * orders (up to 1024), not Opacus' (up to 63): with the tiny client sampling rates of cross-device
 * FL the best order is large, and orders stopping at 63 leave epsilon stuck near 0.17 at δ = 1e-5.
 */
export function userLevelAccountant(kind: AccountantKind, relation: NeighboringRelation): PrivacyAccountant {
  return kind === 'rdp'
    ? new RdpAccountant({ orders: DP_ACCOUNTING_RDP_ORDERS, neighboringRelation: relation })
    : new PldAccountant({ neighboringRelation: relation });
}

/** The event of `rounds` rounds and the relation it is accounted under (internal). */
export function userLevelEvent(fn: string, sampling: ClientSampling, noiseMultiplier: number, rounds: number): { event: DpEvent; relation: NeighboringRelation } {
  const s = optionsObject(fn, 'options.sampling', sampling) as Partial<{ method: string; sampleRate: number; clientsPerRound: number; numClients: number }>;
  const method = oneOf(fn, 'options.sampling.method', s.method, ['poisson', 'uniform'] as const);
  const gaussian: DpEvent = { kind: 'gaussian', noiseMultiplier };
  let one: DpEvent;
  let relation: NeighboringRelation;
  if (method === 'poisson') {
    const sampleRate = numberInRange(fn, 'options.sampling.sampleRate', s.sampleRate, { min: 0, max: 1 });
    one = { kind: 'poissonSampled', sampleRate, event: gaussian };
    relation = 'addOrRemoveOne';
  } else {
    const numClients = positiveInteger(fn, 'options.sampling.numClients', s.numClients);
    const clientsPerRound = nonNegativeInteger(fn, 'options.sampling.clientsPerRound', s.clientsPerRound);
    if (clientsPerRound > numClients) invalid(fn, 'options.sampling.clientsPerRound', clientsPerRound, `an integer in [0, numClients = ${numClients}]`);
    one = { kind: 'sampledWithoutReplacement', sourceDatasetSize: numClients, sampleSize: clientsPerRound, event: gaussian };
    relation = 'replaceOne';
  }
  return { event: { kind: 'selfComposed', event: one, count: rounds }, relation };
}

/**
 * The user-level (epsilon, delta) of `rounds` rounds of DP-FedAvg with the given client sampling:
 * each round is a Gaussian mechanism on the sum of clipped client updates (sensitivity: one
 * client's clip norm), subsampled by the client sampling, composed over rounds.
 *
 * Relations: Poisson sampling is reported under add-or-remove-one-client; uniform fixed-size
 * sampling under replace-one-client (a replaced client moves the sum by up to twice the clip norm,
 * which the accountant accounts for: the noise multiplier is per client's contribution in both
 * cases). The two guarantees are not interchangeable; `neighboringRelation` says which one holds.
 * Tiny sample rates (1e-6 and below) are handled by the accountants' log-space series (the RDP
 * accountant uses orders up to 1024 for them); a rate or a round count of 0 releases nothing and
 * gives epsilon 0. The RDP epsilon of a positive rate stays positive: unlike dp_accounting we do
 * not apply its KL shortcut that reports 0 once the RDP falls below about δ² (the privacy
 * module's rule); the PLD accountant is tight there.
 *
 * @param options - Rounds, sampling, noise multiplier, delta, accountant.
 * @returns Epsilon, delta, relation, accountant and the accounted event.
 * @throws InvalidArgumentError for bad options, or `options.accountant = 'pld'` with uniform sampling.
 * @example
 * ```ts
 * import { userLevelPrivacy } from 'responsible-tfjs/federated';
 * // 100 of 1,000,000 clients per round (Poisson), 2000 rounds, z = 1
 * const { epsilon } = userLevelPrivacy({
 *   rounds: 2000, sampling: { method: 'poisson', sampleRate: 1e-4 }, noiseMultiplier: 1, delta: 1e-6,
 * });
 * ```
 */
export function userLevelPrivacy(options: UserLevelPrivacyOptions): UserLevelPrivacy {
  const fn = 'userLevelPrivacy';
  const o = optionsObject(fn, 'options', options);
  const rounds = nonNegativeInteger(fn, 'options.rounds', o.rounds);
  const noiseMultiplier = positiveNumber(fn, 'options.noiseMultiplier', o.noiseMultiplier);
  const delta = numberInRange(fn, 'options.delta', o.delta, { min: 0, max: 1, minInclusive: false, maxInclusive: false });
  const accountant = oneOf(fn, 'options.accountant', o.accountant ?? 'rdp', ['rdp', 'pld'] as const);
  const { event, relation } = userLevelEvent(fn, o.sampling, noiseMultiplier, rounds);
  if (accountant === 'pld' && relation === 'replaceOne') {
    invalid(fn, 'options.accountant', accountant, "'rdp' with uniform sampling", 'The PLD accountant has no distribution for sampling without replacement; use Poisson sampling for PLD');
  }
  const epsilon = userLevelAccountant(accountant, relation).compose(event).getEpsilon(delta);
  return Object.freeze({ epsilon, delta, neighboringRelation: relation, accountant, event });
}

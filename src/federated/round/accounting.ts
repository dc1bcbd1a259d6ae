/**
 * User-level epsilon of a federated run so far, from the rounds it really ran: each round is the
 * sampled Gaussian mechanism at the noise multiplier it delivered (see
 * {@link deliveredNoiseMultiplier}), composed by the privacy module's accountant.
 */
import { userLevelAccountant, userLevelEvent } from '../dp/userLevelPrivacy.js';
import type { ResolvedFederatedOptions } from './options.js';
import type { RoundRecord } from './serverState.js';

/** A run's user-level guarantee. */
export interface FederatedPrivacySpent {
  /** User-level epsilon after the recorded rounds (Infinity if a round had no noise). */
  readonly epsilon: number;
  /** The delta it holds at. */
  readonly delta: number;
  /** `'addOrRemoveOne'` of a client (Poisson sampling) or `'replaceOne'` (uniform sampling). */
  readonly neighboringRelation: 'addOrRemoveOne' | 'replaceOne';
  /** Rounds accounted. */
  readonly rounds: number;
}

/** The guarantee of the rounds in `history`, or undefined without privacy. */
export function federatedPrivacySpent(options: ResolvedFederatedOptions, history: readonly RoundRecord[], numClients: number): FederatedPrivacySpent | undefined {
  const p = options.privacy;
  if (p === undefined) return undefined;
  const sampling = options.sampling.method === 'poisson'
    ? options.sampling
    : { method: 'uniform' as const, clientsPerRound: options.sampling.clientsPerRound, numClients };
  // Rounds with the same delivered multiplier compose as one self-composed event.
  const counts = new Map<number, number>();
  for (const r of history) if (r.aborted !== true) counts.set(r.noiseMultiplier ?? 0, (counts.get(r.noiseMultiplier ?? 0) ?? 0) + 1);
  let relation: 'addOrRemoveOne' | 'replaceOne' = options.sampling.method === 'poisson' ? 'addOrRemoveOne' : 'replaceOne';
  const accountant = userLevelAccountant(p.accountant, relation);
  for (const [z, count] of counts) {
    if (z === 0) return { epsilon: Infinity, delta: p.delta, neighboringRelation: relation, rounds: history.filter((r) => r.aborted !== true).length };
    const { event, relation: r } = userLevelEvent('federatedPrivacySpent', sampling, z, count);
    relation = r;
    accountant.compose(event);
  }
  return { epsilon: history.length === 0 ? 0 : accountant.getEpsilon(p.delta), delta: p.delta, neighboringRelation: relation, rounds: history.filter((r) => r.aborted !== true).length };
}

/**
 * The start of a round, the same in the simulator and the coordinator: which clients are sampled
 * (from the round's sampling stream) and the round's plan.
 */
import { sampleClients } from '../algorithms/sampleClients.js';
import type { ResolvedFederatedOptions } from './options.js';
import { planRound, type RoundPlan } from './roundPlan.js';
import { roundRng } from './seeds.js';
import type { FederatedServerState } from './serverState.js';

/** The selected clients (sorted population indices) and the plan of the round after `state`. */
export function openRound(options: ResolvedFederatedOptions, state: FederatedServerState, numClients: number): { selected: number[]; plan: RoundPlan } {
  const round = state.round;
  const rng = roundRng(options.seed, round, 'sampling');
  const selected = Array.from(sampleClients(options.sampling.method === 'uniform'
    ? { numClients, method: 'uniform', clientsPerRound: options.sampling.clientsPerRound, rng }
    : { numClients, method: 'poisson', sampleRate: options.sampling.sampleRate, rng }));
  const plan = planRound(options, {
    round,
    ...(state.clipNorm !== undefined ? { clipNorm: state.clipNorm } : {}),
    selectedClients: selected.length,
    numClients,
    size: state.weights.length,
    sharedCoordinatesSeed: roundRng(options.seed, round, 'randomK').nextUint32(),
  });
  return { selected, plan };
}

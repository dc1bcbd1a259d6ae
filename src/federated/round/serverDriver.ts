/**
 * The server half of a federated round as a driver for the coordinator
 * ({@link startCoordinator}): sampling, the plan, plain or secure aggregation across the
 * protocol's phases, and {@link finishRound}. A response that does not validate (wrong length,
 * non-finite values, a secure aggregation message from the wrong sender) drops its client from the
 * round with a log line; it never reaches the model.
 */
import { invalid, optionsObject } from '../../core/validate.js';
import { aggregateEvaluations } from '../algorithms/aggregateEvaluations.js';
import type { ClientEvaluation } from '../algorithms/evaluateClient.js';
import type { Payload } from '../protocol/payload.js';
import type { PhaseRequests, ServerRoundDriver } from '../runtime/driver.js';
import { SecAggServer } from '../secagg/server.js';
import { SecAggError } from '../secagg/errors.js';
import type { SecAggClientMessage } from '../secagg/messages.js';
import { federatedPrivacySpent, type FederatedPrivacySpent } from './accounting.js';
import { aggregateFromSecureSum, checkContribution, sumContributions, type ContributionFrom } from './aggregate.js';
import { finishRound, skipRound } from './finishRound.js';
import { resolveFederatedOptions, type FederatedOptions, type ResolvedFederatedOptions } from './options.js';
import { unpackContribution, type ContributionPacket } from './packet.js';
import { secAggNeighbours, secAggThreshold, type RoundPlan } from './roundPlan.js';
import { openRound } from './openRound.js';
import { roundRng } from './seeds.js';
import { initialServerState, serverStateFromJson, serverStateToJson, type FederatedServerState, type RoundRecord } from './serverState.js';

/** Options of {@link federatedServerDriver}. */
export interface FederatedServerDriverOptions extends FederatedOptions {
  /** The initial global weights, flat (from `readWeights(model)`). */
  readonly initialWeights: Float32Array;
  /** Every client's id; sampling picks among them, and a selected client that is not connected drops out. */
  readonly population: readonly string[];
  /** Receives a line for every dropped or refused response. */
  readonly log?: (line: string) => void;
  /** Called with the new state after every round (e.g. to evaluate or save the model). */
  readonly onRound?: (state: FederatedServerState, privacy: FederatedPrivacySpent | undefined) => void;
}

/** What the coordinator reports per round (a {@link RoundRecord} plus privacy spent). */
export interface FederatedRoundSummary extends RoundRecord {
  /** User-level epsilon after this round (privacy only). */
  readonly epsilon?: number;
  /** With `evaluateClients`: the example-weighted evaluation of the new weights by the clients that answered. */
  readonly clientEvaluation?: ClientEvaluation;
}

/** The server driver plus access to its state. */
export interface FederatedServerDriver extends ServerRoundDriver {
  /** The state after the last completed round. */
  readonly state: FederatedServerState;
}

const SECAGG_PHASES = ['advertiseKeys', 'shareKeys', 'maskedInput', 'unmask'] as const;

/**
 * A {@link ServerRoundDriver} running federated rounds with the given options, for
 * {@link startCoordinator}. The same options and seed in {@link simulateFederated} give the same
 * model, given the same contributors.
 *
 * @param options - The run's options, the initial weights and the population of client ids.
 * @returns A driver whose `state` is the server state after the last completed round.
 * @example
 * ```ts
 * import { WebSocketServer } from 'ws';
 * import { federatedServerDriver, readWeights, startCoordinator } from 'responsible-tfjs/federated';
 * const { values } = await readWeights(model);
 * const driver = federatedServerDriver({
 *   initialWeights: values, population: ['a', 'b', 'c', 'd'], rounds: 5, clientLearningRate: 0.1,
 *   sampling: { method: 'uniform', clientsPerRound: 3 },
 *   privacy: { noiseMultiplier: 0.8, clipping: { clipNorm: 1 }, noise: 'distributed', delta: 1e-5 },
 *   secureAggregation: {},
 * });
 * const coordinator = startCoordinator({ server: new WebSocketServer({ port: 8080 }), driver,
 *   authenticate: (id, token) => token === tokens.get(id), minClients: 3, phaseTimeoutMs: 30_000 });
 * await coordinator.done;
 * ```
 */
export function federatedServerDriver(options: FederatedServerDriverOptions): FederatedServerDriver {
  const fn = 'federatedServerDriver';
  const o = optionsObject(fn, 'options', options);
  if (!Array.isArray(o.population) || o.population.length === 0 || new Set(o.population).size !== o.population.length) {
    invalid(fn, 'options.population', o.population, 'a non-empty array of distinct client ids');
  }
  if (!(o.initialWeights instanceof Float32Array) || o.initialWeights.length === 0) invalid(fn, 'options.initialWeights', o.initialWeights, 'a non-empty Float32Array');
  const population = [...o.population];
  const numClients = population.length;
  const index = new Map(population.map((id, i) => [id, i]));
  const resolved: ResolvedFederatedOptions = resolveFederatedOptions(fn, o, numClients);
  const size = o.initialWeights.length;
  const log = o.log ?? (() => {});
  let state = initialServerState(resolved, o.initialWeights, numClients);

  // The round in progress.
  let plan: RoundPlan | undefined;
  let selected: number[] = [];
  let secagg: SecAggServer | undefined;
  let positions: number[] = []; // SecAgg position -> population index

  let online = new Set<string>();
  let pendingSummary: FederatedRoundSummary | undefined;
  const done = (summary: FederatedRoundSummary): { done: true; summary: Payload } => ({ done: true, summary: JSON.parse(JSON.stringify(summary)) as Payload });
  const finish = (next: FederatedServerState): PhaseRequests | { done: true; summary: Payload } => {
    state = next;
    const privacy = federatedPrivacySpent(resolved, state.history, numClients);
    o.onRound?.(state, privacy);
    const record = state.history[state.history.length - 1] as RoundRecord;
    const summary: FederatedRoundSummary = { ...record, ...(privacy !== undefined ? { epsilon: privacy.epsilon } : {}) };
    if (!resolved.evaluateClients) return done(summary);
    // Federated evaluation: the round's selected clients evaluate the new weights on their data.
    pendingSummary = summary;
    const requests = new Map<string, Payload>();
    for (const c of selected) if (online.has(population[c] as string)) requests.set(population[c] as string, { weights: state.weights });
    return { phase: 'evaluate', requests, minResponses: 0 };
  };

  const requestsFor = (phase: string, perPosition: ReadonlyMap<number, Payload>, minResponses: number): PhaseRequests => {
    const requests = new Map<string, Payload>();
    for (const [pos, payload] of perPosition) requests.set(population[positions[pos] as number] as string, payload);
    return { phase, requests, minResponses };
  };

  return {
    get rounds() { return resolved.rounds; },
    get state() { return state; },
    async beginRound(round1, connected) {
      const round = round1 - 1;
      if (round !== state.round) invalid('federatedServerDriver.beginRound', 'round', round1, `${state.round + 1} (the next round)`);
      ({ selected, plan } = openRound(resolved, state, numClients));
      online = new Set(connected);
      const offline = selected.filter((c) => !online.has(population[c] as string));
      if (offline.length > 0) log(`round ${round1}: selected clients not connected, dropped: ${offline.map((c) => population[c]).join(', ')}`);
      positions = [...selected];
      const base = { plan: plan as unknown as Payload, weights: state.weights, numClients };
      if (resolved.secureAggregation === undefined) {
        const per = new Map<number, Payload>();
        positions.forEach((c, pos) => { if (online.has(population[c] as string)) per.set(pos, { ...base, client: c }); });
        return requestsFor('train', per, 0);
      }
      const threshold = secAggThreshold(resolved, selected.length);
      const config = {
        round,
        clientIds: positions.map((_, pos) => pos),
        threshold,
        vectorLength: (plan.sharedCoordinates ?? size) + 2,
        ...(secAggNeighbours(resolved, selected.length) !== undefined ? { neighbours: secAggNeighbours(resolved, selected.length) as number } : {}),
      };
      secagg = new SecAggServer(config);
      const per = new Map<number, Payload>();
      positions.forEach((c, pos) => {
        if (online.has(population[c] as string)) per.set(pos, { ...base, client: c, secagg: { ...config, clientId: pos, selected: selected.length } as unknown as Payload });
      });
      return requestsFor('advertiseKeys', per, threshold);
    },
    async advance(phase, responses) {
      if (phase === 'evaluate') {
        const evaluations: ClientEvaluation[] = [];
        for (const [id, payload] of responses) {
          try {
            // Each client alone, so that one malformed answer drops one client.
            evaluations.push(aggregateEvaluations([payload as unknown as ClientEvaluation]));
          } catch (e) {
            log(`round ${state.round}: dropped the evaluation of ${id}: ${e instanceof Error ? e.message : String(e)}`);
          }
        }
        const summary = pendingSummary as FederatedRoundSummary;
        return done(evaluations.some((e) => e.numExamples > 0) ? { ...summary, clientEvaluation: aggregateEvaluations(evaluations) } : summary);
      }
      const round = state.round;
      if (resolved.secureAggregation === undefined) {
        const contributions: ContributionFrom[] = [];
        for (const [id, payload] of responses) {
          const c = index.get(id);
          try {
            if (c === undefined || !selected.includes(c)) invalid(fn, 'response', id, 'a client selected this round');
            const packet = payload as unknown as ContributionPacket;
            const contribution = unpackContribution(fn, packet, size);
            checkContribution(fn, c, contribution, size);
            contributions.push({
              client: c, contribution,
              ...(typeof packet.loss === 'number' ? { loss: packet.loss } : {}),
              ...(typeof packet.numExamples === 'number' ? { numExamples: packet.numExamples } : {}),
            });
          } catch (e) {
            log(`round ${round + 1}: dropped the update of ${id}: ${e instanceof Error ? e.message : String(e)}`);
          }
        }
        return finish(finishRound(state, resolved, sumContributions(contributions, selected, size), numClients));
      }
      const server = secagg as SecAggServer;
      for (const [id, payload] of responses) {
        const c = index.get(id);
        const pos = c === undefined ? -1 : positions.indexOf(c);
        try {
          const message = payload as unknown as SecAggClientMessage;
          if (pos < 0 || (message as { clientId?: unknown }).clientId !== pos) invalid(fn, 'response.clientId', (message as { clientId?: unknown }).clientId, `${pos} (the sender's position this round)`);
          server.receive(message);
        } catch (e) {
          log(`round ${round + 1} ${phase}: dropped ${id}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      try {
        const threshold = secAggThreshold(resolved, selected.length);
        const i = SECAGG_PHASES.indexOf(phase as (typeof SECAGG_PHASES)[number]);
        if (i === 0) return requestsFor('shareKeys', new Map(server.closeAdvertiseKeys().map((m) => [m.to, m as unknown as Payload])), threshold);
        if (i === 1) return requestsFor('maskedInput', new Map(server.closeShareKeys().map((m) => [m.to, m as unknown as Payload])), threshold);
        if (i === 2) return requestsFor('unmask', new Map(server.closeMaskedInput().map((m) => [m.to, m as unknown as Payload])), threshold);
        const result = await server.finish();
        const contributors = result.included.map((p) => positions[p] as number);
        return finish(finishRound(state, resolved, aggregateFromSecureSum(result.sum, contributors, selected, plan as RoundPlan, size), numClients));
      } catch (e) {
        if (!(e instanceof SecAggError) || e.kind !== 'belowThreshold') throw e;
        log(`round ${round + 1}: secure aggregation ended below its threshold (${e instanceof Error ? e.message : String(e)}); the round releases nothing`);
        return finish(skipRound(state, selected));
      }
    },
    checkpoint() {
      return serverStateToJson(state) as unknown as Payload;
    },
    restore(saved) {
      const restored = serverStateFromJson(saved);
      if (restored.weights.length !== size) invalid('federatedServerDriver.restore', 'state.weights.length', restored.weights.length, `${size}`);
      state = restored;
    },
  };
}

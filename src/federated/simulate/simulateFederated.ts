/**
 * An in-process federated run over hundreds of simulated clients, for research and for checking a
 * deployment: the same round engine as the coordinator (sampling, client contributions, secure
 * aggregation, noise, adaptive clipping, server optimizer, accounting), with clients trained one
 * after another on one model.
 */
import type { LayersModel, Tensor } from '../../core/tf.js';
import type { LabelsLike } from '../../core/labels.js';
import { betweenSteps } from '../../core/eventLoop.js';
import { invalid, optionsObject } from '../../core/validate.js';
import { InvalidArgumentError } from '../../core/errors.js';
import { evaluateClient, type ClientEvaluation } from '../algorithms/evaluateClient.js';
import { aggregateEvaluations } from '../algorithms/aggregateEvaluations.js';
import { trainClient } from '../algorithms/trainClient.js';
import { readWeights } from '../weights/readWeights.js';
import { writeWeights } from '../weights/writeWeights.js';
import { runSecAggInProcess } from '../secagg/inProcess.js';
import { SecAggError } from '../secagg/errors.js';
import type { SecAggPhase } from '../secagg/messages.js';
import { federatedPrivacySpent, type FederatedPrivacySpent } from '../round/accounting.js';
import { aggregateFromSecureSum, checkContribution, sumContributions, type ContributionFrom } from '../round/aggregate.js';
import { contributeUpdate, encodeContribution } from '../round/clientContribution.js';
import { finishRound, skipRound, type RoundAggregate } from '../round/finishRound.js';
import { resolveFederatedOptions, type FederatedOptions } from '../round/options.js';
import { packContribution, packetBytes, unpackContribution } from '../round/packet.js';
import { secAggNeighbours, secAggThreshold } from '../round/roundPlan.js';
import { openRound } from '../round/openRound.js';
import { roundRng } from '../round/seeds.js';
import { initialServerState, type FederatedServerState, type RoundRecord } from '../round/serverState.js';

/** One simulated client's local data. */
export interface SimulatedClient {
  /** Inputs `[n, ...]`. */
  readonly x: Tensor;
  /** Targets (class indices, one-hot, or values; as the loss expects). */
  readonly y: LabelsLike;
}

/** Which selected clients drop out of a round, and when. */
export interface SimulatedDropout {
  /** Clients (indices into `clients`) that never answer this round from `phase` on. */
  readonly clients: readonly number[];
  /** `'train'`: before sending anything; or a secure aggregation phase. */
  readonly phase: 'train' | SecAggPhase;
}

/** What one simulated round reports. */
export interface SimulatedRound extends RoundRecord {
  /** Evaluation of the new global weights on `options.evaluation` (if given). */
  readonly evaluation?: ClientEvaluation;
  /** With `evaluateClients`: the example-weighted evaluation of the new weights on the selected clients' own data. */
  readonly clientEvaluation?: ClientEvaluation;
  /** User-level privacy spent after this round (privacy only). */
  readonly privacy?: FederatedPrivacySpent;
  /** Bytes of update payload the contributors sent (values or their encodings; masked vectors under secure aggregation). */
  readonly bytesUp: number;
  /** Bytes of global weights sent to the selected clients. */
  readonly bytesDown: number;
  /** Clients whose update could not be sent (e.g. outside secure aggregation's fixed-point bound), and why: they count as dropouts. */
  readonly failed: readonly { readonly client: number; readonly reason: string }[];
}

/** Options of {@link simulateFederated}. */
export interface SimulateFederatedOptions extends FederatedOptions {
  /** The architecture, with the initial global weights. Its weights end as the final global weights. */
  readonly model: LayersModel;
  /** One entry per client. */
  readonly clients: readonly SimulatedClient[];
  /** A held-out set evaluated after every round. */
  readonly evaluation?: { readonly x: Tensor; readonly y: LabelsLike; readonly batchSize?: number };
  /** Dropouts per round (e.g. to replay what a networked run saw). */
  readonly dropouts?: (round: number, selected: readonly number[]) => readonly SimulatedDropout[];
  /** Called after every round. */
  readonly onRound?: (round: SimulatedRound) => void | Promise<void>;
  /** Resume from a saved server state (its `round` rounds are skipped). */
  readonly initialState?: FederatedServerState;
  /** Stops the run between two client trainings with an `AbortedError`. */
  readonly signal?: AbortSignal;
}

/** The outcome of {@link simulateFederated}. */
export interface SimulateFederatedResult {
  /** The final server state (weights, optimizer, clip norm, history); checkpoint it with `serverStateToJson`. */
  readonly state: FederatedServerState;
  /** One report per round run. */
  readonly rounds: readonly SimulatedRound[];
  /** User-level privacy of the whole run (privacy only). */
  readonly privacy?: FederatedPrivacySpent;
}

/**
 * Simulates federated training: every round samples clients, trains each selected one locally
 * from the global weights, turns its update into its contribution (clip, noise share, compression,
 * fixed-point encoding) exactly as a networked client would, aggregates (in the clear, or through
 * the full secure aggregation protocol run in process), and lets the server finish the round
 * (central noise, adaptive clip, server optimizer). Privacy is accounted per round at the noise
 * really delivered.
 *
 * @param options - The model, the clients' data and the run's {@link FederatedOptions}.
 * @returns The final state, a report per round and the run's user-level privacy.
 * @throws InvalidArgumentError for invalid options; AbortedError when `signal` aborts.
 * @example
 * ```ts
 * import { simulateFederated, dirichletPartition } from 'responsible-tfjs/federated';
 * import * as tf from '@tensorflow/tfjs-core';
 * // x: [n, 64] digits, labels: Int32Array; 100 non-IID clients
 * const parts = dirichletPartition({ labels, numClients: 100, alpha: 0.5, rng: seededRng(1) });
 * const clients = parts.map((rows) => ({ x: tf.gather(x, rows), y: tf.gather(y, rows) }));
 * const { rounds, privacy } = await simulateFederated({
 *   model, clients, rounds: 20, clientLearningRate: 0.1,
 *   sampling: { method: 'poisson', sampleRate: 0.1 },
 *   privacy: { noiseMultiplier: 1, clipping: { clipNorm: 1 }, delta: 1e-3 },
 *   evaluation: { x: xTest, y: yTest },
 *   seed: 'demo', // reproducible: for experiments only
 * });
 * console.log(rounds.at(-1)?.evaluation?.accuracy, privacy?.epsilon);
 * ```
 */
export async function simulateFederated(options: SimulateFederatedOptions): Promise<SimulateFederatedResult> {
  const fn = 'simulateFederated';
  const o = optionsObject(fn, 'options', options);
  if (!Array.isArray(o.clients) || o.clients.length === 0) invalid(fn, 'options.clients', o.clients, 'a non-empty array of { x, y }');
  const numClients = o.clients.length;
  const resolved = resolveFederatedOptions(fn, o, numClients);
  const model = o.model;
  const initial = await readWeights(model);
  const layout = initial.layout;
  const size = layout.size;
  let state = o.initialState ?? initialServerState(resolved, initial.values, numClients);
  if (state.weights.length !== size) invalid(fn, 'options.initialState.weights.length', state.weights.length, `${size} (the model's trainable weights)`);
  const residuals = new Map<number, Float32Array>();
  const reports: SimulatedRound[] = [];
  for (let round = state.round; round < resolved.rounds; round++) {
    const { selected, plan } = openRound(resolved, state, numClients);
    const dropouts = o.dropouts?.(round, selected) ?? [];
    const droppedAtTrain = new Set(dropouts.filter((d) => d.phase === 'train').flatMap((d) => d.clients));
    const contributions: ContributionFrom[] = [];
    const encoded: { client: number; input: Uint32Array }[] = [];
    let bytesUp = 0;
    const failed: { client: number; reason: string }[] = [];
    for (const client of selected) {
      if (droppedAtTrain.has(client)) continue;
      await betweenSteps(fn, o.signal);
      const data = o.clients[client] as SimulatedClient;
      const update = await trainClient({
        model, weights: state.weights, layout, x: data.x, y: data.y,
        localEpochs: resolved.localEpochs, batchSize: resolved.batchSize, learningRate: resolved.clientLearningRate,
        ...(resolved.proximalMu > 0 ? { proximalMu: resolved.proximalMu } : {}),
        rng: roundRng(resolved.seed, round, 'shuffle', client),
      });
      // A client whose update cannot be sent (non-finite after training, or outside the fixed-point
      // bound of secure aggregation) drops out of the round, as its networked twin's error would.
      try {
        const residual = residuals.get(client);
        const { contribution, residual: nextResidual } = contributeUpdate({
          update, options: resolved, plan,
          noiseRng: roundRng(resolved.seed, round, 'clientNoise', client),
          compressionRng: roundRng(resolved.seed, round, 'randomK', client),
          ...(residual !== undefined ? { residual } : {}),
        });
        if (resolved.secureAggregation !== undefined) {
          const input = encodeContribution(contribution, plan, selected.length);
          encoded.push({ client, input });
          bytesUp += input.byteLength;
          if (nextResidual !== undefined) residuals.set(client, nextResidual);
          continue;
        }
        const { packet, quantisationError } = packContribution(contribution, resolved, { loss: update.loss, numExamples: update.numExamples, size });
        const unpacked = unpackContribution(fn, packet, size);
        checkContribution(fn, client, unpacked, size);
        bytesUp += packetBytes(packet);
        if (quantisationError !== undefined) residuals.set(client, quantisationError);
        else if (nextResidual !== undefined) residuals.set(client, nextResidual);
        contributions.push({ client, contribution: unpacked, loss: update.loss, numExamples: update.numExamples });
      } catch (e) {
        if (!(e instanceof InvalidArgumentError)) throw e;
        failed.push({ client, reason: e.message });
      }
    }
    let aggregate: RoundAggregate | undefined;
    if (resolved.secureAggregation === undefined) {
      aggregate = sumContributions(contributions, selected, size);
    } else if (selected.length > 0) {
      // The protocol runs over every selected client, as the coordinator's does: one that did not
      // train drops out before advertising its keys (its placeholder input is never sent).
      const inputOf = new Map(encoded.map((e) => [e.client, e.input]));
      const vectorLength = (plan.sharedCoordinates ?? size) + 2;
      const silent = selected.map((c, pos) => (inputOf.has(c) ? -1 : pos)).filter((pos) => pos >= 0);
      const secDropouts = [
        ...(silent.length > 0 ? [{ phase: 'advertiseKeys' as SecAggPhase, clients: silent }] : []),
        ...dropouts
          .filter((d) => d.phase !== 'train')
          .map((d) => ({ phase: d.phase as SecAggPhase, clients: d.clients.map((c) => selected.indexOf(c)).filter((pos) => pos >= 0) })),
      ];
      try {
        const result = await runSecAggInProcess({
          inputs: selected.map((c) => inputOf.get(c) ?? new Uint32Array(vectorLength)),
          threshold: secAggThreshold(resolved, selected.length),
          round,
          ...(secAggNeighbours(resolved, selected.length) !== undefined ? { neighbours: secAggNeighbours(resolved, selected.length) as number } : {}),
          dropouts: secDropouts,
        });
        const contributors = result.included.map((pos) => selected[pos] as number);
        aggregate = aggregateFromSecureSum(result.sum, contributors, selected, plan, size);
      } catch (e) {
        if (!(e instanceof SecAggError) || e.kind !== 'belowThreshold') throw e;
        aggregate = undefined; // fewer than the threshold survived: nothing is revealed
      }
    }
    state = aggregate === undefined ? skipRound(state, selected) : finishRound(state, resolved, aggregate, numClients);
    const record = state.history[state.history.length - 1] as RoundRecord;
    const evaluation = o.evaluation === undefined ? undefined : await evaluateClient({
      model, weights: state.weights, layout, x: o.evaluation.x, y: o.evaluation.y,
      ...(o.evaluation.batchSize !== undefined ? { batchSize: o.evaluation.batchSize } : {}),
    });
    let clientEvaluation: ClientEvaluation | undefined;
    const evaluators = selected.filter((c) => !droppedAtTrain.has(c));
    if (resolved.evaluateClients && evaluators.length > 0) {
      const evaluations: ClientEvaluation[] = [];
      for (const c of evaluators) {
        const data = o.clients[c] as SimulatedClient;
        evaluations.push(await evaluateClient({ model, weights: state.weights, layout, x: data.x, y: data.y }));
      }
      clientEvaluation = aggregateEvaluations(evaluations);
    }
    const privacy = federatedPrivacySpent(resolved, state.history, numClients);
    const report: SimulatedRound = {
      ...record,
      ...(evaluation !== undefined ? { evaluation } : {}),
      ...(clientEvaluation !== undefined ? { clientEvaluation } : {}),
      ...(privacy !== undefined ? { privacy } : {}),
      bytesUp,
      bytesDown: selected.length * size * 4,
      failed,
    };
    reports.push(report);
    await o.onRound?.(report);
  }
  writeWeights(model, layout, state.weights);
  const privacy = federatedPrivacySpent(resolved, state.history, numClients);
  return { state, rounds: reports, ...(privacy !== undefined ? { privacy } : {}) };
}

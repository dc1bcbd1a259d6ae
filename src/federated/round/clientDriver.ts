/**
 * The client half of a federated round as a driver for {@link runClient}: local training on the
 * global weights it is sent, its contribution (clip, noise share, compression, fixed-point
 * encoding), and its side of secure aggregation across the protocol's phases.
 */
import type { LayersModel, Tensor } from '../../core/tf.js';
import type { LabelsLike } from '../../core/labels.js';
import { invalid, optionsObject } from '../../core/validate.js';
import { trainClient } from '../algorithms/trainClient.js';
import { evaluateClient } from '../algorithms/evaluateClient.js';
import type { ClientLoss } from '../algorithms/clientLoss.js';
import type { Payload } from '../protocol/payload.js';
import type { ClientRoundDriver } from '../runtime/driver.js';
import { SecAggClient } from '../secagg/client.js';
import type { SecAggConfig } from '../secagg/config.js';
import type { KeysBroadcastMessage, SharesBroadcastMessage, UnmaskRequestMessage } from '../secagg/messages.js';
import { contributeUpdate, encodeContribution } from './clientContribution.js';
import { resolveFederatedOptions, type FederatedOptions } from './options.js';
import { packContribution } from './packet.js';
import type { RoundPlan } from './roundPlan.js';
import { roundRng } from './seeds.js';

/** Options of {@link federatedClientDriver}. */
export interface FederatedClientDriverOptions extends FederatedOptions {
  /** This client's copy of the architecture (its weights are overwritten each round). */
  readonly model: LayersModel;
  /** The client's local data. */
  readonly x: Tensor;
  readonly y: LabelsLike;
  /** Size of the population the server samples from (the same as the server's `population.length`). */
  readonly numClients: number;
  /** The loss of local training (default cross-entropy). */
  readonly loss?: ClientLoss;
}

/** The request of the first phase of a round. */
interface TrainRequest {
  readonly plan: RoundPlan;
  readonly weights: Float32Array;
  readonly client: number;
  readonly numClients: number;
  readonly secagg?: SecAggConfig & { readonly clientId: number; readonly selected: number };
}

/**
 * A {@link ClientRoundDriver} that trains locally and contributes to federated rounds, for
 * {@link runClient}. Options must equal the server's ({@link federatedServerDriver}): they decide
 * how updates are clipped, noised, compressed and encoded.
 *
 * @param options - The run's options, the model and this client's data.
 * @returns A driver that keeps this client's error-feedback residual and secure aggregation state.
 * @example
 * ```ts
 * import WebSocket from 'ws';
 * import { federatedClientDriver, runClient } from 'responsible-tfjs/federated';
 * const driver = federatedClientDriver({ ...sharedOptions, model, x, y, numClients: 4 });
 * await runClient({ url: 'ws://localhost:8080', clientId: 'a', token, driver, WebSocket });
 * ```
 */
export function federatedClientDriver(options: FederatedClientDriverOptions): ClientRoundDriver {
  const fn = 'federatedClientDriver';
  const o = optionsObject(fn, 'options', options);
  const resolved = resolveFederatedOptions(fn, o, o.numClients);
  let residual: Float32Array | undefined;
  // Secure aggregation state of the round in progress.
  let secagg: SecAggClient | undefined;
  let input: Uint32Array | undefined;

  const train = async (request: TrainRequest): Promise<{ contribution: ReturnType<typeof contributeUpdate>['contribution']; update: { loss: number; numExamples: number; size: number } }> => {
    const { plan, weights, client } = request;
    if (!(weights instanceof Float32Array)) invalid(fn, 'request.weights', weights, 'a Float32Array');
    const update = await trainClient({
      model: o.model, weights, x: o.x, y: o.y,
      localEpochs: resolved.localEpochs, batchSize: resolved.batchSize, learningRate: resolved.clientLearningRate,
      ...(resolved.proximalMu > 0 ? { proximalMu: resolved.proximalMu } : {}),
      ...(o.loss !== undefined ? { loss: o.loss } : {}),
      rng: roundRng(resolved.seed, plan.round, 'shuffle', client),
    });
    const out = contributeUpdate({
      update, options: resolved, plan,
      noiseRng: roundRng(resolved.seed, plan.round, 'clientNoise', client),
      compressionRng: roundRng(resolved.seed, plan.round, 'randomK', client),
      ...(residual !== undefined ? { residual } : {}),
    });
    if (out.residual !== undefined) residual = out.residual;
    return { contribution: out.contribution, update: { loss: update.loss, numExamples: update.numExamples, size: weights.length } };
  };

  return {
    async handle(_round, phase, request) {
      switch (phase) {
        case 'train': {
          const { contribution, update } = await train(request as unknown as TrainRequest);
          const { packet, quantisationError } = packContribution(contribution, resolved, update);
          if (quantisationError !== undefined) residual = quantisationError;
          return packet as unknown as Payload;
        }
        case 'advertiseKeys': {
          const r = request as unknown as TrainRequest;
          if (r.secagg === undefined) invalid(fn, 'request.secagg', undefined, 'secure aggregation settings');
          const { contribution } = await train(r);
          input = encodeContribution(contribution, r.plan, r.secagg.selected);
          const { selected: _selected, ...config } = r.secagg;
          // P-256 everywhere: a fleet of Node processes and browsers agrees on one curve whatever each runtime offers.
          secagg = new SecAggClient({ ...config, curve: 'P-256' });
          return (await secagg.advertiseKeys()) as unknown as Payload;
        }
        case 'evaluate': {
          const { weights } = request as unknown as { weights: Float32Array };
          if (!(weights instanceof Float32Array)) invalid(fn, 'request.weights', weights, 'a Float32Array');
          const e = await evaluateClient({ model: o.model, weights, x: o.x, y: o.y, ...(o.loss !== undefined ? { loss: o.loss } : {}) });
          return { loss: e.loss, accuracy: e.accuracy, numExamples: e.numExamples };
        }
        case 'shareKeys':
          return (await (secagg as SecAggClient).shareKeys(request as unknown as KeysBroadcastMessage)) as unknown as Payload;
        case 'maskedInput':
          return (await (secagg as SecAggClient).maskedInput(request as unknown as SharesBroadcastMessage, input as Uint32Array)) as unknown as Payload;
        case 'unmask':
          return (await (secagg as SecAggClient).unmask(request as unknown as UnmaskRequestMessage)) as unknown as Payload;
        default:
          return invalid(fn, 'phase', phase, "'train', 'advertiseKeys', 'shareKeys', 'maskedInput', 'unmask' or 'evaluate'");
      }
    },
  };
}

/**
 * The federated drivers over the real transport, in one process: a coordinator on a `ws` server
 * and clients over `ws`, against the simulator with the same options and seed. Also the bad inputs
 * a client can send (a non-finite update, a model of another shape): dropped with a log line,
 * never in the model.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  federatedClientDriver, federatedServerDriver, readWeights, runClient, simulateFederated, startCoordinator,
  type ClientRoundDriver, type FederatedOptions, type FederatedRoundSummary,
} from '../../src/federated/index.js';
import { seededRng } from '../../src/core/rng.js';
import { describeBackends } from '../helpers/backends.js';
import { listen } from './loopback/wsHelpers.js';

const FEATURES = 4;

function model(seed = 3, units = 5): tfl.Sequential {
  const m = tfl.sequential();
  m.add(tfl.layers.dense({ units, activation: 'tanh', inputShape: [FEATURES], kernelInitializer: tfl.initializers.glorotUniform({ seed }) }));
  m.add(tfl.layers.dense({ units: 3, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }) }));
  return m;
}

function clientData(count: number): { x: tf.Tensor; y: tf.Tensor }[] {
  const rng = seededRng(9);
  return Array.from({ length: count }, (_, c) => {
    const n = 8 + c;
    const x = Array.from({ length: n * FEATURES }, () => rng.next() * 2 - 1);
    const y = Array.from({ length: n }, (_, i) => ((x[i * FEATURES]! > 0 ? 1 : 0) + c) % 3);
    return { x: tf.tensor2d(x, [n, FEATURES]), y: tf.tensor1d(y, 'int32') };
  });
}

async function runNetworked(options: FederatedOptions, count: number, drivers?: (i: number, d: ClientRoundDriver) => ClientRoundDriver) {
  const data = clientData(count);
  const ids = data.map((_, i) => `c${i}`);
  const { values } = await readWeights(model());
  const log: string[] = [];
  const server = federatedServerDriver({ ...options, initialWeights: values, population: ids, log: (l) => log.push(l) });
  const net = await listen();
  const coordinator = startCoordinator({ server: net.server, driver: server, authenticate: (id, token) => token === `t-${id}`, minClients: count, phaseTimeoutMs: 20_000 });
  const clients = data.map((d, i) => {
    const driver = federatedClientDriver({ ...options, model: model(), x: d.x, y: d.y, numClients: count });
    return runClient({ url: net.url, clientId: ids[i]!, token: `t-${ids[i]}`, driver: drivers?.(i, driver) ?? driver, WebSocket: WebSocket as never });
  });
  const summaries = (await coordinator.done) as unknown as FederatedRoundSummary[];
  await Promise.all(clients);
  await net.close();
  return { weights: server.state.weights, summaries, log, data };
}

describeBackends('federated drivers over WebSocket', () => {
  it('plain FedAvg over the network equals the simulator, federated evaluation included', async () => {
    const options: FederatedOptions = { rounds: 2, clientLearningRate: 0.2, batchSize: 4, sampling: { method: 'uniform', clientsPerRound: 3 }, seed: 'net', evaluateClients: true };
    const net = await runNetworked(options, 4);
    const sim = await simulateFederated({ ...options, model: model(), clients: net.data });
    expect(Array.from(net.weights)).toEqual(Array.from(sim.state.weights));
    expect(net.summaries.map((s) => s.contributors)).toEqual(sim.rounds.map((r) => r.contributors));
    expect(net.summaries.map((s) => s.clientEvaluation)).toEqual(sim.rounds.map((r) => r.clientEvaluation));
    expect(sim.rounds[1]!.clientEvaluation!.numExamples).toBe(sim.rounds[1]!.selected.reduce((n, c) => n + 8 + c, 0));
  }, 60_000);

  it('DP-FedAvg with secure aggregation and distributed noise over the network equals the simulator', async () => {
    const options: FederatedOptions = {
      rounds: 2, clientLearningRate: 0.2, batchSize: 4, sampling: { method: 'uniform', clientsPerRound: 4 }, seed: 'net-dp',
      privacy: { noiseMultiplier: 0.5, clipping: { adaptive: { initialClipNorm: 0.2, clippedCountStddev: 0.5 } }, noise: 'distributed', delta: 1e-3 },
      secureAggregation: { thresholdFraction: 0.75 },
    };
    const net = await runNetworked(options, 5);
    const sim = await simulateFederated({ ...options, model: model(), clients: net.data });
    expect(Array.from(net.weights)).toEqual(Array.from(sim.state.weights));
    expect(net.summaries.at(-1)!.epsilon).toBe(sim.privacy!.epsilon);
    expect(net.summaries.at(-1)!.clipNorm).toBe(sim.rounds.at(-1)!.clipNorm);
  }, 60_000);

  it('a non-finite update or a model of another shape is dropped with a log line, never averaged', async () => {
    const options: FederatedOptions = { rounds: 1, clientLearningRate: 0.2, batchSize: 4, sampling: { method: 'uniform', clientsPerRound: 4 }, seed: 'bad' };
    const net = await runNetworked(options, 4, (i, d) => {
      if (i === 1) return { handle: async (r, p, q) => ({ ...(await d.handle(r, p, q) as object), values: new Float32Array(5).fill(Number.NaN) }) };
      if (i === 2) return { handle: async (r, p, q) => { const out = await d.handle(r, p, q) as { values: Float32Array }; const v = Float32Array.from(out.values); v[3] = Number.POSITIVE_INFINITY; return { ...out, values: v }; } };
      return d;
    });
    expect(net.summaries[0]!.contributors).toEqual([0, 3]);
    expect(net.summaries[0]!.clientEvaluation).toBeUndefined(); // not asked for
    expect(net.log.filter((l) => /dropped the update of c1/.test(l))).toHaveLength(1);
    expect(net.log.filter((l) => /dropped the update of c2/.test(l))).toHaveLength(1);
    expect(net.weights.every(Number.isFinite)).toBe(true);
    const sim = await simulateFederated({ ...options, model: model(), clients: net.data, dropouts: () => [{ clients: [1, 2], phase: 'train' }] });
    expect(Array.from(net.weights)).toEqual(Array.from(sim.state.weights));
  }, 60_000);
});

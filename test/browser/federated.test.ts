/**
 * The federated module on webgl and webgpu (SwiftShader in headless Chromium): the browser's own
 * WebCrypto runs secure aggregation (key agreement, AES-CTR masks, AES-GCM shares) to the exact
 * modular sum with dropouts; a simulated round of DP-FedAvg with secure aggregation and distributed
 * noise trains on the GPU backend, reports the accountant's epsilon and leaks nothing; and FedAvg
 * with one client equals that client's own local training on the same backend.
 *
 * Labels are passed as host Int32Arrays: class indices in a GPU tensor are validated by a
 * synchronous read, which loses the webgpu device (documented in src/core/labels.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { seededRng } from '../../src/core/rng.js';
import { readWeights, runSecAggInProcess, simulateFederated, trainClient, userLevelPrivacy } from '../../src/federated/index.js';
import { roundRng } from '../../src/federated/round/seeds.js';
import { backendTolerance, describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';

function model(): tfl.Sequential {
  return tfl.sequential({ layers: [
    tfl.layers.dense({ inputShape: [4], units: 6, activation: 'tanh', kernelInitializer: tfl.initializers.glorotUniform({ seed: 5 }) }),
    tfl.layers.dense({ units: 3, kernelInitializer: tfl.initializers.glorotUniform({ seed: 6 }) }),
  ] });
}

function clients(count: number): { x: tf.Tensor; y: Int32Array }[] {
  const rng = seededRng(3);
  return Array.from({ length: count }, (_, c) => {
    const n = 8 + 2 * c;
    const x = Array.from({ length: n * 4 }, () => rng.next() * 2 - 1);
    return { x: tf.tensor2d(x, [n, 4]), y: Int32Array.from({ length: n }, (_, i) => ((x[i * 4]! > 0 ? 1 : 0) + c) % 3) };
  });
}

it('secure aggregation with the browser\'s WebCrypto gives the exact sum with dropouts', async () => {
  const inputs = Array.from({ length: 5 }, (_, i) => Uint32Array.from({ length: 16 }, (_, j) => (i * 0x9e3779b9 + j * 7919) >>> 0));
  const r = await runSecAggInProcess({ inputs, threshold: 3, dropouts: [{ phase: 'shareKeys', clients: [1] }, { phase: 'maskedInput', clients: [3] }] });
  expect(r.included).toEqual([0, 2, 4]);
  const expected = Uint32Array.from({ length: 16 }, (_, j) => (inputs[0]![j]! + inputs[2]![j]! + inputs[4]![j]!) >>> 0);
  expect(Array.from(r.sum)).toEqual(Array.from(expected));
}, 60_000);

describeBackends('federated rounds on the GPU backends', (backend) => {
  it('FedAvg with one client equals its local training', async () => {
    const data = clients(1);
    const m = model();
    const { values: w0 } = await readWeights(m);
    const r = await simulateFederated({ rounds: 1, clientLearningRate: 0.2, batchSize: 4, sampling: { method: 'uniform', clientsPerRound: 1 }, seed: 'gpu', model: m, clients: data });
    const u = await trainClient({ model: model(), weights: w0, x: data[0]!.x, y: data[0]!.y, localEpochs: 1, batchSize: 4, learningRate: 0.2, rng: roundRng('gpu', 0, 'shuffle', 0) });
    const tol = backendTolerance(backend);
    r.state.weights.forEach((v, i) => expect(Math.abs(v - (w0[i]! + u.delta[i]!))).toBeLessThan(tol));
    tf.dispose(data.map((d) => d.x));
  }, 120_000);

  it('DP-FedAvg with secure aggregation and distributed noise trains, accounts and leaks nothing', async () => {
    const data = clients(4);
    const m = model();
    await readWeights(m);
    const r = await expectNoLeaks(() => simulateFederated({
      rounds: 2, clientLearningRate: 0.2, batchSize: 4, sampling: { method: 'uniform', clientsPerRound: 4 }, seed: 'gpu-dp', model: m, clients: data,
      privacy: { noiseMultiplier: 0.8, clipping: { clipNorm: 0.5 }, noise: 'distributed', minSurvivingClients: 3, delta: 1e-3 },
      secureAggregation: { thresholdFraction: 0.75 },
      evaluation: { x: data[0]!.x, y: data[0]!.y },
    }));
    expect(r.state.weights.every(Number.isFinite)).toBe(true);
    expect(r.rounds.map((x) => x.contributors)).toEqual([[0, 1, 2, 3], [0, 1, 2, 3]]);
    const expected = userLevelPrivacy({ rounds: 2, sampling: { method: 'uniform', clientsPerRound: 4, numClients: 4 }, noiseMultiplier: 0.8, delta: 1e-3 });
    expect(r.privacy!.epsilon).toBeCloseTo(expected.epsilon, 10);
    tf.dispose(data.map((d) => d.x));
  }, 120_000);
});

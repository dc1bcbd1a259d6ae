import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import {
  decodeFixedPointSum, readWeights, serverStateFromJson, serverStateToJson, simulateFederated, trainClient, updateQuantileClip,
  userLevelPrivacy, createQuantileClipState, type SimulateFederatedOptions,
} from '../../src/federated/index.js';
import { seededRng } from '../../src/core/rng.js';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { resolveFederatedOptions } from '../../src/federated/round/options.js';
import { planRound } from '../../src/federated/round/roundPlan.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';

const FEATURES = 4;
const CLASSES = 3;

function model(seed = 3): tfl.Sequential {
  const m = tfl.sequential();
  m.add(tfl.layers.dense({ units: 5, activation: 'tanh', inputShape: [FEATURES], kernelInitializer: tfl.initializers.glorotUniform({ seed }) }));
  m.add(tfl.layers.dense({ units: CLASSES, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }) }));
  return m;
}

function clients(count: number, seed = 7): { x: tf.Tensor; y: tf.Tensor }[] {
  const rng = seededRng(seed);
  return Array.from({ length: count }, (_, c) => {
    const n = 6 + (c % 5) * 3; // unequal sizes: FedAvg's weights matter
    const x = Array.from({ length: n * FEATURES }, () => rng.next() * 2 - 1);
    const y = Array.from({ length: n }, (_, i) => ((x[i * FEATURES]! > 0 ? 1 : 0) + c) % CLASSES);
    return { x: tf.tensor2d(x, [n, FEATURES]), y: tf.tensor1d(y, 'int32') };
  });
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const base = { rounds: 2, clientLearningRate: 0.2, batchSize: 4, seed: 'test' } as const;

describeBackends('simulateFederated', () => {
  it('FedAvg of one round equals the example-weighted mean of the clients\' local updates', async () => {
    const data = clients(5);
    const m = model();
    const { values: w0 } = await readWeights(m);
    const r = await simulateFederated({ ...base, rounds: 1, model: m, clients: data, sampling: { method: 'uniform', clientsPerRound: 5 } });
    // Direct computation with the same shuffling streams.
    const { roundRng } = await import('../../src/federated/round/seeds.js');
    const sum = new Float64Array(w0.length);
    let weight = 0;
    const scratch = model();
    for (let c = 0; c < data.length; c++) {
      const u = await trainClient({ model: scratch, weights: w0, x: data[c]!.x, y: data[c]!.y, localEpochs: 1, batchSize: 4, learningRate: 0.2, rng: roundRng('test', 0, 'shuffle', c) });
      for (let i = 0; i < sum.length; i++) sum[i]! += u.delta[i]! * u.numExamples;
      weight += u.numExamples;
    }
    const expected = Float32Array.from(w0, (v, i) => v + sum[i]! / weight);
    expect(maxAbsDiff(r.state.weights, expected)).toBeLessThan(1e-6);
    expect(r.rounds[0]!.contributors).toEqual([0, 1, 2, 3, 4]);
    expect(r.rounds[0]!.trainLoss).toBeGreaterThan(0);
    const { values: final } = await readWeights(m);
    expect(Array.from(final)).toEqual(Array.from(r.state.weights)); // the model ends with the global weights
  });

  it('secure aggregation gives the plain sum up to the fixed-point error, with and without dropouts', async () => {
    const data = clients(6);
    const opts = { ...base, clients: data, sampling: { method: 'uniform', clientsPerRound: 6 } } as const;
    const plain = await simulateFederated({ ...opts, model: model() });
    const secure = await simulateFederated({ ...opts, model: model(), secureAggregation: { maxAbsValue: 64 } });
    const plan = planRound(resolveFederatedOptions('t', { ...opts, secureAggregation: { maxAbsValue: 64 } }, 6), { round: 0, selectedClients: 6, numClients: 6, size: plain.state.weights.length });
    // n clients each round to within 1/(2 scale) per weighted coordinate, divided by the summed weight (>= 6 * 6).
    const bound = 2 * (6 * 0.5) / plan.fixedPoint!.scale; // two rounds
    expect(maxAbsDiff(plain.state.weights, secure.state.weights)).toBeLessThan(bound + 1e-6);
    expect(maxAbsDiff(plain.state.weights, secure.state.weights)).toBeGreaterThanOrEqual(0);
    // Dropouts at every phase of secure aggregation equal the plain run without those clients
    // (a client dropping at unmask is still in the sum, as in Bonawitz et al.).
    for (const phase of ['train', 'advertiseKeys', 'shareKeys', 'maskedInput', 'unmask'] as const) {
      const dropouts = (): readonly { clients: number[]; phase: typeof phase }[] => [{ clients: [1, 4], phase }];
      const s = await simulateFederated({ ...opts, model: model(), secureAggregation: { maxAbsValue: 64 }, dropouts });
      const inSum = phase === 'unmask' ? [0, 1, 2, 3, 4, 5] : [0, 2, 3, 5];
      expect(s.rounds.map((r) => r.contributors)).toEqual([inSum, inSum]);
      const p = await simulateFederated({ ...opts, model: model(), dropouts: () => (phase === 'unmask' ? [] : [{ clients: [1, 4], phase: 'train' }]) });
      expect(maxAbsDiff(p.state.weights, s.state.weights)).toBeLessThan(bound + 1e-6);
    }
  }, 120_000);

  it('a client outside the fixed-point bound drops out of the round with its reason, like a networked client', async () => {
    const data = clients(4);
    const r = await simulateFederated({ ...base, rounds: 1, model: model(), clients: data, sampling: { method: 'uniform', clientsPerRound: 4 }, secureAggregation: { maxAbsValue: 1e-4 } });
    expect(r.rounds[0]!.failed.map((f) => f.client)).toEqual([0, 1, 2, 3]);
    expect(r.rounds[0]!.failed[0]!.reason).toMatch(/encodeFixedPoint.*maxAbs/);
    expect(r.rounds[0]!.aborted).toBe(true);
  }, 60_000);

  it('a client whose training turns NaN drops out; the model stays finite, with and without DP', async () => {
    const data = clients(4);
    const poisoned = [...data];
    poisoned[2] = { x: tf.fill([data[2]!.x.shape[0], FEATURES], Number.NaN), y: data[2]!.y }; // NaN through the forward and backward passes
    for (const privacy of [undefined, { noiseMultiplier: 1, clipping: { clipNorm: 1 }, delta: 1e-3 }] as const) {
      const r = await simulateFederated({ ...base, rounds: 1, model: model(), clients: poisoned, sampling: { method: 'uniform', clientsPerRound: 4 }, ...(privacy ? { privacy } : {}) });
      expect(r.rounds[0]!.failed.map((f) => f.client)).toEqual([2]);
      expect(r.rounds[0]!.contributors).toEqual([0, 1, 3]);
      expect(r.state.weights.every(Number.isFinite)).toBe(true);
    }
    poisoned[2]!.x.dispose();
  }, 60_000);

  it('a secure round below its threshold releases nothing: weights unchanged, no privacy spent', async () => {
    const data = clients(4);
    const m = model();
    const { values: w0 } = await readWeights(m);
    const r = await simulateFederated({
      ...base, rounds: 1, model: m, clients: data, sampling: { method: 'uniform', clientsPerRound: 4 },
      privacy: { noiseMultiplier: 1, clipping: { clipNorm: 1 }, delta: 1e-3 },
      secureAggregation: { thresholdFraction: 0.75 },
      dropouts: () => [{ clients: [0, 1], phase: 'shareKeys' }],
    });
    expect(r.rounds[0]!.aborted).toBe(true);
    expect(Array.from(r.state.weights)).toEqual(Array.from(w0));
    expect(r.privacy!.epsilon).toBe(0);
    expect(r.privacy!.rounds).toBe(0);
  }, 60_000);

  it('central DP-FedAvg: every client clipped, the mean over the expected count, epsilon from the rounds run', async () => {
    const data = clients(8);
    const clipNorm = 1e-3;
    const opts: SimulateFederatedOptions = {
      ...base, rounds: 3, model: model(), clients: data, sampling: { method: 'poisson', sampleRate: 0.5 },
      privacy: { noiseMultiplier: 0, clipping: { clipNorm }, delta: 1e-5 },
    };
    const { values: w0 } = await readWeights(opts.model);
    const r = await simulateFederated(opts);
    // Without noise each round moves the weights by at most (contributors * C) / (q N).
    let moved = 0;
    for (let i = 0; i < w0.length; i++) moved += (r.state.weights[i]! - w0[i]!) ** 2;
    const bound = r.rounds.reduce((s, x) => s + (x.contributors.length * clipNorm) / 4, 0);
    expect(Math.sqrt(moved)).toBeLessThanOrEqual(bound * (1 + 1e-5));
    expect(r.rounds.every((x) => x.trainLoss === undefined)).toBe(true); // not released under DP
    // With noise, the epsilon equals the accountant's for these rounds.
    const noisy = await simulateFederated({ ...opts, model: model(), privacy: { noiseMultiplier: 1.3, clipping: { clipNorm: 1 }, delta: 1e-5 } });
    const expected = userLevelPrivacy({ rounds: 3, sampling: { method: 'poisson', sampleRate: 0.5 }, noiseMultiplier: 1.3, delta: 1e-5 });
    expect(noisy.privacy!.epsilon).toBeCloseTo(expected.epsilon, 12);
    expect(noisy.rounds.map((x) => x.privacy!.epsilon)).toEqual([...noisy.rounds.map((x) => x.privacy!.epsilon)].sort((a, b) => a - b));
  }, 60_000);

  it('distributed noise is accounted at what the survivors delivered', async () => {
    const data = clients(6);
    const r = await simulateFederated({
      ...base, rounds: 1, model: model(), clients: data, sampling: { method: 'uniform', clientsPerRound: 6 },
      privacy: { noiseMultiplier: 1, clipping: { clipNorm: 1 }, delta: 1e-5, noise: 'distributed', minSurvivingClients: 5 },
      secureAggregation: { thresholdFraction: 0.5 },
      dropouts: () => [{ clients: [0, 1, 2], phase: 'train' }],
    });
    // 3 contributors: each is protected by the 2 others' shares, sized for 5: z * sqrt(2/5).
    expect(r.rounds[0]!.noiseMultiplier).toBeCloseTo(Math.sqrt(2 / 5), 12);
    const expected = userLevelPrivacy({ rounds: 1, sampling: { method: 'uniform', clientsPerRound: 6, numClients: 6 }, noiseMultiplier: Math.sqrt(2 / 5), delta: 1e-5 });
    expect(r.privacy!.epsilon).toBeCloseTo(expected.epsilon, 10);
  }, 60_000);

  it('adaptive clipping follows the quantile rule on the clients\' norms', async () => {
    const data = clients(6);
    const r = await simulateFederated({
      ...base, rounds: 3, model: model(), clients: data, sampling: { method: 'uniform', clientsPerRound: 6 },
      privacy: { noiseMultiplier: 0, clipping: { adaptive: { initialClipNorm: 0.01, clippedCountStddev: 0 } }, delta: 1e-5 },
    });
    let state = createQuantileClipState({ expectedClientsPerRound: 6, initialClipNorm: 0.01, clippedCountStddev: 0 });
    for (const round of r.rounds) {
      expect(round.clipNorm).toBeCloseTo(state.clipNorm, 12);
      // Every local update is far above 0.01: all clipped, the fraction is 0, the norm grows by exp(0.2 * 0.5).
      state = updateQuantileClip(state, { belowCount: 0, numClients: 6 });
      expect(round.unclippedFraction).toBe(0);
    }
    expect(r.state.clipNorm).toBeCloseTo(0.01 * Math.exp(0.1 * 3), 12);
  }, 60_000);

  it('a run resumed from a JSON checkpoint equals the run without interruption', async () => {
    const data = clients(5);
    const opts = {
      ...base, rounds: 4, clients: data, sampling: { method: 'uniform', clientsPerRound: 3 },
      serverOptimizer: { kind: 'fedAdam', learningRate: 0.05 },
      privacy: { noiseMultiplier: 0.7, clipping: { adaptive: { initialClipNorm: 0.1, clippedCountStddev: 1 } }, delta: 1e-5 },
    } as const;
    const straight = await simulateFederated({ ...opts, model: model() });
    const half = await simulateFederated({ ...opts, rounds: 2, model: model() });
    const saved = JSON.parse(JSON.stringify(serverStateToJson(half.state)));
    const resumed = await simulateFederated({ ...opts, model: model(), initialState: serverStateFromJson(saved) });
    expect(Array.from(resumed.state.weights)).toEqual(Array.from(straight.state.weights));
    expect(resumed.state.clipNorm).toBe(straight.state.clipNorm);
    expect(resumed.privacy!.epsilon).toBe(straight.privacy!.epsilon);
  }, 60_000);

  it('compression: bytes per round shrink, top-k and int8 still move towards the plain run', async () => {
    const data = clients(4);
    const opts = { ...base, rounds: 1, clients: data, sampling: { method: 'uniform', clientsPerRound: 4 } } as const;
    const plain = await simulateFederated({ ...opts, model: model() });
    const topK = await simulateFederated({ ...opts, model: model(), compression: { method: 'topK', fraction: 0.25 } });
    const int8 = await simulateFederated({ ...opts, model: model(), compression: { method: 'int8' } });
    const size = plain.state.weights.length;
    expect(plain.rounds[0]!.bytesUp).toBe(4 * size * 4);
    expect(topK.rounds[0]!.bytesUp).toBe(4 * Math.round(0.25 * size) * 8);
    expect(int8.rounds[0]!.bytesUp).toBeLessThan(plain.rounds[0]!.bytesUp / 3);
    const { values: w0 } = await readWeights(model());
    const dist = (a: Float32Array, b: Float32Array): number => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0));
    expect(dist(int8.state.weights, plain.state.weights)).toBeLessThan(0.02 * dist(plain.state.weights, w0));
    expect(dist(topK.state.weights, plain.state.weights)).toBeLessThan(dist(plain.state.weights, w0));
  }, 60_000);

  it('tiny Poisson rates: empty rounds are fine, the model only moves by noise, epsilon stays tiny', async () => {
    const data = clients(3);
    const r = await simulateFederated({
      ...base, rounds: 3, model: model(), clients: data, sampling: { method: 'poisson', sampleRate: 1e-7 },
      privacy: { noiseMultiplier: 1, clipping: { clipNorm: 1 }, delta: 1e-5, accountant: 'pld' },
    });
    expect(r.rounds.every((x) => x.contributors.length === 0)).toBe(true);
    expect(r.state.weights.every(Number.isFinite)).toBe(true);
    expect(r.privacy!.epsilon).toBeLessThan(1e-3);
    expect(r.privacy!.epsilon).toBeGreaterThanOrEqual(0);
  }, 60_000);

  it('leaves no tensors behind', async () => {
    const data = clients(3);
    const m = model();
    await readWeights(m);
    await expectNoLeaks(() => simulateFederated({ ...base, model: m, clients: data, sampling: { method: 'uniform', clientsPerRound: 2 }, evaluation: { x: data[0]!.x, y: data[0]!.y } }));
  }, 60_000);
});

it('refuses bad options with typed errors naming the option', () => {
  const r = (o: object): unknown => resolveFederatedOptions('f', { rounds: 1, clientLearningRate: 0.1, sampling: { method: 'uniform', clientsPerRound: 2 }, ...o } as never, 10);
  const bad: [object, RegExp][] = [
    [{ rounds: 0 }, /options\.rounds/],
    [{ sampling: { method: 'uniform', clientsPerRound: 11 } }, /clientsPerRound/],
    [{ sampling: { method: 'poisson', sampleRate: 0 } }, /sampleRate/],
    [{ sampling: { method: 'poisson', sampleRate: Number.NaN } }, /sampleRate/],
    [{ clientLearningRate: -1 }, /clientLearningRate/],
    [{ secureAggregation: {} }, /maxAbsValue/],
    [{ privacy: { noiseMultiplier: 1, clipping: { clipNorm: 1 }, delta: 1e-5, noise: 'distributed' } }, /privacy\.noise/],
    [{ privacy: { noiseMultiplier: 1, clipping: { clipNorm: 1 }, delta: 1e-5 }, compression: { method: 'int8' } }, /compression\.method/],
    [{ secureAggregation: { maxAbsValue: 1 }, compression: { method: 'topK', fraction: 0.1 } }, /compression\.method/],
    [{ secureAggregation: { maxAbsValue: 1, neighbours: 3 } }, /neighbours/],
    [{ privacy: { noiseMultiplier: 1, clipping: { clipNorm: 1 }, delta: 1e-5, accountant: 'pld' } }, /accountant/],
    [{ privacy: { noiseMultiplier: 2, clipping: { adaptive: { initialClipNorm: 1 } }, delta: 1e-5 } }, /clippedCountStddev/],
    [{ privacy: { noiseMultiplier: 1, clipping: { clipNorm: 0 }, delta: 1e-5 } }, /clipNorm/],
    [{ privacy: { noiseMultiplier: 1, clipping: { clipNorm: 1 }, delta: 1 } }, /delta/],
    [{ serverOptimizer: { kind: 'fedSgd' } }, /serverOptimizer|kind/],
    [{ seed: Number.POSITIVE_INFINITY }, /seed/],
  ];
  for (const [o, re] of bad) {
    let error: unknown;
    try { r(o); } catch (e) { error = e; }
    expect(error, JSON.stringify(o)).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toMatch(re);
  }
});

it('an aggregate that overflows float32 is refused whole: the model never holds NaN or Infinity', async () => {
  const { finishRound } = await import('../../src/federated/round/finishRound.js');
  const { initialServerState } = await import('../../src/federated/round/serverState.js');
  const options = resolveFederatedOptions('t', { rounds: 2, clientLearningRate: 0.1, sampling: { method: 'uniform', clientsPerRound: 2 } }, 2);
  const state = initialServerState(options, new Float32Array([1, 2]), 2);
  // Two finite float32 contributions of 3.4e38 with a summed weight of 1: the mean is 6.8e38.
  const next = finishRound(state, options, { sum: new Float64Array([6.8e38, 0]), totalWeight: 1, indicatorSum: 0, contributors: [0, 1], selected: [0, 1] }, 2);
  expect(Array.from(next.weights)).toEqual([1, 2]);
  expect(next.round).toBe(1);
  expect(next.history[0]).toMatchObject({ aborted: true, abortReason: 'nonFinite', contributors: [] });
  // A finite mean whose step overflows the weights is refused too.
  const big = initialServerState(options, new Float32Array([3.4e38, 0]), 2);
  const after = finishRound(big, options, { sum: new Float64Array([3e38, 0]), totalWeight: 1, indicatorSum: 0, contributors: [0], selected: [0, 1] }, 2);
  expect(after.weights[0]).toBe(big.weights[0]);
  expect(after.history[0]!.abortReason).toBe('nonFinite');
});

it('decodes the fixed-point bound it promises for any client count', async () => {
  const { safeFixedPointScale } = await import('../../src/federated/round/roundPlan.js');
  for (const [m, n] of [[1, 1], [1, 255], [1e-6, 3], [1e6, 100], [3e5, 7]] as const) {
    const s = safeFixedPointScale(m, n);
    expect(n * (Math.ceil(m * s) + 1)).toBeLessThan(2 ** 31);
    expect(n * (Math.ceil(m * 2 * s) + 1)).toBeGreaterThanOrEqual(2 ** 31 / 2); // the largest such power of two, up to rounding
  }
  expect(decodeFixedPointSum(new Uint32Array([0xffffffff]), { scale: 2 })[0]).toBe(-0.5);
});

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { InvalidArgumentError, seededRng } from '../../src/core/index.js';
import {
  NonDecomposableTermError, adversarialTerm, crossEntropyTerm, demographicParityTerm, ethicalLoss, l1Term, lagrangian, mgda,
  trainMultiObjective,
} from '../../src/objectives/index.js';
import { lossState } from '../../src/objectives/ethicalLoss.js';
import { privateGradients } from '../../src/objectives/training/privateGradients.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';

/** Synthetic biased data: feature 0 is the group (a proxy), the label depends on it strongly. */
function biasedData(n: number, seed: number) {
  const rng = seededRng(seed);
  const x = new Float32Array(n * 3), y = new Int32Array(n), g = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const group = rng.next() < 0.5 ? 1 : 0;
    const a = rng.next(), b = rng.next();
    x[i * 3] = group;
    x[i * 3 + 1] = a;
    x[i * 3 + 2] = b;
    y[i] = rng.next() < 0.15 + 0.6 * group * 0.9 + 0.2 * a ? 1 : 0;
    g[i] = group;
  }
  return { x: tf.tensor2d(x, [n, 3]), y, groups: tf.tensor1d(g) };
}

function logistic() {
  return tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: [3], kernelInitializer: 'zeros' })] });
}

async function dpGap(model: tfl.LayersModel, x: tf.Tensor, groups: tf.Tensor): Promise<number> {
  const [p, g] = await Promise.all([tf.tidy(() => tf.sigmoid(model.predict(x) as tf.Tensor)).data(), groups.data()]);
  const m = [0, 0], c = [0, 0];
  p.forEach((v, i) => {
    m[g[i]!]! += v;
    c[g[i]!]!++;
  });
  return Math.abs(m[0]! / c[0]! - m[1]! / c[1]!);
}

describeBackends('trainMultiObjective', () => {
  it('a Lagrangian constraint brings the demographic-parity gap under the bound; history and callbacks', async () => {
    const d = biasedData(240, 1);
    const results: number[] = [];
    for (const constrained of [false, true]) {
      const model = logistic();
      const loss = ethicalLoss({
        model, task: crossEntropyTerm(), terms: [demographicParityTerm()],
        weights: constrained ? lagrangian({ bounds: { demographicParity: 0.05 }, multiplierLearningRate: 2 }) : { demographicParity: 0 },
      });
      const steps: Record<string, number>[] = [];
      const epochLogs: Record<string, number>[] = [];
      const epochs: number[] = [];
      const opt = tf.train.adam(0.1);
      const { history } = await trainMultiObjective(model, { x: d.x, y: d.y, extras: { groups: d.groups } }, {
        loss, optimizer: opt, epochs: 25, batchSize: 80, rng: seededRng(2),
        callbacks: { onBatchEnd: (_s, l) => void steps.push(l), onEpochEnd: (e, l) => { epochs.push(e); epochLogs.push(l); } },
      });
      expect(steps).toHaveLength(75);
      expect(epochs).toEqual(Array.from({ length: 25 }, (_, i) => i));
      // One shape: the history's keys are the epoch logs' keys, and records their values.
      expect(Object.keys(history).sort()).toEqual(['demographicParity', 'demographicParityWeight', 'loss', 'task', 'taskWeight']);
      expect(Object.keys(epochLogs[0]!).sort()).toEqual(Object.keys(history).sort());
      for (const k of Object.keys(history)) expect(history[k]).toEqual(epochLogs.map((l) => l[k]));
      expect(Object.keys(steps[0]!).sort()).toEqual(['demographicParity', 'demographicParityWeight', 'loss', 'size', 'task', 'taskWeight']);
      expect(steps[0]!.size).toBe(80);
      expect(history.demographicParity).toHaveLength(25);
      expect(history.task![24]).toBeLessThan(history.task![0]!);
      // The earlier nested shape stays readable (deprecated, not enumerable) for one minor version.
      expect(history.total).toEqual(history.loss);
      expect(history.values.task).toEqual(history.task);
      expect((steps[0] as unknown as { values: Record<string, number> }).values.task).toBe(steps[0]!.task);
      results.push(await dpGap(model, d.x, d.groups));
      if (constrained) expect(history.demographicParityWeight![24]).toBeGreaterThan(0);
      loss.dispose();
      opt.dispose();
      model.dispose();
    }
    // Unconstrained the gap is large; constrained it meets the bound (small slack for the stochastic multipliers).
    expect(results[0]).toBeGreaterThan(0.2);
    expect(results[1]).toBeLessThan(0.05 + 0.02);
    tf.dispose([d.x, d.groups]);
  });

  it('trains with MGDA and leaks no tensors over an epoch', async () => {
    const d = biasedData(32, 3);
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [3] })] });
    const loss = ethicalLoss({ model, task: crossEntropyTerm(), terms: [l1Term(), adversarialTerm({ epsilon: 0.05, steps: 2, rng: seededRng(5) })], weights: mgda() });
    const opt = tf.train.sgd(0.05);
    await expectNoLeaks(async () => {
      const { history } = await trainMultiObjective(model, { x: d.x, y: d.y }, { loss, optimizer: opt, epochs: 1, batchSize: 16, rng: seededRng(1) });
      const w = ['task', 'l1', 'adversarial'].map((k) => history[`${k}Weight`]![0]!);
      expect(w.every((v) => v >= 0)).toBe(true);
    });
    loss.dispose();
    opt.dispose();
    model.dispose();
    tf.dispose([d.x, d.groups]);
  });

  it('DP-SGD: the gradient is the mean of clipped per-example gradients plus noise; parameter-only terms unclipped', async () => {
    const W = tf.variable(tf.tensor2d([[1, -2], [0.5, 1]]));
    const model = (x: tf.Tensor): tf.Tensor => tf.matMul(x, W);
    const x = tf.tensor2d([[1, 2], [3, -1], [0.1, 0.2]]);
    const y = [0, 1, 1];
    const loss = ethicalLoss({ model, variables: [W], task: crossEntropyTerm(), terms: [l1Term()], weights: { l1: 0.5 } });
    await loss.setBatch({ x, y });
    const C = 0.7;
    const { gradients: grads } = await privateGradients(lossState('t', loss), { maxGradNorm: C, noiseMultiplier: 0, expectedBatchSize: 4, rng: seededRng(0) });
    // Manual: per-example CE gradients, clipped, summed, / 4, + 0.5 * sign(W).
    const expected = tf.tidy(() => {
      let acc = tf.zeros([2, 2]);
      for (let i = 0; i < 3; i++) {
        const xi = tf.slice(x, [i, 0], [1, 2]);
        const yi = tf.oneHot(tf.tensor1d([y[i]!], 'int32'), 2);
        const g = tf.grad((w: tf.Tensor) => tf.sum(tf.neg(tf.mul(yi, tf.logSoftmax(tf.matMul(xi, w))))))(W);
        const norm = tf.norm(g);
        acc = tf.add(acc, tf.mul(g, tf.minimum(1, tf.div(C, norm))));
      }
      return tf.add(tf.div(acc, 4), tf.mul(0.5, tf.sign(W)));
    });
    const got = Array.from(await grads[W.name]!.data());
    const want = Array.from(await expected.data());
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
    // With noise: the noise has the calibrated scale (sigma * C / expected batch).
    const { gradients: noisy } = await privateGradients(lossState('t', loss), { maxGradNorm: C, noiseMultiplier: 50, expectedBatchSize: 4, rng: seededRng(1) });
    const diff = Array.from(await noisy[W.name]!.data()).map((v, i) => v - want[i]!);
    const rms = Math.sqrt(diff.reduce((s, v) => s + v * v, 0) / diff.length);
    expect(rms).toBeGreaterThan(50 * C / 4 / 4);
    expect(rms).toBeLessThan(50 * C / 4 * 3);
    tf.dispose([...Object.values(grads), ...Object.values(noisy), expected, W, x]);
    loss.dispose();
  });

  it('DP-SGD: the vectorized engine path equals the per-example loop', async () => {
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 5, inputShape: [4], activation: 'tanh' }), tfl.layers.dense({ units: 3 })] });
    const x = tf.randomUniform([6, 4], 0, 1, 'float32', 3);
    const loss = ethicalLoss({ model, task: crossEntropyTerm(), terms: [l1Term()], weights: { l1: 0.01 } });
    await loss.setBatch({ x, y: [0, 1, 2, 2, 1, 0] });
    const state = lossState('t', loss);
    const settings = { maxGradNorm: 0.3, noiseMultiplier: 0, expectedBatchSize: 5, rng: seededRng(0) };
    const { gradients: fast } = await privateGradients(state, settings);
    const { gradients: slow } = await privateGradients(state, { ...settings, vectorized: false });
    expect(Object.keys(fast)).toEqual(Object.keys(slow));
    for (const k of Object.keys(fast)) {
      const a = Array.from(await fast[k]!.data()), b = Array.from(await slow[k]!.data());
      a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 5));
    }
    tf.dispose([...Object.values(fast), ...Object.values(slow)]);
    await expectNoLeaks(() => privateGradients(state, settings));
    loss.dispose();
    model.dispose();
    x.dispose();
  });

  it('DP-SGD trains, accounts for epsilon, and refuses coupled terms and adaptive weights', async () => {
    const d = biasedData(64, 4);
    const model = logistic();
    const loss = ethicalLoss({ model, task: crossEntropyTerm(), terms: [l1Term()], weights: { l1: 1e-3 } });
    const opt = tf.train.sgd(0.5);
    const r = await trainMultiObjective(model, { x: d.x, y: d.y }, {
      loss, optimizer: opt, epochs: 2, batchSize: 16, privacy: { maxGradNorm: 1, noiseMultiplier: 1.1, rng: seededRng(9) },
    });
    expect(r.privacy!.steps).toBe(8);
    expect(r.privacy!.sampleRate).toBe(0.25);
    expect(r.privacy!.secure).toBe(false);
    expect(r.history.epsilon).toHaveLength(2);
    expect(r.history.epsilon![1]).toBeGreaterThan(r.history.epsilon![0]!);
    expect(r.privacy!.epsilon).toBe(r.history.epsilon![1]);
    await expectNoLeaks(() => trainMultiObjective(model, { x: d.x, y: d.y }, {
      loss, optimizer: opt, epochs: 1, batchSize: 16, privacy: { maxGradNorm: 1, noiseMultiplier: 1.1, rng: seededRng(10) },
    }).then(() => undefined));

    const fair = ethicalLoss({ model, task: crossEntropyTerm(), terms: [demographicParityTerm()], weights: { demographicParity: 1 } });
    const run = (l: typeof loss) => trainMultiObjective(model, { x: d.x, y: d.y, extras: { groups: d.groups } }, {
      loss: l, optimizer: opt, epochs: 1, batchSize: 16, privacy: { maxGradNorm: 1, noiseMultiplier: 1 },
    });
    const err = await run(fair).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonDecomposableTermError);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as NonDecomposableTermError).terms).toEqual(['demographicParity']);
    expect((err as Error).message).toMatch(/couple the examples of a batch/);
    // A term declared parameter-only that reads data is caught under DP.
    const liar = ethicalLoss({ model, task: crossEntropyTerm(), terms: [{ name: 'liar', dataDependence: 'none', fn: (ctx) => tf.mean(ctx.x) as tf.Scalar }], weights: { liar: 1 } });
    await expect(trainMultiObjective(model, { x: d.x, y: d.y }, { loss: liar, optimizer: opt, epochs: 1, batchSize: 16, privacy: { maxGradNorm: 1, noiseMultiplier: 1, rng: seededRng(1) } }))
      .rejects.toThrow(/A 'none' term read ctx.x/);
    liar.dispose();
    const adaptive = ethicalLoss({ model, task: crossEntropyTerm(), terms: [l1Term()], weights: lagrangian({ bounds: { l1: 1 } }) });
    await expect(run(adaptive)).rejects.toThrow(/fixed weights when training with DP-SGD/);
    await expect(run(loss).then(() => trainMultiObjective(model, { x: d.x, y: d.y }, { loss, optimizer: opt, epochs: 1, batchSize: 16, privacy: { maxGradNorm: 0, noiseMultiplier: 1 } }))).rejects.toThrow(/maxGradNorm/);
    fair.dispose();
    adaptive.dispose();
    loss.dispose();
    opt.dispose();
    model.dispose();
    tf.dispose([d.x, d.groups]);
  });

  it('rejects bad data and options', async () => {
    const d = biasedData(10, 5);
    const model = logistic();
    const other = logistic();
    const loss = ethicalLoss({ model, task: crossEntropyTerm(), weights: {} });
    const opt = tf.train.sgd(0.1);
    const base = { loss, optimizer: opt, epochs: 1, batchSize: 5 };
    await expect(trainMultiObjective(other, { x: d.x, y: d.y }, base)).rejects.toThrow(/for this model/);
    await expect(trainMultiObjective(model, { x: d.x, y: d.y }, { ...base, batchSize: 11 })).rejects.toThrow("trainMultiObjective: argument 'options.batchSize' must be at most the number of examples (10), got 11");
    await expect(trainMultiObjective(model, { x: d.x, y: d.y }, { ...base, epochs: 0 })).rejects.toThrow(/options.epochs/);
    await expect(trainMultiObjective(model, { x: d.x, y: [0, 1] }, base)).rejects.toThrow(/data.y/);
    await expect(trainMultiObjective(model, { x: d.x, y: d.y, extras: { groups: tf.zeros([3]) } }, base)).rejects.toThrow(/data.extras.groups/);
    await expect(trainMultiObjective(model, { x: d.x, y: d.y }, { ...base, loss: (() => tf.scalar(0)) as unknown as typeof loss })).rejects.toThrow(/built by ethicalLoss/);
    loss.dispose();
    opt.dispose();
    model.dispose();
    other.dispose();
    tf.dispose([d.x, d.groups]);
  });
});

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, expect, it } from 'vitest';
import { InvalidArgumentError, seededRng } from '../../src/core/index.js';
import {
  adversarialTerm, crossEntropyTerm, demographicParityTerm, equalizedOddsTerm, ethicalLoss, groupLassoTerm, inputGradientTerm,
  l1Term, mmdTerm, tradesTerm, type LossTerm,
} from '../../src/objectives/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** Evaluates one term alone (task weight 1, the term under test as the task). */
async function termValue(term: LossTerm, model: (x: tf.Tensor) => tf.Tensor, variables: tf.Variable[], x: tf.Tensor, y: number[], extras?: Record<string, tf.Tensor>): Promise<number> {
  const loss = ethicalLoss({ model, variables, task: term, weights: {} });
  await loss.setBatch({ x, y, ...(extras ? { extras } : {}) });
  const v = loss();
  const out = (await v.data())[0]!;
  v.dispose();
  loss.dispose();
  return out;
}

describeBackends('loss terms', () => {
  let dummy: tf.Variable;
  beforeAll(() => {
    dummy = tf.variable(tf.zeros([1]));
  });
  const identity = (x: tf.Tensor): tf.Tensor => tf.add(x, tf.mul(dummy, 0));

  it('cross-entropy: softmax, sigmoid and sample weights', async () => {
    const logits = tf.tensor2d([[2, 0, -1], [0.5, 0.5, 3]]);
    const lse = (r: number[]): number => Math.log(r.reduce((s, v) => s + Math.exp(v), 0));
    const manual = ((lse([2, 0, -1]) - 2) + (lse([0.5, 0.5, 3]) - 3)) / 2;
    expect(await termValue(crossEntropyTerm(), identity, [dummy], logits, [0, 2])).toBeCloseTo(manual, 5);
    const w = tf.tensor1d([3, 1]);
    const weighted = (3 * (lse([2, 0, -1]) - 2) + (lse([0.5, 0.5, 3]) - 3)) / 4;
    expect(await termValue(crossEntropyTerm(), identity, [dummy], logits, [0, 2], { sampleWeight: w })).toBeCloseTo(weighted, 5);
    const z = tf.tensor2d([[1.5], [-0.5]]);
    const bce = (-Math.log(sigmoid(1.5)) - Math.log(1 - sigmoid(-0.5))) / 2;
    expect(await termValue(crossEntropyTerm(), identity, [dummy], z, [1, 0])).toBeCloseTo(bce, 5);
    tf.dispose([logits, w, z]);
  });

  it('demographic parity, equalized odds and MMD gaps equal their definitions', async () => {
    const zs = [2, -1, 0.5, 0, -2, 1, 0.3, -0.7];
    const groups = [0, 0, 0, 0, 1, 1, 1, 1];
    const labels = [1, 0, 1, 0, 1, 1, 0, 0];
    const z = tf.tensor2d(zs, [8, 1]);
    const g = tf.tensor1d(groups, 'int32');
    const s = zs.map(sigmoid);
    const mean = (idx: number[]): number => idx.reduce((a, i) => a + s[i]!, 0) / idx.length;
    const idx = (pred: (i: number) => boolean): number[] => s.map((_, i) => i).filter(pred);
    const dp = Math.abs(mean(idx((i) => groups[i] === 0)) - mean(idx((i) => groups[i] === 1)));
    expect(await termValue(demographicParityTerm(), identity, [dummy], z, labels, { groups: g })).toBeCloseTo(dp, 5);
    const tprGap = Math.abs(mean(idx((i) => groups[i] === 0 && labels[i] === 1)) - mean(idx((i) => groups[i] === 1 && labels[i] === 1)));
    const fprGap = Math.abs(mean(idx((i) => groups[i] === 0 && labels[i] === 0)) - mean(idx((i) => groups[i] === 1 && labels[i] === 0)));
    expect(await termValue(equalizedOddsTerm(), identity, [dummy], z, labels, { groups: g })).toBeCloseTo(Math.max(tprGap, fprGap), 5);
    const k = (u: number, v: number): number => Math.exp(-((u - v) ** 2) / 0.01);
    const pm = (A: number[], B: number[]): number => A.reduce((t, i) => t + B.reduce((q, j) => q + k(s[i]!, s[j]!), 0), 0) / (A.length * B.length);
    const a = idx((i) => groups[i] === 0), b = idx((i) => groups[i] === 1);
    expect(await termValue(mmdTerm(), identity, [dummy], z, labels, { groups: g })).toBeCloseTo(pm(a, a) + pm(b, b) - 2 * pm(a, b), 4);
    // Three groups with one absent from the batch; two-logit outputs use softmax[:, 1].
    const two = tf.tensor2d(zs.flatMap((v) => [0, v]), [8, 2]);
    const g3 = tf.tensor1d([0, 0, 0, 0, 2, 2, 2, 2]);
    expect(await termValue(demographicParityTerm({ numGroups: 3 }), identity, [dummy], two, labels, { groups: g3 })).toBeCloseTo(dp, 5);
    // One group only: no gap.
    const g1 = tf.zeros([8]);
    expect(await termValue(demographicParityTerm(), identity, [dummy], z, labels, { groups: g1 })).toBe(0);
    expect(await termValue(mmdTerm(), identity, [dummy], z, labels, { groups: g1 })).toBe(0);
    tf.dispose([z, g, two, g3, g1]);
  });

  it('L1 and group lasso sum over kernels only', async () => {
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [3], biasInitializer: 'ones' })] });
    const kernel = Array.from(await (model.getWeights()[0] as tf.Tensor).data());
    const x = tf.zeros([1, 3]);
    const l1 = kernel.reduce((s, v) => s + Math.abs(v), 0);
    const vars = model.trainableWeights.map((w) => (w as unknown as { read(): tf.Variable }).read());
    const task = crossEntropyTerm();
    const loss = ethicalLoss({ model, task, terms: [l1Term(), groupLassoTerm(), groupLassoTerm({ name: 'gIn', groups: 'inputs', scaleByGroupSize: false })], weights: { l1: 1, groupLasso: 1, gIn: 1 } });
    await loss.setBatch({ x, y: [0] });
    tf.dispose(loss());
    const v = await loss.lastValues();
    expect(v.l1).toBeCloseTo(l1, 5);
    // kernel [3, 2] row-major: unit j is column j (size 3), input i is row i (size 2).
    const col = (j: number): number => Math.hypot(kernel[j]!, kernel[2 + j]!, kernel[4 + j]!);
    const row = (i: number): number => Math.hypot(kernel[2 * i]!, kernel[2 * i + 1]!);
    expect(v.groupLasso).toBeCloseTo(Math.sqrt(3) * (col(0) + col(1)), 4);
    expect(v.gIn).toBeCloseTo(row(0) + row(1) + row(2), 4);
    expect(vars).toHaveLength(2);
    loss.dispose();
    model.dispose();
    x.dispose();
  });

  it('the input-gradient term matches the analytic gradient of a linear model, masked', async () => {
    // logits = x W, K = 2 classes: d/dx sum_k log p_k = W (1 - K p).
    const W = tf.variable(tf.tensor2d([[1, -1], [0.5, 2], [-1, 0]]));
    const model = (x: tf.Tensor): tf.Tensor => tf.matMul(x, W);
    const xs = [[0.2, 0.4, 0.1], [1, -1, 0.5]];
    const x = tf.tensor2d(xs);
    const mask = tf.tensor2d([[1, 0, 1]]);
    const Wv = [[1, -1], [0.5, 2], [-1, 0]];
    let total = 0;
    for (const row of xs) {
      const z = [0, 1].map((k) => row.reduce((s, v, i) => s + v * Wv[i]![k]!, 0));
      const m = Math.max(...z), e = z.map((v) => Math.exp(v - m)), se = e[0]! + e[1]!;
      const p = e.map((v) => v / se);
      const g = Wv.map((w) => w[0]! * (1 - 2 * p[0]!) + w[1]! * (1 - 2 * p[1]!));
      total += g[0]! ** 2 + g[2]! ** 2;
    }
    expect(await termValue(inputGradientTerm({ mask }), model, [W], x, [0, 1])).toBeCloseTo(total / 2, 4);
    const perBatch = tf.tensor2d([[0, 1, 0], [0, 1, 0]]);
    const v = await termValue(inputGradientTerm({ mask }), model, [W], x, [0, 1], { irrelevantMask: perBatch });
    expect(v).not.toBeCloseTo(total / 2, 2); // the batch's mask wins over the fixed one
    tf.dispose([W, x, mask, perBatch]);
  });

  it('adversarial and TRADES terms: epsilon 0 reduces to the clean loss, epsilon > 0 raises it', async () => {
    const W = tf.variable(tf.tensor2d([[2, -1], [-1, 2], [0.5, 0.5]]));
    const model = (x: tf.Tensor): tf.Tensor => tf.matMul(x, W);
    const x = tf.tensor2d([[0.2, 0.8, 0.5], [0.9, 0.1, 0.3]]);
    const clean = await termValue(crossEntropyTerm(), model, [W], x, [1, 0]);
    expect(await termValue(adversarialTerm({ epsilon: 0, rng: seededRng(1) }), model, [W], x, [1, 0])).toBeCloseTo(clean, 5);
    const adv = await termValue(adversarialTerm({ epsilon: 0.1, steps: 5, rng: seededRng(1) }), model, [W], x, [1, 0]);
    expect(adv).toBeGreaterThan(clean + 0.05);
    // For a linear model the L-inf worst case is x - eps * sign(dz): bounded above by the clean loss plus eps * |W col diff|_1 per example.
    expect(adv).toBeLessThan(clean + 0.1 * 3.5 + 1e-4);
    expect(await termValue(tradesTerm({ epsilon: 0, rng: seededRng(2) }), model, [W], x, [1, 0])).toBeCloseTo(0, 5);
    expect(await termValue(tradesTerm({ epsilon: 0.1, rng: seededRng(2) }), model, [W], x, [1, 0])).toBeGreaterThan(1e-3);
    tf.dispose([W, x]);
  });

  it('single-logit adversarial and TRADES terms equal those of the logits [0, z]: both go through the robustness attacks', async () => {
    const W = tf.variable(tf.tensor2d([[1.5], [-2], [0.5]]));
    const single = (x: tf.Tensor): tf.Tensor => tf.matMul(x, W);
    const two = (x: tf.Tensor): tf.Tensor => {
      const z = single(x);
      return tf.concat([tf.zerosLike(z), z], 1);
    };
    const x = tf.tensor2d([[0.2, 0.8, 0.5], [0.9, 0.1, 0.3], [0.4, 0.4, 0.9]]);
    const y = [1, 0, 1];
    const makers = [
      () => adversarialTerm({ epsilon: 0.1, steps: 5, rng: seededRng(1) }),
      () => tradesTerm({ epsilon: 0.1, steps: 5, rng: seededRng(2) }),
    ];
    for (const make of makers) {
      const a = await termValue(make(), single, [W], x, y);
      expect(a).toBe(await termValue(make(), two, [W], x, y));
      expect(a).toBeGreaterThan(1e-3);
    }
    const clean = await termValue(crossEntropyTerm(), single, [W], x, y);
    expect(await termValue(adversarialTerm({ epsilon: 0, rng: seededRng(1) }), single, [W], x, y)).toBeCloseTo(clean, 6);
    await expectNoLeaks(() => termValue(makers[0]!(), single, [W], x, y));
    await expectNoLeaks(() => termValue(makers[1]!(), single, [W], x, y));
    tf.dispose([W, x]);
  });

  it('runs a LayersModel in training mode (dropout) only when asked', async () => {
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 32, inputShape: [4], activation: 'relu' }), tfl.layers.dropout({ rate: 0.5 }), tfl.layers.dense({ units: 2 })] });
    const x = tf.randomUniform([8, 4], 0, 1, 'float32', 9);
    const read = async (training: boolean): Promise<number[]> => {
      const loss = ethicalLoss({ model, task: crossEntropyTerm(), weights: {}, training });
      await loss.setBatch({ x, y: [0, 1, 0, 1, 0, 1, 0, 1] });
      const out: number[] = [];
      for (let i = 0; i < 3; i++) {
        const v = loss();
        out.push((await v.data())[0]!);
        v.dispose();
      }
      loss.dispose();
      return out;
    };
    const inference = await read(false);
    expect(new Set(inference).size).toBe(1);
    const train = await read(true);
    expect(new Set(train).size).toBeGreaterThan(1);
    model.dispose();
    x.dispose();
  });

  it('leaks nothing across setBatch and calls with every term', async () => {
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 4, inputShape: [3], activation: 'tanh' }), tfl.layers.dense({ units: 2 })] });
    const x = tf.randomUniform([6, 3], 0, 1, 'float32', 1);
    const groups = tf.tensor1d([0, 1, 0, 1, 0, 1]);
    const terms = [demographicParityTerm(), equalizedOddsTerm(), mmdTerm(), adversarialTerm({ epsilon: 0.05, steps: 2, rng: seededRng(3) }), tradesTerm({ epsilon: 0.05, steps: 2, rng: seededRng(4) }), l1Term(), groupLassoTerm(), inputGradientTerm()];
    const loss = ethicalLoss({ model, task: crossEntropyTerm(), terms, weights: Object.fromEntries(terms.map((t) => [t.name, 0.1])) });
    const opt = tf.train.sgd(0.01);
    await expectNoLeaks(async () => {
      await loss.setBatch({ x, y: [0, 1, 1, 0, 1, 0], extras: { groups } });
      const r = await loss.step(opt);
      expect(Object.keys(r.values)).toHaveLength(9);
      for (const v of Object.values(r.values)) expect(Number.isFinite(v)).toBe(true);
    });
    loss.dispose();
    opt.dispose();
    model.dispose();
    tf.dispose([x, groups]);
  });

  it('rejects bad terms, weights, groups and batches with typed errors', async () => {
    const model = (x: tf.Tensor): tf.Tensor => tf.add(x, tf.mul(dummy, 0));
    const task = crossEntropyTerm();
    const base = { model, variables: [dummy], task };
    expect(() => ethicalLoss({ ...base, terms: [l1Term(), l1Term()], weights: { l1: 1 } })).toThrow(/unique names/);
    expect(() => ethicalLoss({ ...base, terms: [l1Term()], weights: { l2: 1, l1: 1 } })).toThrow("ethicalLoss: argument 'options.weights.l2' must be the name of a term (l1), got \"l2\"");
    expect(() => ethicalLoss({ ...base, terms: [l1Term()], weights: {} })).toThrow(/a weight >= 0 for every term/);
    expect(() => ethicalLoss({ ...base, terms: [l1Term()], weights: { l1: -1 } })).toThrow(InvalidArgumentError);
    expect(() => ethicalLoss({ ...base, terms: [{ name: 'bad', fn: () => tf.scalar(0) } as unknown as LossTerm], weights: { bad: 1 } })).toThrow(/dataDependence/);
    expect(() => ethicalLoss({ model, task, weights: {} })).toThrow(/options.variables/);
    expect(() => ethicalLoss({ ...base, weights: {}, training: true })).toThrow(/no training mode/);
    expect(() => ethicalLoss({ ...base, weights: {}, task: 3 as unknown as LossTerm })).toThrow(/a loss term/);
    expect(() => demographicParityTerm({ numGroups: 1 })).toThrow("demographicParityTerm: argument 'options.numGroups' must be an integer >= 2, got 1");
    expect(() => adversarialTerm({ epsilon: -0.1 })).toThrow(/options.epsilon/);
    expect(() => adversarialTerm({ epsilon: 0.1, clipMin: 1, clipMax: 0 })).toThrow(/options.clipMax/);
    const loss = ethicalLoss({ ...base, terms: [demographicParityTerm()], weights: { demographicParity: 1 } });
    expect(() => loss()).toThrow(/setBatch/);
    const x = tf.zeros([2, 1]);
    await expect(loss.setBatch({ x, y: [0, 1] })).rejects.toThrow(/batch.extras.groups/);
    const g = tf.tensor1d([0, 2]);
    await expect(loss.setBatch({ x, y: [0, 1], extras: { groups: g } })).rejects.toThrow("argument 'batch.extras.groups[1]' must be an integer group id in [0, 2), got 2");
    await expect(loss.setBatch({ x, y: [0, 3] })).rejects.toThrow(/y\[1\]/);
    await expect(loss.step({} as tf.Optimizer)).rejects.toThrow(/tfjs Optimizer/);
    loss.dispose();
    tf.dispose([x, g]);
  });
});

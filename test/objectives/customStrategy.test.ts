import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { InvalidArgumentError, seededRng } from '../../src/core/index.js';
import {
  crossEntropyTerm, ethicalLoss, fixedWeights, l1Term, lagrangian, trainMultiObjective, type LossTerm, type WeightingStrategy,
} from '../../src/objectives/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';

// The example of WeightingStrategy's TSDoc, verbatim: term weights ramping from 0 to `target`.
const warmUp = (target: number, steps: number): WeightingStrategy => ({
  name: 'warmUp',
  privateSafe: false, // DP-SGD never calls step, so the ramp would not move
  init: (termNames) => {
    let t = 0;
    const at = (s: number) => termNames.map((_, i) => (i === 0 ? 1 : target * Math.min(1, s / steps)));
    return {
      initialWeights: at(0),
      async step(ctx) {
        const weights = ctx.weights;                 // the weights this step uses
        const { total, values } = await ctx.minimize(); // one optimizer step on sum_i w_i v_i
        ctx.setWeights(at(++t));
        return { total, values, weights };
      },
    };
  },
});

/** Fixed weights written by hand, declared safe for DP-SGD. */
const handFixed = (weights: Record<string, number>): WeightingStrategy => ({
  name: 'handFixed',
  privateSafe: true,
  init: (termNames) => ({
    initialWeights: termNames.map((n, i) => (i === 0 ? 1 : weights[n]!)),
    async step(ctx) {
      const used = ctx.weights;
      return { ...(await ctx.minimize()), weights: used };
    },
  }),
});

/** Weights proportional to the inverse gradient norms, from the per-objective gradients. */
const inverseNorms: WeightingStrategy = {
  name: 'inverseNorms',
  privateSafe: false,
  init: (termNames) => ({
    initialWeights: termNames.map(() => 1),
    async step(ctx) {
      const g = await ctx.gradients();
      const inverse = g.gram.map((row, i) => 1 / Math.sqrt(row[i]!));
      const sum = inverse.reduce((a, b) => a + b, 0);
      const weights = inverse.map((w) => w / sum);
      g.apply(weights);
      ctx.setWeights(weights);
      return { total: g.values.reduce((s, v, i) => s + v * weights[i]!, 0), values: g.values, weights };
    },
  }),
};

function data(n: number) {
  const rng = seededRng(3);
  const x = tf.tensor2d(Array.from({ length: n * 3 }, () => rng.next() * 2 - 1), [n, 3]);
  const y = Array.from({ length: n }, (_, i) => i % 2);
  return { x, y };
}

function model(seed: number) {
  return tfl.sequential({
    layers: [tfl.layers.dense({ units: 2, inputShape: [3], kernelInitializer: tfl.initializers.glorotUniform({ seed }) })],
  });
}

describeBackends('custom weighting strategies', () => {
  it('a hand-written fixed strategy trains exactly like fixedWeights', async () => {
    const d = data(32);
    const finals: number[][] = [];
    for (const weights of [fixedWeights({ l1: 0.05 }), handFixed({ l1: 0.05 })]) {
      const m = model(1);
      const loss = ethicalLoss({ model: m, task: crossEntropyTerm(), terms: [l1Term()], weights });
      const opt = tf.train.sgd(0.2);
      const { history } = await trainMultiObjective(m, d, { loss, optimizer: opt, epochs: 3, batchSize: 8, rng: seededRng(4) });
      expect(history.l1Weight).toEqual([0.05, 0.05, 0.05]);
      finals.push(Array.from(await m.getWeights()[0]!.data()));
      loss.dispose();
      opt.dispose();
      m.dispose();
    }
    expect(finals[1]).toEqual(finals[0]);
    d.x.dispose();
  });

  it('the documented warm-up ramp: its state is per loss and the history records it', async () => {
    const d = data(16);
    const strategy = warmUp(0.1, 4);
    const m = model(2);
    const loss = ethicalLoss({ model: m, task: crossEntropyTerm(), terms: [l1Term()], weights: strategy });
    expect(loss.strategy).toBe(strategy);
    expect(loss.currentWeights()).toEqual({ task: 1, l1: 0 });
    const opt = tf.train.sgd(0.1);
    const { history } = await trainMultiObjective(m, d, { loss, optimizer: opt, epochs: 3, batchSize: 8, shuffle: false });
    // Two steps per epoch: after epoch e the ramp is at min(1, 2(e + 1) / 4).
    history.l1Weight!.forEach((w, e) => expect(w).toBeCloseTo(0.1 * Math.min(1, (2 * (e + 1)) / 4), 12));
    // A second loss with the same strategy value starts its own ramp.
    const other = ethicalLoss({ model: m, task: crossEntropyTerm(), terms: [l1Term()], weights: strategy });
    await other.setBatch(d);
    const r = await other.step(opt);
    expect(r.weights).toEqual({ task: 1, l1: 0 });
    expect(other.currentWeights().l1).toBeCloseTo(0.025, 12);
    expect(r.values.task).toBeGreaterThan(0);
    loss.dispose();
    other.dispose();
    opt.dispose();
    m.dispose();
    d.x.dispose();
  });

  it('a gradient-combining strategy works and the gradients it asked for are freed', async () => {
    const theta = tf.variable(tf.tensor1d([2, 1]));
    const dist = (name: string, target: number[], scale: number): LossTerm => ({
      name, dataDependence: 'none', fn: () => tf.mul(scale, tf.sum(tf.square(tf.sub(theta, tf.tensor1d(target))))) as tf.Scalar,
    });
    const forward = (x: tf.Tensor): tf.Tensor => tf.matMul(x, tf.reshape(theta, [-1, 1]));
    const loss = ethicalLoss({ model: forward, variables: [theta], task: dist('f1', [1, 0], 1), terms: [dist('f2', [0, 2], 10)], weights: inverseNorms });
    const batch = { x: tf.zeros([1, 2]), y: [0] };
    await loss.setBatch(batch);
    const opt = tf.train.sgd(0.01);
    const r = await loss.step(opt);
    // g1 = 2 (t - a) = (2, 2), |g1| = 2 sqrt 2; g2 = 20 (t - b) = (40, -20), |g2| = 20 sqrt 5.
    const n1 = 2 * Math.SQRT2, n2 = 20 * Math.sqrt(5);
    expect(r.weights.f1).toBeCloseTo((1 / n1) / (1 / n1 + 1 / n2), 4);
    expect(r.total).toBeCloseTo(r.weights.f1! * r.values.f1! + r.weights.f2! * r.values.f2!, 4);
    const got = Array.from(await theta.data());
    const w1 = r.weights.f1!, w2 = r.weights.f2!;
    [2 - 0.01 * (w1 * 2 + w2 * 40), 1 - 0.01 * (w1 * 2 - w2 * 20)].forEach((e, i) => expect(got[i]).toBeCloseTo(e, 4));
    await expectNoLeaks(async () => {
      await loss.setBatch(batch);
      await loss.step(opt);
    });
    loss.dispose();
    opt.dispose();
    tf.dispose([theta, batch.x]);
  });

  it('DP-SGD accepts a privateSafe strategy and refuses the others by name', async () => {
    const d = data(32);
    const m = model(3);
    const opt = tf.train.sgd(0.1);
    const safe = ethicalLoss({ model: m, task: crossEntropyTerm(), terms: [l1Term()], weights: handFixed({ l1: 0.01 }) });
    const r = await trainMultiObjective(m, d, {
      loss: safe, optimizer: opt, epochs: 1, batchSize: 8, privacy: { maxGradNorm: 1, noiseMultiplier: 1, rng: seededRng(5) },
    });
    expect(r.privacy!.epsilon).toBeGreaterThan(0);
    const unsafe = ethicalLoss({ model: m, task: crossEntropyTerm(), terms: [l1Term()], weights: warmUp(0.1, 4) });
    await expect(trainMultiObjective(m, d, {
      loss: unsafe, optimizer: opt, epochs: 1, batchSize: 8, privacy: { maxGradNorm: 1, noiseMultiplier: 1, rng: seededRng(5) },
    })).rejects.toThrow(/'options.loss' must be a loss with fixed weights when training with DP-SGD, got "warmUp weights"/);
    safe.dispose();
    unsafe.dispose();
    opt.dispose();
    m.dispose();
    d.x.dispose();
  });

  it('malformed strategies are refused with the argument named', async () => {
    const m = model(4);
    const base = { model: m, task: crossEntropyTerm(), terms: [l1Term()] };
    const strategy = (init: WeightingStrategy['init'], extra: Partial<WeightingStrategy> = {}): WeightingStrategy => ({ name: 'bad', privateSafe: false, init, ...extra });
    const step = async () => ({ total: 0, values: [0, 0], weights: [1, 1] });
    expect(() => ethicalLoss({ ...base, weights: strategy(() => ({ initialWeights: [1], step })) }))
      .toThrow("ethicalLoss: argument 'options.weights (bad).initialWeights' must be an array of 2 numbers, one per objective (task first), got [1]");
    expect(() => ethicalLoss({ ...base, weights: strategy(() => ({ initialWeights: [1, Number.NaN], step })) })).toThrow(/initialWeights\[1\]' must be a finite number/);
    expect(() => ethicalLoss({ ...base, weights: strategy(() => ({ initialWeights: [1, 1], offsets: [0], step })) })).toThrow(/offsets/);
    expect(() => ethicalLoss({ ...base, weights: strategy(() => ({ initialWeights: [1, 1] }) as never) })).toThrow(/init returns \{ initialWeights, step \}/);
    expect(() => ethicalLoss({ ...base, weights: strategy(() => ({ initialWeights: [1, 1], step }), { name: '' }) })).toThrow(/options.weights.name/);
    expect(() => ethicalLoss({ ...base, weights: strategy(() => ({ initialWeights: [1, 1], step }), { privateSafe: 'yes' as never }) })).toThrow(/privateSafe/);
    // A strategy literal of the old closed union (no init) is not mistaken for a weight record.
    expect(() => ethicalLoss({ ...base, weights: { kind: 'fixed', weights: { l1: 1 } } as never })).toThrow(InvalidArgumentError);
    expect(() => ethicalLoss({ ...base, weights: { kind: 'fixed', weights: { l1: 1 } } as never })).toThrow(/weighting strategy with an init function/);
    // Weights set by a step are checked.
    const wrong = ethicalLoss({
      ...base,
      weights: strategy(() => ({
        initialWeights: [1, 1],
        async step(ctx) {
          ctx.setWeights([1]);
          return step();
        },
      })),
    });
    const x = tf.ones([2, 3]);
    await wrong.setBatch({ x, y: [0, 1] });
    await expect(wrong.step(tf.train.sgd(0.1))).rejects.toThrow("EthicalLoss.step: argument 'setWeights (bad)' must be an array of 2 numbers");
    wrong.dispose();
    x.dispose();
    m.dispose();
  });

  it('a built-in strategy value serves several losses, each with its own multipliers', async () => {
    const theta = tf.variable(tf.tensor1d([0]));
    const forward = (x: tf.Tensor): tf.Tensor => tf.matMul(x, tf.reshape(theta, [-1, 1]));
    const task: LossTerm = { name: 'task', dataDependence: 'none', fn: () => tf.sum(tf.square(tf.sub(theta, 3))) as tf.Scalar };
    const sq: LossTerm = { name: 'sq', dataDependence: 'none', fn: () => tf.sum(tf.square(theta)) as tf.Scalar };
    const strategy = lagrangian({ bounds: { sq: 1 }, multiplierLearningRate: 0.5 });
    const batch = { x: tf.zeros([1, 1]), y: [0] };
    const a = ethicalLoss({ model: forward, variables: [theta], task, terms: [sq], weights: strategy });
    const b = ethicalLoss({ model: forward, variables: [theta], task, terms: [sq], weights: strategy });
    await a.setBatch(batch);
    const opt = tf.train.sgd(0);
    const two = tf.tensor1d([2]);
    theta.assign(two); // sq = 4 > 1: the multiplier grows by 0.5 * 3
    two.dispose();
    await a.step(opt);
    expect(a.currentWeights().sq).toBeCloseTo(1.5, 6);
    expect(b.currentWeights().sq).toBe(0);
    a.dispose();
    b.dispose();
    opt.dispose();
    tf.dispose([theta, batch.x]);
  });
});

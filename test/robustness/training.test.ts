import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import digits from '../fixtures/robustness/digits_test.json';
import { InvalidArgumentError, seededRng } from '../../src/core/index.js';
import {
  adversarialTrainingStep, fitAdversarially, robustAccuracy, pgd, softmaxCrossEntropy, tradesAttack, tradesLoss, tradesTrainingStep,
} from '../../src/robustness/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';
import { referenceModel } from './referenceModels.js';

function mlp(seed: number): tfl.Sequential {
  const model = tfl.sequential();
  model.add(tfl.layers.dense({ units: 32, activation: 'relu', inputShape: [64], kernelInitializer: tfl.initializers.glorotUniform({ seed }) }));
  model.add(tfl.layers.dense({ units: 10, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }) }));
  return model;
}

const data = (from: number, n: number): { x: tf.Tensor2D; y: number[] } => ({
  x: tf.tensor2d(digits.x.slice(from * 64, (from + n) * 64), [n, 64]),
  y: digits.labels.slice(from, from + n),
});

const attack = { epsilon: 0.1, stepSize: 0.03, steps: 3 };

describeBackends('adversarial training', (backend) => {
  it('adversarialTrainingStep lowers the adversarial loss and leaks nothing', async () => {
    const model = mlp(1);
    const { x, y } = data(0, 64);
    const optimizer = tf.train.adam(0.01);
    const losses: number[] = [];
    const rng = seededRng(3);
    for (let i = 0; i < 25; i++) losses.push((await adversarialTrainingStep(model, optimizer, x, y, { ...attack, rng })).loss);
    expect(losses.slice(-3).reduce((a, b) => a + b)).toBeLessThan(losses.slice(0, 3).reduce((a, b) => a + b) * 0.6);
    const r = await expectNoLeaks(() => adversarialTrainingStep(model, optimizer, x, y, { ...attack, rng, cleanWeight: 0.5 }));
    expect(r.adversarialAccuracy).toBeGreaterThanOrEqual(0);
    expect(r.adversarialAccuracy).toBeLessThanOrEqual(1);
    await expect(adversarialTrainingStep(model, optimizer, x, y, { ...attack, cleanWeight: 2 })).rejects.toThrow(/cleanWeight/);
    await expect(adversarialTrainingStep(model, {} as tf.Optimizer, x, y, attack)).rejects.toThrow(InvalidArgumentError);
    tf.dispose([x]);
    optimizer.dispose();
    model.dispose();
  });

  it('takes the step shape step(model, x, y, { optimizer }); the positional optimizer form gives the same step', async () => {
    const { x, y } = data(0, 16);
    const run = async (form: 'options' | 'positional', method: 'pgd' | 'trades') => {
      const model = mlp(7);
      const optimizer = tf.train.sgd(0.1);
      const o = { ...attack, rng: seededRng(5) };
      const r = method === 'pgd'
        ? form === 'options' ? await adversarialTrainingStep(model, x, y, { ...o, optimizer }) : await adversarialTrainingStep(model, optimizer, x, y, o)
        : form === 'options' ? await tradesTrainingStep(model, x, y, { ...o, optimizer }) : await tradesTrainingStep(model, optimizer, x, y, o);
      const w = Array.from(await model.trainableWeights[0]!.read().data());
      optimizer.dispose();
      model.dispose();
      return { loss: r.loss, w };
    };
    for (const method of ['pgd', 'trades'] as const) {
      expect(await run('options', method)).toEqual(await run('positional', method));
    }
    await expect(adversarialTrainingStep(mlp(1), x, y, { ...attack } as never)).rejects.toThrow("argument 'options.optimizer'");
    x.dispose();
  });

  it('trains a plain function through its variables', async () => {
    const w = tf.variable(tf.zeros([64, 10]));
    const b = tf.variable(tf.zeros([10]));
    const f = (t: tf.Tensor): tf.Tensor => tf.add(tf.matMul(t as tf.Tensor2D, w), b);
    const { x, y } = data(0, 32);
    const optimizer = tf.train.sgd(0.5);
    const first = await adversarialTrainingStep(f, optimizer, x, y, { ...attack, variables: [w, b], rng: seededRng(1) });
    expect(first.loss).toBeCloseTo(Math.log(10), 4);
    const second = await adversarialTrainingStep(f, optimizer, x, y, { ...attack, variables: [w, b], rng: seededRng(1) });
    expect(second.loss).toBeLessThan(first.loss);
    tf.dispose([w, b, x]);
    optimizer.dispose();
  });

  it('tradesLoss is cross-entropy plus beta times the mean KL', async () => {
    const f = (t: tf.Tensor): tf.Tensor => tf.mul(t, tf.tensor1d([1, -1]));
    const x = tf.tensor2d([[0.2, 0.4]]);
    const xAdv = tf.tensor2d([[0.5, 0.1]]);
    const y = tf.tensor2d([[1, 0]]);
    const loss = await tradesLoss(f, x, xAdv, y, { beta: 2 }).data();
    const sm = (a: number, c: number): number[] => [Math.exp(a) / (Math.exp(a) + Math.exp(c)), Math.exp(c) / (Math.exp(a) + Math.exp(c))];
    const p = sm(0.2, -0.4);
    const q = sm(0.5, -0.1);
    const kl = p[0]! * Math.log(p[0]! / q[0]!) + p[1]! * Math.log(p[1]! / q[1]!);
    expect(loss[0]).toBeCloseTo(-Math.log(p[0]!) + 2 * kl, 5);
    const same = await tradesLoss(f, x, x, y).data();
    expect(same[0]).toBeCloseTo(-Math.log(p[0]!), 6);
    tf.dispose([x, xAdv, y]);
  });

  it('tradesAttack stays in the ball and increases the KL; tradesTrainingStep trains without leaks', async () => {
    const model = referenceModel('mlp');
    const { x, y } = data(0, 32);
    const xAdv = await tradesAttack(model, x, { epsilon: 0.1, stepSize: 0.025, steps: 5, rng: seededRng(2) });
    const maxDelta = (await tf.tidy(() => tf.max(tf.abs(tf.sub(xAdv, x)))).data())[0]!;
    expect(maxDelta).toBeLessThanOrEqual(0.1 + 1e-6);
    const yOneHot = tf.oneHot(tf.tensor1d(y, 'int32'), 10) as tf.Tensor2D;
    const klAdv = (await tf.tidy(() => tf.sub(tradesLoss(model, x, xAdv, yOneHot, { beta: 1, training: false }), tradesLoss(model, x, x, yOneHot, { training: false }))).data())[0]!;
    expect(klAdv).toBeGreaterThan(0.05);
    tf.dispose([xAdv, yOneHot]);
    model.dispose();

    const fresh = mlp(5);
    const optimizer = tf.train.adam(0.01);
    const losses: number[] = [];
    for (let i = 0; i < 20; i++) losses.push((await tradesTrainingStep(fresh, optimizer, x, y, { ...attack, beta: 1, rng: seededRng(i) })).loss);
    expect(losses[19]!).toBeLessThan(losses[0]! * 0.6);
    await expectNoLeaks(() => tradesTrainingStep(fresh, optimizer, x, y, { ...attack, rng: seededRng(9) }));
    await expect(tradesAttack(fresh, x, { ...attack, steps: -1 })).rejects.toThrow(/'options.steps'/);
    x.dispose();
    optimizer.dispose();
    fresh.dispose();
  });

  it('fitAdversarially calls tfjs-style callbacks, honours stopTraining, and makes the model more robust', async () => {
    const train = data(0, 256);
    const test = data(300, 100);
    const normal = mlp(7);
    normal.compile({ optimizer: tf.train.adam(0.01), loss: 'sparseCategoricalCrossentropy' });
    await normal.fit(train.x, tf.tensor1d(train.y), { epochs: 12, batchSize: 32, verbose: 0, shuffle: false });
    const robust = mlp(7);
    const events: string[] = [];
    const epochLogs: Record<string, number>[] = [];
    const history = await fitAdversarially(robust, train.x, train.y, {
      epochs: 12, batchSize: 32, method: 'pgd', attack: { epsilon: 0.15, stepSize: 0.05, steps: 3 }, rng: seededRng(4),
      optimizer: tf.train.adam(0.01),
      callbacks: {
        onTrainBegin: () => { events.push('begin'); },
        onEpochBegin: (e) => { events.push(`e${e}`); },
        onBatchBegin: (b) => { if (b === 0) events.push(`bb${b}`); },
        onBatchEnd: (b, logs) => { if (b === 0) events.push(`b${b}:${Number.isFinite(logs.loss)}:${logs.size}`); },
        onEpochEnd: async (_e, logs) => { events.push('end'); epochLogs.push(logs); },
        onTrainEnd: () => { events.push('done'); },
      },
    });
    // One result shape, `{ history }`, whose keys and values are the epoch logs'.
    expect(Object.keys(history)).toEqual(['history']);
    expect(history.history.loss).toEqual(epochLogs.map((l) => l.loss));
    expect(history.history.adversarialAccuracy).toEqual(epochLogs.map((l) => l.adversarialAccuracy));
    expect(history.epoch).toEqual([...Array(12).keys()]); // deprecated alias, not enumerable
    expect(events.slice(0, 5)).toEqual(['begin', 'e0', 'bb0', 'b0:true:32', 'end']);
    expect(events.at(-1)).toBe('done');
    expect(history.history.loss[11]!).toBeLessThan(history.history.loss[0]!);
    const evalAttack = (m: Parameters<typeof pgd>[0], xb: tf.Tensor, yb: tf.Tensor1D): Promise<tf.Tensor> =>
      pgd(m, xb, yb, { epsilon: 0.15, stepSize: 0.02, steps: 10, randomStart: false });
    const robustAcc = await robustAccuracy(robust, test.x, test.y, evalAttack);
    const normalAcc = await robustAccuracy(normal, test.x, test.y, evalAttack);
    expect(robustAcc).toBeGreaterThan(normalAcc + 0.15);

    let batches = 0;
    const stopped = await fitAdversarially(robust, train.x, train.y, {
      epochs: 3, batchSize: 64, method: 'trades', attack, rng: seededRng(1),
      callbacks: { onBatchEnd: () => { batches++; robust.stopTraining = true; } },
    });
    expect(batches).toBe(1);
    expect(stopped.history.loss).toHaveLength(1);
    await expect(fitAdversarially(robust, train.x, train.y, { epochs: 1, method: 'trades', attack: { ...attack, norm: 'l2' } }))
      .rejects.toThrow(/'options.attack.norm' must be 'linf' with method 'trades'/);
    await expect(fitAdversarially(robust, train.x, train.y, { epochs: 0, attack })).rejects.toThrow(/'options.epochs'/);
    tf.dispose([train.x, test.x]);
    normal.dispose();
    robust.dispose();
    void backend;
  });
});

describeBackends('adversarial training of a convolutional model', () => {
  // tfjs 4.22's wasm backend has no Conv2DBackpropFilter kernel, so Conv2D training runs on cpu.
  it('one PGD training step on the reference CNN', async () => {
    const model = referenceModel('cnn');
    const x = tf.tensor4d(digits.x.slice(0, 16 * 64), [16, 8, 8, 1]);
    const optimizer = tf.train.sgd(0.01);
    const before = (model.getWeights()[0]!.dataSync() as Float32Array).slice();
    const r = await adversarialTrainingStep(model, optimizer, x, digits.labels.slice(0, 16), { ...attack, rng: seededRng(0) });
    expect(Number.isFinite(r.loss)).toBe(true);
    expect(Array.from(model.getWeights()[0]!.dataSync())).not.toEqual(Array.from(before));
    const ce = softmaxCrossEntropy(tf.oneHot(tf.tensor1d([0], 'int32'), 10), tf.zeros([1, 10]));
    expect((await ce.data())[0]).toBeCloseTo(Math.log(10), 5);
    tf.dispose([x, ce]);
    optimizer.dispose();
    model.dispose();
  });
}, ['cpu']);

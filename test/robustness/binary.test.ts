/**
 * Single-logit (binary) models: a logistic regression on UCI Adult (the data the fairness-adult
 * example ships), attacked, evaluated and trained adversarially. A model with one output unit z is
 * the two-class model with logits [0, z]: the attacks and training steps must be the same.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadAdult } from '../../examples/shared/data.js';
import { InvalidArgumentError, seededRng } from '../../src/core/index.js';
import {
  adversarialTrainingStep, fgsm, fitAdversarially, pgd, robustAccuracy, robustAccuracyCurve, tradesAttack, tradesTrainingStep,
  type Attack,
} from '../../src/robustness/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';

const adult = loadAdult();
const F = adult.train.numFeatures;
const N_TRAIN = 4000;
const N_TEST = 200;
// Standardised numeric columns and one-hot categories lie in [-3.6, 5.1].
const range = { clipMin: -6, clipMax: 6 };
const yTest = Array.from(adult.test.y.subarray(0, N_TEST));
const yTrain = Array.from(adult.train.y.subarray(0, N_TRAIN));

function logisticRegression(activation?: 'sigmoid'): tfl.Sequential {
  const init = tfl.initializers.glorotUniform({ seed: 1 });
  return tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: [F], kernelInitializer: init, ...(activation ? { activation } : {}) })] });
}

const valuesOf = async (t: tf.Tensor): Promise<number[]> => Array.from(await t.data());

describeBackends('single-logit binary models (Adult logistic regression)', () => {
  let sigmoidModel: tfl.Sequential;
  let logitModel: tfl.Sequential;
  let xTrain: tf.Tensor2D;
  let x: tf.Tensor2D;
  /** The same model as a function from inputs to its single logit z. */
  const logit = (t: tf.Tensor): tf.Tensor => logitModel.apply(t) as tf.Tensor;
  /** The equivalent two-logit model, logits [0, z]. */
  const twoLogits = (t: tf.Tensor): tf.Tensor => {
    const z = logit(t);
    return tf.concat([tf.zerosLike(z), z], 1);
  };

  beforeAll(async () => {
    xTrain = tf.tensor2d(adult.train.x.subarray(0, N_TRAIN * F), [N_TRAIN, F]);
    x = tf.tensor2d(adult.test.x.subarray(0, N_TEST * F), [N_TEST, F]);
    sigmoidModel = logisticRegression('sigmoid');
    sigmoidModel.compile({ optimizer: tf.train.adam(0.05), loss: 'binaryCrossentropy' });
    const y = tf.tensor2d(yTrain, [N_TRAIN, 1]);
    await sigmoidModel.fit(xTrain, y, { epochs: 5, batchSize: 256, shuffle: false, verbose: 0 });
    y.dispose();
    logitModel = logisticRegression();
    logitModel.setWeights(sigmoidModel.getWeights());
  });

  afterAll(() => {
    tf.dispose([xTrain, x]);
    sigmoidModel.dispose();
    logitModel.dispose();
  });

  it('pgd and fgsm on the single logit equal the attacks on the logits [0, z], with 0/1 indices or a [N, 1] column', async () => {
    const column = tf.tensor2d(yTest, [N_TEST, 1]);
    const pairs: [string, (m: (t: tf.Tensor) => tf.Tensor, y: number[] | tf.Tensor | undefined) => Promise<tf.Tensor>][] = [
      ['fgsm', (m, y) => fgsm(m, x, y, { epsilon: 0.3, ...range })],
      ['targeted fgsm', (m, y) => fgsm(m, x, y, { epsilon: 0.3, targeted: true, ...range })],
      ['pgd', (m, y) => pgd(m, x, y, { epsilon: 0.3, stepSize: 0.05, steps: 10, restarts: 2, rng: seededRng(3), ...range })],
      ['pgd l2', (m, y) => pgd(m, x, y, { norm: 'l2', epsilon: 1, stepSize: 0.2, steps: 5, rng: seededRng(4), ...range })],
    ];
    for (const [name, run] of pairs) {
      const single = await run(logit, yTest);
      const two = await run(twoLogits, yTest);
      const fromColumn = await run(logitModel as unknown as (t: tf.Tensor) => tf.Tensor, column);
      const [a, b, c] = await Promise.all([valuesOf(single), valuesOf(two), valuesOf(fromColumn)]);
      expect(a, name).toEqual(b);
      expect(c, name).toEqual(a);
      expect(a.some((v, i) => v !== (adult.test.x[i] as number)), name).toBe(true);
      tf.dispose([single, two, fromColumn]);
    }
    // Without labels the model's own predictions (z > 0) stand in.
    const predicted = await valuesOf(tf.tidy(() => tf.cast(tf.greater(tf.reshape(logit(x), [-1]), 0), 'int32')));
    const omitted = await fgsm(logit, x, undefined, { epsilon: 0.3, ...range });
    const explicit = await fgsm(logit, x, predicted, { epsilon: 0.3, ...range });
    expect(await valuesOf(omitted)).toEqual(await valuesOf(explicit));
    await expectNoLeaks(() => pgd(logit, x, column, { epsilon: 0.3, stepSize: 0.05, steps: 2, restarts: 2, rng: seededRng(1), ...range }));
    tf.dispose([column, omitted, explicit]);
  });

  it('a Dense(1, sigmoid) LayersModel is attacked through its probability, with the attacks of its logit', async () => {
    const opts = { epsilon: 0.3, stepSize: 0.05, steps: 10, randomStart: false, ...range };
    const viaProbability = await pgd(sigmoidModel, x, yTest, opts);
    const viaLogit = await pgd(logitModel, x, yTest, opts);
    const explicit = await pgd((t) => sigmoidModel.apply(t) as tf.Tensor, x, yTest, { ...opts, modelOutput: 'probabilities' });
    const [p, l, e] = await Promise.all([valuesOf(viaProbability), valuesOf(viaLogit), valuesOf(explicit)]);
    expect(e).toEqual(p);
    // The gradients' signs agree (no probability reaches the floor here), so the iterates are equal.
    expect(p).toEqual(l);
    tf.dispose([viaProbability, viaLogit, explicit]);
  });

  it('robustAccuracy and robustAccuracyCurve: the three forms agree, and the attack lowers accuracy', async () => {
    const probs = await valuesOf(tf.tidy(() => sigmoidModel.predict(x) as tf.Tensor));
    const clean = probs.filter((p, i) => (p > 0.5 ? 1 : 0) === yTest[i]).length / N_TEST;
    const attack: Attack = (m, xb, yb) => pgd(m, xb, yb, { epsilon: 0.5, stepSize: 0.1, steps: 10, randomStart: false, ...range });
    const curves = [];
    for (const model of [sigmoidModel, logitModel, twoLogits]) {
      curves.push(await robustAccuracyCurve(model, x, yTest, { epsilons: [0, 0.5], attack: () => attack, batchSize: 64 }));
    }
    for (const curve of curves) expect(curve.accuracies).toEqual(curves[0]!.accuracies);
    expect(curves[0]!.accuracies[0]).toBeCloseTo(clean, 10);
    expect(clean).toBeGreaterThan(0.75);
    expect(curves[0]!.accuracies[1]!).toBeLessThan(clean - 0.1);
    // A [N, 1] column works as the labels, and a sigmoid function says it returns probabilities.
    const column = tf.tensor2d(yTest, [N_TEST, 1]);
    const viaColumn = await robustAccuracy(sigmoidModel, x, column, attack, { batchSize: 64 });
    const sigmoidFn = (t: tf.Tensor): tf.Tensor => sigmoidModel.apply(t) as tf.Tensor;
    const noAttack: Attack = async (_m, xb) => tf.clone(xb);
    const probabilityFn = await robustAccuracy(sigmoidFn, x, yTest, noAttack, { modelOutput: 'probabilities' });
    expect(viaColumn).toBe(curves[0]!.accuracies[1]);
    expect(probabilityFn).toBeCloseTo(clean, 10);
    column.dispose();
  });

  it('rejects labels other than 0/1 for a single-output model, naming y', async () => {
    const bad = [...yTest.slice(0, N_TEST - 1), 2];
    await expect(pgd(logitModel, x, bad, { epsilon: 0.1, stepSize: 0.05, steps: 1, ...range }))
      .rejects.toThrow(`pgd: argument 'y[${N_TEST - 1}]' must be an integer class index in [0, 2), got 2`);
    const half = tf.tensor2d([...yTest.slice(1), 0.5], [N_TEST, 1]);
    await expect(fgsm(sigmoidModel, x, half, { epsilon: 0.1, ...range })).rejects.toThrow(/'y\[199\]' must be a 0\/1 label/);
    const wide = tf.zeros([N_TEST, 3]);
    const e = await fgsm(logit, x, wide, { epsilon: 0.1, ...range }).then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect((e as InvalidArgumentError).argument).toBe('y');
    expect((e as Error).message).toMatch(/labels for the model's output shape \[200, 1\]/);
    tf.dispose([half, wide]);
  });

  it('adversarial and TRADES training steps on the single logit take the steps of the logits [0, z]', async () => {
    const [w0, b0] = logitModel.getWeights() as [tf.Tensor, tf.Tensor]; // the model's own variables
    const xb = tf.slice(xTrain, 0, 128);
    const yb = yTrain.slice(0, 128);
    const attack = { epsilon: 0.2, stepSize: 0.05, steps: 3, ...range };
    for (const step of ['pgd', 'trades'] as const) {
      const results = [];
      const weights = [];
      for (const two of [false, true]) {
        const w = tf.variable(tf.clone(w0));
        const b = tf.variable(tf.clone(b0));
        const z = (t: tf.Tensor): tf.Tensor => tf.add(tf.matMul(t as tf.Tensor2D, w), b);
        const f = two ? (t: tf.Tensor): tf.Tensor => { const zt = z(t); return tf.concat([tf.zerosLike(zt), zt], 1); } : z;
        const optimizer = tf.train.sgd(0.5);
        const run = [];
        for (let i = 0; i < 3; i++) {
          const options = { ...attack, variables: [w, b], rng: seededRng(i) };
          run.push(step === 'pgd'
            ? await adversarialTrainingStep(f, optimizer, xb, yb, { ...options, cleanWeight: 0.5 })
            : await tradesTrainingStep(f, optimizer, xb, yb, { ...options, beta: 6 }));
        }
        results.push(run);
        weights.push([...(await w.data()), ...(await b.data())]);
        optimizer.dispose();
        tf.dispose([w, b]);
      }
      for (let i = 0; i < 3; i++) {
        expect(results[1]![i]!.loss, `${step} step ${i}`).toBe(results[0]![i]!.loss);
        expect(results[1]![i]!.adversarialAccuracy).toBe(results[0]![i]!.adversarialAccuracy);
      }
      expect(results[0]![2]!.loss).toBeLessThan(results[0]![0]!.loss);
      expect(weights[1], step).toEqual(weights[0]);
    }
    const xAdvSingle = await tradesAttack(logit, xb, { ...attack, rng: seededRng(5) });
    const xAdvTwo = await tradesAttack(twoLogits, xb, { ...attack, rng: seededRng(5) });
    expect(await valuesOf(xAdvSingle)).toEqual(await valuesOf(xAdvTwo));
    tf.dispose([xb, xAdvSingle, xAdvTwo]);
  });

  it('fitAdversarially trains a Dense(1, sigmoid) model with PGD and TRADES, leaking nothing', async () => {
    const xs = tf.slice(xTrain, 0, 1024);
    const ys = yTrain.slice(0, 1024);
    const attack = { epsilon: 0.2, stepSize: 0.05, steps: 3, ...range };
    for (const method of ['pgd', 'trades'] as const) {
      const model = logisticRegression('sigmoid');
      const labels = method === 'pgd' ? ys : tf.tensor2d(ys, [1024, 1]);
      const history = await fitAdversarially(model, xs, labels, {
        epochs: 4, batchSize: 128, method, attack, rng: seededRng(2), optimizer: tf.train.adam(0.05),
      });
      const loss = history.history.loss;
      expect(loss[3]!, method).toBeLessThan(loss[0]!);
      expect(history.history.adversarialAccuracy[3]!).toBeGreaterThan(0.6);
      const optimizer = tf.train.adam(0.01);
      const xb = tf.slice(xs, 0, 64);
      await expectNoLeaks(() => (method === 'pgd'
        ? adversarialTrainingStep(model, optimizer, xb, ys.slice(0, 64), { ...attack, rng: seededRng(1) })
        : tradesTrainingStep(model, optimizer, xb, ys.slice(0, 64), { ...attack, rng: seededRng(1) })));
      optimizer.dispose();
      xb.dispose();
      if (labels instanceof tf.Tensor) labels.dispose();
      model.dispose();
    }
    xs.dispose();
  });
});

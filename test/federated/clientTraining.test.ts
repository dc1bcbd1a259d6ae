import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { aggregateEvaluations } from '../../src/federated/algorithms/aggregateEvaluations.js';
import { evaluateClient } from '../../src/federated/algorithms/evaluateClient.js';
import { federatedAverage } from '../../src/federated/algorithms/federatedAverage.js';
import { trainClient } from '../../src/federated/algorithms/trainClient.js';
import { readWeights } from '../../src/federated/weights/readWeights.js';
import { writeWeights } from '../../src/federated/weights/writeWeights.js';
import { AbortedError, InvalidArgumentError } from '../../src/core/errors.js';
import { seededRng } from '../../src/core/rng.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';

const N = 23; // not a multiple of the batch size: the last batch is smaller
const FEATURES = 4;

function data(seed: number): { x: number[]; labels: number[]; targets: number[] } {
  const rng = seededRng(seed);
  const x = Array.from({ length: N * FEATURES }, () => rng.next() * 2 - 1);
  const labels = Array.from({ length: N }, (_, i) => (x[i * FEATURES]! + x[i * FEATURES + 1]! > 0 ? 1 : 0) + (i % 3 === 0 ? 1 : 0));
  const targets = Array.from({ length: N }, (_, i) => 0.5 * x[i * FEATURES]! - 2 * x[i * FEATURES + 2]! + 0.3 + 0.1 * (rng.next() - 0.5));
  return { x, labels, targets };
}

function classifier(seed: number): tfl.Sequential {
  const m = tfl.sequential();
  m.add(tfl.layers.dense({ units: 8, activation: 'tanh', inputShape: [FEATURES], kernelInitializer: tfl.initializers.glorotUniform({ seed }) }));
  m.add(tfl.layers.dense({ units: 3, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }) })); // logits
  return m;
}

function linear(seed: number): tfl.Sequential {
  const m = tfl.sequential();
  m.add(tfl.layers.dense({ units: 1, inputShape: [FEATURES], kernelInitializer: tfl.initializers.glorotUniform({ seed }), biasInitializer: 'ones' }));
  return m;
}

function expectClose(a: Float32Array, b: Float32Array, tol: number): void {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
  expect(worst).toBeLessThanOrEqual(tol);
}

describeBackends('trainClient', () => {
  it('FedAvg, one client, one epoch equals model.fit with the same SGD and batch order (softmax classifier)', async () => {
    const { x: xs, labels } = data(1);
    const x = tf.tensor2d(xs, [N, FEATURES]);
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 3);
    for (const epochs of [1, 3]) {
      const reference = classifier(10);
      const start = (await readWeights(reference)).values;
      reference.compile({ optimizer: tf.train.sgd(0.3), loss: (t: tf.Tensor, p: tf.Tensor) => tf.losses.softmaxCrossEntropy(t, p) });
      const history = await reference.fit(x, y, { epochs, batchSize: 5, shuffle: false, verbose: 0 });
      const fitted = (await readWeights(reference)).values;

      const model = classifier(99); // other initial weights: trainClient sets the global ones
      const update = await trainClient({ model, weights: start, x, y: labels, localEpochs: epochs, batchSize: 5, learningRate: 0.3, shuffle: false });
      const local = (await readWeights(model)).values;
      expectClose(local, fitted, 2e-6);
      expectClose(update.delta, fitted.map((v, i) => v - start[i]!), 2e-6);
      expect(update.numExamples).toBe(N);
      expect(update.loss).toBeCloseTo(history.history.loss![epochs - 1] as number, 5);
      (reference.optimizer as tf.Optimizer).dispose();
      reference.dispose();
      model.dispose();
    }
    tf.dispose([x, y]);
  });

  it('equals model.fit for mean squared error, and with an optimizer factory (momentum)', async () => {
    const { x: xs, targets } = data(2);
    const x = tf.tensor2d(xs, [N, FEATURES]);
    const y = tf.tensor2d(targets, [N, 1]);
    for (const which of ['sgd', 'momentum'] as const) {
      const make = (): tf.Optimizer => (which === 'sgd' ? tf.train.sgd(0.1) : tf.train.momentum(0.05, 0.9));
      const reference = linear(3);
      const start = (await readWeights(reference)).values;
      reference.compile({ optimizer: make(), loss: 'meanSquaredError' });
      await reference.fit(x, y, { epochs: 2, batchSize: 4, shuffle: false, verbose: 0 });
      const fitted = (await readWeights(reference)).values;
      const model = linear(4);
      const update = await trainClient({
        model, weights: start, x, y, localEpochs: 2, batchSize: 4, shuffle: false, loss: 'meanSquaredError',
        ...(which === 'sgd' ? { learningRate: 0.1 } : { optimizer: make }),
      });
      expectClose((await readWeights(model)).values, fitted, 2e-6);
      expectClose(update.delta, fitted.map((v, i) => v - start[i]!), 2e-6);
      (reference.optimizer as tf.Optimizer).dispose();
      reference.dispose();
      model.dispose();
    }
    tf.dispose([x, y]);
  });

  it("equals model.fit for models that output probabilities (softmax with 'categoricalCrossentropy', sigmoid with 'binaryCrossentropy')", async () => {
    const { x: xs, labels } = data(11);
    const x = tf.tensor2d(xs, [N, FEATURES]);
    for (const binary of [false, true]) {
      const make = (seed: number): tfl.Sequential => {
        const m = tfl.sequential();
        m.add(tfl.layers.dense({ units: binary ? 1 : 3, activation: binary ? 'sigmoid' : 'softmax', inputShape: [FEATURES], kernelInitializer: tfl.initializers.glorotUniform({ seed }) }));
        return m;
      };
      const classes = binary ? labels.map((l) => (l > 0 ? 1 : 0)) : labels;
      const y = tf.tidy(() => (binary ? tf.tensor2d(classes, [N, 1]) : tf.oneHot(tf.tensor1d(classes, 'int32'), 3)));
      const reference = make(20);
      const start = (await readWeights(reference)).values;
      reference.compile({ optimizer: tf.train.sgd(0.5), loss: binary ? 'binaryCrossentropy' : 'categoricalCrossentropy' });
      await reference.fit(x, y, { epochs: 2, batchSize: 6, shuffle: false, verbose: 0 });
      const model = make(21);
      await trainClient({ model, weights: start, x, y: classes, localEpochs: 2, batchSize: 6, learningRate: 0.5, shuffle: false });
      expectClose((await readWeights(model)).values, (await readWeights(reference)).values, 1e-5);
      (reference.optimizer as tf.Optimizer).dispose();
      reference.dispose();
      model.dispose();
      y.dispose();
    }
    x.dispose();
  });

  it('FedProx with mu = 0 is FedAvg, bit for bit', async () => {
    const { x: xs, labels } = data(3);
    const x = tf.tensor2d(xs, [N, FEATURES]);
    const model = classifier(5);
    const { values: start } = await readWeights(model);
    const common = { model, weights: start, x, y: labels, localEpochs: 2, batchSize: 6, learningRate: 0.2 } as const;
    const plain = await trainClient({ ...common, rng: seededRng(1) });
    const prox0 = await trainClient({ ...common, proximalMu: 0, rng: seededRng(1) });
    expect(prox0).toEqual(plain);
    x.dispose();
    model.dispose();
  });

  it("FedProx's step matches the analytic gradient of loss + (mu/2)||w - w_global||^2 on a linear model", async () => {
    const { x: xs, targets } = data(4);
    const x = tf.tensor2d(xs, [N, FEATURES]);
    const y = tf.tensor2d(targets, [N, 1]);
    const model = linear(6);
    const { values: start } = await readWeights(model); // kernel [4, 1] then bias [1]
    const lr = 0.05, mu = 0.7, batchSize = 8, epochs = 3;
    // float64 reference: MSE = mean_b (x_b . w + c - y_b)^2, gradient 2/B sum_b r_b x_b, plus mu (w - w_global).
    const w = Array.from(start, Number);
    for (let e = 0; e < epochs; e++) {
      for (let s = 0; s < N; s += batchSize) {
        const rows = Array.from({ length: Math.min(batchSize, N - s) }, (_, k) => s + k);
        const grad = new Array<number>(FEATURES + 1).fill(0);
        for (const r of rows) {
          let pred = w[FEATURES]!;
          for (let j = 0; j < FEATURES; j++) pred += xs[r * FEATURES + j]! * w[j]!;
          const res = (2 * (pred - targets[r]!)) / rows.length;
          for (let j = 0; j < FEATURES; j++) grad[j]! += res * xs[r * FEATURES + j]!;
          grad[FEATURES]! += res;
        }
        for (let j = 0; j <= FEATURES; j++) w[j] = w[j]! - lr * (grad[j]! + mu * (w[j]! - start[j]!));
      }
    }
    const update = await trainClient({ model, weights: start, x, y, loss: 'meanSquaredError', localEpochs: epochs, batchSize, learningRate: lr, proximalMu: mu, shuffle: false });
    expectClose((await readWeights(model)).values, Float32Array.from(w), 1e-5);
    // The proximal term pulls towards the global weights: a smaller move than FedAvg's.
    const fedAvg = await trainClient({ model, weights: start, x, y, loss: 'meanSquaredError', localEpochs: epochs, batchSize, learningRate: lr, shuffle: false });
    const norm = (d: Float32Array): number => Math.hypot(...d);
    expect(norm(update.delta)).toBeLessThan(norm(fedAvg.delta));
    tf.dispose([x, y]);
    model.dispose();
  });

  it('a diverged client (learning rate 1e30) reports non-finite results, which federatedAverage refuses', async () => {
    const { x: xs, targets } = data(12);
    const x = tf.tensor2d(xs, [N, FEATURES]);
    const y = tf.tensor2d(targets.map((t) => t * 1e19), [N, 1]);
    const model = linear(13);
    const { values: start } = await readWeights(model);
    const update = await trainClient({ model, weights: start, x, y, loss: 'meanSquaredError', localEpochs: 3, batchSize: 4, learningRate: 1e30, shuffle: false });
    expect(update.delta.every(Number.isFinite) && Number.isFinite(update.loss)).toBe(false);
    expect(() => federatedAverage([{ delta: update.delta, weight: update.numExamples }])).toThrow(InvalidArgumentError);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('shuffles with the rng: same seed, same update; other seed, other update', async () => {
    const { x: xs, labels } = data(5);
    const x = tf.tensor2d(xs, [N, FEATURES]);
    const model = classifier(7);
    const { values: start } = await readWeights(model);
    const run = (seed: number) => trainClient({ model, weights: start, x, y: labels, localEpochs: 1, batchSize: 4, learningRate: 0.5, rng: seededRng(seed) });
    const [a, b, c] = [await run(1), await run(1), await run(2)];
    expect(a).toEqual(b);
    expect(Array.from(a.delta)).not.toEqual(Array.from(c.delta));
    x.dispose();
    model.dispose();
  });

  it('leaks no tensors (FedAvg, FedProx, custom loss) and stops on an aborted signal', async () => {
    const { x: xs, labels, targets } = data(6);
    const x = tf.tensor2d(xs, [N, FEATURES]);
    const y = tf.tensor2d(targets, [N, 1]);
    const model = classifier(8);
    const { values: start } = await readWeights(model);
    await expectNoLeaks(() => trainClient({ model, weights: start, x, y: labels, localEpochs: 2, batchSize: 5, learningRate: 0.1, rng: seededRng(0) }));
    await expectNoLeaks(() => trainClient({ model, weights: start, x, y: labels, localEpochs: 2, batchSize: 5, learningRate: 0.1, proximalMu: 0.1, rng: seededRng(0) }));
    const lin = linear(9);
    const { values: linStart } = await readWeights(lin);
    const huber = (t: tf.Tensor, o: tf.Tensor): tf.Tensor => tf.reshape(tf.losses.huberLoss(t, o, undefined, 1, tf.Reduction.NONE), [-1]);
    const u = await expectNoLeaks(() => trainClient({ model: lin, weights: linStart, x, y, loss: huber, localEpochs: 1, batchSize: 5, learningRate: 0.1 }));
    expect(Number.isFinite(u.loss)).toBe(true);
    const controller = new AbortController();
    controller.abort('stop');
    const before = tf.memory().numTensors;
    await expect(trainClient({ model, weights: start, x, y: labels, localEpochs: 1, batchSize: 5, learningRate: 0.1, signal: controller.signal }))
      .rejects.toBeInstanceOf(AbortedError);
    // Aborting mid-training: after the first batch.
    const mid = new AbortController();
    let steps = 0;
    const countingLoss = (t: tf.Tensor, o: tf.Tensor): tf.Tensor => {
      if (++steps === 2) mid.abort();
      return tf.sum(tf.square(tf.sub(o, t)), -1);
    };
    const err = await trainClient({ model: lin, weights: linStart, x, y, loss: countingLoss, localEpochs: 3, batchSize: 5, learningRate: 0.1, signal: mid.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortedError);
    expect((err as AbortedError).fn).toBe('trainClient');
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
    model.dispose();
    lin.dispose();
  });

  it('refuses bad options and mismatched models with typed errors, leaking nothing', async () => {
    const { x: xs, labels } = data(7);
    const x = tf.tensor2d(xs, [N, FEATURES]);
    const model = classifier(11);
    const { layout, values } = await readWeights(model);
    const other = tfl.sequential({ layers: [tfl.layers.dense({ units: 3, inputShape: [FEATURES + 1] })] });
    const base = { model, weights: values, x, y: labels, localEpochs: 1, batchSize: 4, learningRate: 0.1 };
    const before = tf.memory().numTensors;
    const expectArg = async (options: object, argument: string, message: RegExp): Promise<void> => {
      const e = await trainClient({ ...base, ...options } as never).catch((err: unknown) => err);
      expect(e, argument).toBeInstanceOf(InvalidArgumentError);
      expect((e as InvalidArgumentError).argument).toBe(argument);
      expect((e as Error).message).toMatch(message);
    };
    await expectArg({ model: other, layout }, 'layout', /1 trainable weights|2 trainable weights/);
    await expectArg({ model: {} }, 'model', /LayersModel/);
    // A refused call leaves the model's weights alone.
    await expectArg({ weights: values.map((v) => v + 1), y: labels.slice(2) }, 'y', /23/);
    expect((await readWeights(model)).values).toEqual(values);
    await expectArg({ weights: values.subarray(1) }, 'values', /layout.size/);
    await expectArg({ learningRate: undefined }, 'options.learningRate', /exactly one/);
    await expectArg({ optimizer: () => tf.train.sgd(0.1) }, 'options.learningRate', /exactly one/);
    await expectArg({ learningRate: undefined, optimizer: () => ({}) }, 'options.optimizer', /tf.Optimizer/);
    await expectArg({ learningRate: -1 }, 'options.learningRate', /> 0/);
    await expectArg({ localEpochs: 0 }, 'options.localEpochs', />= 1/);
    await expectArg({ batchSize: 2.5 }, 'options.batchSize', />= 1/);
    await expectArg({ proximalMu: Number.NaN }, 'options.proximalMu', />= 0/);
    await expectArg({ y: labels.map((l) => l + 3) }, 'y[0]', /[0-9]/);
    await expectArg({ y: labels.slice(1) }, 'y', /23/);
    await expectArg({ loss: 'hinge' }, 'options.loss', /crossEntropy/);
    await expectArg({ loss: 'meanSquaredError' }, 'y', /tf.Tensor/);
    await expectArg({ loss: (t: tf.Tensor) => tf.clone(t) }, 'y', /tf.Tensor/);
    await expectArg({ modelOutput: 'scores' }, 'options.modelOutput', /logits/);
    await expectArg({ rng: 5 }, 'options.rng', /Rng/);
    const empty = tf.zeros([0, FEATURES]);
    await expectArg({ x: empty }, 'x', /non-empty/);
    empty.dispose();
    const bad = tf.tensor2d(xs, [N, FEATURES]);
    bad.dispose();
    await expectArg({ x: bad }, 'x', /disposed/);
    const yT = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), 3));
    await expectArg({ y: yT, loss: (t: tf.Tensor) => tf.sum(t) }, 'options.loss', /one loss per example/);
    yT.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
    other.dispose();
  });
});

describeBackends('evaluateClient', () => {
  it('computes mean loss and accuracy as a direct computation, independent of batch size; aggregates over clients', async () => {
    const { x: xs, labels } = data(8);
    const x = tf.tensor2d(xs, [N, FEATURES]);
    const model = classifier(12);
    const { values } = await readWeights(model);
    const logits = model.predict(x) as tf.Tensor;
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 3);
    const expectedLoss = (await tf.losses.softmaxCrossEntropy(y, logits).data())[0]!;
    const predicted = await tf.argMax(logits, 1).data();
    const expectedAcc = labels.filter((l, i) => predicted[i] === l).length / N;
    const other = classifier(13);
    const full = await expectNoLeaks(() => evaluateClient({ model: other, weights: values, x, y: labels }));
    expect(full.loss).toBeCloseTo(expectedLoss, 5);
    expect(full.accuracy).toBe(expectedAcc);
    expect(full.numExamples).toBe(N);
    const small = await evaluateClient({ model: other, weights: values, x, y, batchSize: 4 });
    expect(small.loss).toBeCloseTo(full.loss, 5);
    expect(small.accuracy).toBe(full.accuracy);
    // Two clients holding the two halves aggregate to the whole.
    const xa = tf.slice(x, 0, 10), xb = tf.slice(x, 10);
    const parts = [
      await evaluateClient({ model: other, weights: values, x: xa, y: labels.slice(0, 10) }),
      await evaluateClient({ model: other, weights: values, x: xb, y: labels.slice(10) }),
    ];
    const agg = aggregateEvaluations(parts);
    expect(agg.loss).toBeCloseTo(full.loss, 5);
    expect(agg.accuracy).toBeCloseTo(full.accuracy, 12);
    expect(agg.numExamples).toBe(N);
    // Regression: MSE and no accuracy.
    const lin = linear(14);
    const t = tf.zeros([N, 1]);
    const r = await evaluateClient({ model: lin, weights: (await readWeights(lin)).values, x, y: t, loss: 'meanSquaredError' });
    const pred = await (lin.predict(x) as tf.Tensor).data();
    expect(r.loss).toBeCloseTo(Array.from(pred).reduce((s, p) => s + p * p, 0) / N, 5);
    expect(r.accuracy).toBeNaN();
    await expect(evaluateClient({ model: other, weights: values, x, y: labels, batchSize: 0 })).rejects.toThrow(/options.batchSize/);
    tf.dispose([x, y, logits, xa, xb, t]);
    model.dispose();
    other.dispose();
    lin.dispose();
  });

  it('writeWeights and evaluateClient agree: the model keeps the evaluated weights', async () => {
    const model = classifier(15);
    const { layout, values } = await readWeights(model);
    const shifted = values.map((v) => v * 0.5);
    const x = tf.tensor2d(data(9).x, [N, FEATURES]);
    await evaluateClient({ model, weights: shifted, layout, x, y: data(9).labels });
    expect((await readWeights(model)).values).toEqual(shifted);
    writeWeights(model, layout, values);
    x.dispose();
    model.dispose();
  });
});

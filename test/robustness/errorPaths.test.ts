/**
 * Error paths of the robustness module: typed errors naming the argument (disposed tensors,
 * non-finite inputs, mismatched shapes), and no tensor left behind when a call fails after it has
 * started creating state.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import digits from '../fixtures/robustness/digits_test.json';
import { InvalidArgumentError, seededRng } from '../../src/core/index.js';
import {
  adversarialTrainingStep, fgsm, fitAdversarially, pgd, probabilityCrossEntropy, robustAccuracy, robustAccuracyCurve,
  softmaxCrossEntropy, tradesAttack, tradesLoss, tradesTrainingStep,
} from '../../src/robustness/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectInvalidArgument } from '../helpers/errors.js';

function mlp(seed: number): tfl.Sequential {
  const model = tfl.sequential();
  model.add(tfl.layers.dense({ units: 16, activation: 'relu', inputShape: [64], kernelInitializer: tfl.initializers.glorotUniform({ seed }) }));
  model.add(tfl.layers.dense({ units: 10, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }) }));
  return model;
}

const data = (n: number): { x: tf.Tensor2D; y: number[] } => ({
  x: tf.tensor2d(digits.x.slice(0, n * 64), [n, 64]),
  y: digits.labels.slice(0, n),
});

/** Awaits the rejection of `call` and returns it as an InvalidArgumentError (failing otherwise). */
async function invalidArgument(call: () => Promise<unknown>): Promise<InvalidArgumentError> {
  const error = await call().then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(InvalidArgumentError);
  return error as InvalidArgumentError;
}

/** A variable holding `t` (which it frees). */
function variableOf(t: tf.Tensor): tf.Variable {
  const v = tf.variable(t);
  t.dispose();
  return v;
}

/** A disposed copy of `t`. */
function disposedCopy(t: tf.Tensor): tf.Tensor {
  const c = tf.clone(t);
  c.dispose();
  return c;
}

/** A linear model as a plain function that throws (an untyped Error) on call number `failAt` (0-based). */
function failingLinear(w: tf.Variable, b: tf.Variable, failAt: number): (x: tf.Tensor) => tf.Tensor {
  let calls = 0;
  return (x) => {
    if (calls++ === failAt) throw new Error('model failed');
    return tf.add(tf.matMul(x as tf.Tensor2D, w), b);
  };
}

const attack = { epsilon: 0.1, stepSize: 0.03, steps: 2 };

describeBackends('robustness error paths', () => {
  it('a disposed x or y is an InvalidArgumentError naming it, for every attack and evaluation', async () => {
    const model = mlp(1);
    const { x, y } = data(8);
    const deadX = disposedCopy(x);
    const deadY = disposedCopy(tf.tensor1d(y, 'int32'));
    const optimizer = tf.train.sgd(0.1);
    const byX: [string, (xx: tf.Tensor) => Promise<unknown>][] = [
      ['fgsm', (xx) => fgsm(model, xx, y, { epsilon: 0.1 })],
      ['pgd', (xx) => pgd(model, xx, y, attack)],
      ['tradesAttack', (xx) => tradesAttack(model, xx, attack)],
      ['adversarialTrainingStep', (xx) => adversarialTrainingStep(model, optimizer, xx, y, attack)],
      ['tradesTrainingStep', (xx) => tradesTrainingStep(model, optimizer, xx, y, attack)],
      ['fitAdversarially', (xx) => fitAdversarially(model, xx, y, { epochs: 1, attack })],
      ['robustAccuracy', (xx) => robustAccuracy(model, xx, y, (m, xb, yb) => fgsm(m, xb, yb, { epsilon: 0.1 }))],
      ['robustAccuracyCurve', (xx) => robustAccuracyCurve(model, xx, y, { epsilons: [0], attack: () => () => Promise.reject(new Error('unused')) })],
    ];
    const before = tf.memory().numTensors;
    for (const [fn, call] of byX) {
      const e = await invalidArgument(() => call(deadX));
      expect([e.fn, e.argument], fn).toEqual([fn, 'x']);
      expect(e.message).toMatch(/has not been disposed/);
    }
    const byY: [string, () => Promise<unknown>][] = [
      ['fgsm', () => fgsm(model, x, deadY, { epsilon: 0.1 })],
      ['pgd', () => pgd(model, x, deadY, attack)],
      ['adversarialTrainingStep', () => adversarialTrainingStep(model, optimizer, x, deadY, attack)],
      ['tradesTrainingStep', () => tradesTrainingStep(model, optimizer, x, deadY, attack)],
      ['fitAdversarially', () => fitAdversarially(model, x, deadY, { epochs: 1, attack })],
      ['robustAccuracy', () => robustAccuracy(model, x, deadY, (m, xb, yb) => fgsm(m, xb, yb, { epsilon: 0.1 }))],
    ];
    for (const [fn, call] of byY) {
      const e = await invalidArgument(call);
      expect([e.fn, e.argument], fn).toEqual([fn, 'y']);
    }
    expect(() => softmaxCrossEntropy(deadX, x)).toThrow(/'labels' must be one-hot labels .* that has not been disposed/);
    expect(() => probabilityCrossEntropy(x, deadX)).toThrow(/'probabilities'/);
    expect(tf.memory().numTensors).toBe(before);
    optimizer.dispose();
    tf.dispose([x]);
    model.dispose();
  });

  it('inputs with NaN or infinity are rejected, naming x and the first bad element', async () => {
    const model = mlp(1);
    const { x, y } = data(4);
    const values = Array.from(await x.data());
    values[70] = Number.NaN;
    const withNaN = tf.tensor2d(values, [4, 64]);
    values[70] = Number.POSITIVE_INFINITY;
    const withInf = tf.tensor2d(values, [4, 64]);
    const before = tf.memory().numTensors;
    for (const bad of [withNaN, withInf]) {
      for (const call of [() => pgd(model, bad, y, attack), () => fgsm(model, bad, y, { epsilon: 0.1 }), () => tradesAttack(model, bad, attack)]) {
        const e = await invalidArgument(call);
        expect(e.argument).toBe('x');
        expect(e.message).toMatch(/finite values .*at flat index 70 \(example 1\)/);
      }
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, withNaN, withInf]);
    model.dispose();
  });

  it('pgd leaks nothing when its loss or model fails in the middle of the attack', async () => {
    const model = mlp(2);
    const { x, y } = data(16);
    tf.dispose(await pgd(model, x, y, { ...attack, restarts: 2, rng: seededRng(0) })); // warm state
    const before = tf.memory().numTensors;
    // A loss of the wrong shape fails at the first step, after the random start exists.
    const badLoss = (): tf.Tensor => tf.zeros([1]);
    for (const norm of ['linf', 'l2'] as const) {
      const e = await invalidArgument(() => pgd(model, x, y, { ...attack, norm, restarts: 3, loss: badLoss, rng: seededRng(0) }));
      expect(e.argument).toBe('options.loss');
    }
    // A model that throws during the second restart: the first run's result and its objective are freed.
    const w = variableOf(tf.randomNormal([64, 10], 0, 0.1, 'float32', 1));
    const b = variableOf(tf.zeros([10]));
    const afterVariables = tf.memory().numTensors;
    for (const failAt of [1, 2, 4, 5]) {
      await expect(pgd(failingLinear(w, b, failAt), x, y, { ...attack, restarts: 2, rng: seededRng(0) })).rejects.toThrow('model failed');
      expect(tf.memory().numTensors, `failing at call ${failAt}`).toBe(afterVariables);
    }
    tf.dispose([w, b]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x]);
    model.dispose();
  });

  it('adversarialTrainingStep: bad input after training has started leaks nothing and changes no weight', async () => {
    const w = variableOf(tf.randomNormal([64, 10], 0, 0.1, 'float32', 2));
    const b = variableOf(tf.zeros([10]));
    const f = (t: tf.Tensor): tf.Tensor => tf.add(tf.matMul(t as tf.Tensor2D, w), b);
    const { x, y } = data(16);
    const optimizer = tf.train.adam(0.01);
    await adversarialTrainingStep(f, optimizer, x, y, { ...attack, variables: [w, b], cleanWeight: 0.5 }); // creates Adam's slots
    const weights = [Array.from(await w.data()), Array.from(await b.data())];
    const before = tf.memory().numTensors;
    const unrelated = variableOf(tf.zeros([3]));
    const dead = variableOf(tf.zeros([3]));
    dead.dispose();
    const start = tf.memory().numTensors;
    let e = await invalidArgument(() => adversarialTrainingStep(f, optimizer, x, y, { ...attack, variables: [unrelated] }));
    expect(e.argument).toBe('options.variables');
    expect(e.message).toMatch(/variables that the model's output depends on/);
    e = await invalidArgument(() => adversarialTrainingStep(f, optimizer, x, y, { ...attack, variables: [w, dead] }));
    expect(e.argument).toBe('options.variables[1]');
    e = await invalidArgument(() => adversarialTrainingStep(f, optimizer, x, y.map((v) => v + 10), { ...attack, variables: [w, b] }));
    expect(e.argument).toMatch(/^y\[\d+\]$/);
    // The model fails inside optimizer.minimize, after the correct-prediction count was kept
    // (call 0: class count, 1-2: the attack, 3: adversarial training forward, 4: clean forward).
    await expect(adversarialTrainingStep(failingLinear(w, b, 4), optimizer, x, y, { ...attack, variables: [w, b], cleanWeight: 0.5 }))
      .rejects.toThrow('model failed');
    expect(tf.memory().numTensors).toBe(start);
    expect([Array.from(await w.data()), Array.from(await b.data())]).toEqual(weights);
    unrelated.dispose();
    expect(tf.memory().numTensors).toBe(before);
    optimizer.dispose();
    tf.dispose([w, b, x]);
  });

  it('tradesTrainingStep: bad input after training has started leaks nothing and changes no weight', async () => {
    const w = variableOf(tf.randomNormal([64, 10], 0, 0.1, 'float32', 3));
    const b = variableOf(tf.zeros([10]));
    const f = (t: tf.Tensor): tf.Tensor => tf.add(tf.matMul(t as tf.Tensor2D, w), b);
    const { x, y } = data(16);
    const optimizer = tf.train.adam(0.01);
    await tradesTrainingStep(f, optimizer, x, y, { ...attack, variables: [w, b] });
    const weights = [Array.from(await w.data()), Array.from(await b.data())];
    const unrelated = variableOf(tf.zeros([3]));
    const start = tf.memory().numTensors;
    let e = await invalidArgument(() => tradesTrainingStep(f, optimizer, x, y, { ...attack, variables: [unrelated] }));
    expect(e.argument).toBe('options.variables');
    e = await invalidArgument(() => tradesTrainingStep(f, optimizer, x, y.slice(1), { ...attack, variables: [w, b] }));
    expect(e.argument).toBe('y');
    e = await invalidArgument(() => tradesTrainingStep((t) => tf.reshape(f(t), [-1]), optimizer, x, y, { ...attack, variables: [w, b] }));
    expect(e.argument).toBe('model');
    // Fails in the attack (calls 1-3: clean log-probabilities and two steps) and in minimize after
    // the correct count was kept (4: adversarial forward, 5: clean forward).
    for (const failAt of [2, 3, 5]) {
      await expect(tradesTrainingStep(failingLinear(w, b, failAt), optimizer, x, y, { ...attack, variables: [w, b] })).rejects.toThrow('model failed');
      expect(tf.memory().numTensors, `failing at call ${failAt}`).toBe(start);
    }
    expect([Array.from(await w.data()), Array.from(await b.data())]).toEqual(weights);
    unrelated.dispose();
    optimizer.dispose();
    tf.dispose([w, b, x]);
  });

  it('tradesLoss validates its inputs with typed errors naming the argument, and leaks nothing', async () => {
    const f = (t: tf.Tensor): tf.Tensor => tf.mul(t, tf.tensor1d([1, -1]));
    const x = tf.tensor2d([[0.2, 0.4], [0.1, 0.3]]);
    const xAdv = tf.tensor2d([[0.5, 0.1], [0.2, 0.2]]);
    const y = tf.tensor2d([[1, 0], [0, 1]]);
    tf.dispose(tradesLoss(f, x, xAdv, y, { training: false }));
    const before = tf.memory().numTensors;
    const cases: [() => unknown, string, RegExp][] = [
      [() => tradesLoss(f, disposedCopy(x), xAdv, y), 'x', /has not been disposed/],
      [() => tradesLoss(f, 'x' as never, xAdv, y), 'x', /a tf.Tensor of inputs/],
      [() => tradesLoss(f, tf.tensor1d([0.2, 0.4]), xAdv, y), 'x', /rank >= 2/],
      [() => tradesLoss(f, x, disposedCopy(xAdv), y), 'xAdv', /has not been disposed/],
      [() => tradesLoss(f, x, tf.zeros([2, 3]), y), 'xAdv', /of x's shape \[2, 2\]/],
      [() => tradesLoss(f, x, xAdv, disposedCopy(y) as tf.Tensor2D), 'y', /has not been disposed/],
      [() => tradesLoss(f, x, xAdv, tf.tensor1d([0, 1]) as never), 'y', /one-hot labels of shape \[2, classes\]/],
      [() => tradesLoss(f, x, xAdv, tf.zeros([3, 2])), 'y', /\[2, classes\]/],
      [() => tradesLoss(f, x, xAdv, tf.zeros([2, 5])), 'y', /the model's output shape \[2, 2\]/],
      [() => tradesLoss(f, x, xAdv, y, { beta: -1 }), 'options.beta', /finite number >= 0/],
      [() => tradesLoss(f, x, xAdv, y, { training: 'yes' as never }), 'options.training', /true or false/],
      [() => tradesLoss(f, x, xAdv, y, { modelOutput: 'scores' as never }), 'options.modelOutput', /one of/],
      [() => tradesLoss(42 as never, x, xAdv, y), 'model', /LayersModel or a function/],
    ];
    for (const [call, argument, message] of cases) expectInvalidArgument(call, 'tradesLoss', argument, message);
    // Only the inputs built for the cases above remain (disposed copies and 5 fresh tensors).
    expect(tf.memory().numTensors - before).toBe(5);
    tf.dispose([x, xAdv, y]);
  });

  it('fitAdversarially and the evaluations reject bad x and attack results without leaks', async () => {
    const model = mlp(4);
    const { x, y } = data(8);
    const flat = tf.tensor1d([0.1, 0.2]);
    const before = tf.memory().numTensors;
    const e = await invalidArgument(() => fitAdversarially(model, flat, [1, 2], { epochs: 1, attack }));
    expect(e.argument).toBe('x');
    // Attacks resolving to the wrong shape, or failing, free the batch and their result.
    await invalidArgument(() => robustAccuracy(model, x, y, async () => tf.zeros([1]), { batchSize: 3 }));
    await expect(robustAccuracy(model, x, y, async () => { throw new Error('attack failed'); }, { batchSize: 3 })).rejects.toThrow('attack failed');
    await invalidArgument(() => robustAccuracyCurve(model, x, y, { epsilons: [0.1], attack: () => async (_m, xb) => tf.concat([xb, xb]) }));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, flat]);
    model.dispose();
  });
});

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { gradientNormScores, membershipScores } from '../../src/audit/membership/index.js';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';

const KERNEL = [0.5, -1.2, 0.3, 0.8, 0.1, -0.4, -0.7, 0.9, 1.1, 0.2, -0.3, 0.6]; // [4, 3]
const BIAS = [0.1, -0.2, 0.05];
const X = [
  [0.2, -1, 0.5, 1.5], [1, 0.3, -0.7, 0.2], [-0.5, 0.8, 1.2, -1], [0.9, 0.9, 0.1, 0.4],
  [-1.3, 0.2, 0.6, 0.7], [0.4, -0.6, -1.1, 0.3], [1.4, -0.2, 0.3, -0.8],
];
const Y = [0, 2, 1, 1, 0, 2, 2];

/** A Dense 4 -> 3 model with fixed weights (logits, or softmax probabilities). */
function denseModel(activation: 'linear' | 'softmax' = 'linear', scale = 1): tfl.LayersModel {
  const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 3, inputShape: [4], activation })] });
  const weights = [tf.tensor2d(KERNEL.map((v) => v * scale), [4, 3]), tf.tensor1d(BIAS.map((v) => v * scale))];
  model.setWeights(weights);
  tf.dispose(weights);
  return model;
}

/** Logits x W + b in float64, computed here from the weights. */
function logits64(scale = 1): number[][] {
  return X.map((row) => [0, 1, 2].map((j) => scale * (BIAS[j]! + row.reduce((s, v, i) => s + v * KERNEL[i * 3 + j]!, 0))));
}

function logSumExp(values: number[]): number {
  const m = Math.max(...values);
  return m + Math.log(values.reduce((s, v) => s + Math.exp(v - m), 0));
}

function expectClose(actual: ArrayLike<number>, expected: number[], tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => expect(Math.abs((actual[i] as number) - e), `index ${i}: ${actual[i]} vs ${e}`).toBeLessThan(tolerance * Math.max(1, Math.abs(e))));
}

async function expectRejects(promise: Promise<unknown>, fn: string, argument: string, message: RegExp): Promise<void> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error, argument).toBeInstanceOf(InvalidArgumentError);
  expect([(error as InvalidArgumentError).fn, (error as InvalidArgumentError).argument]).toEqual([fn, argument]);
  expect((error as Error).message).toMatch(message);
}

describeBackends('membershipScores', () => {
  it('loss, confidence and logitConfidence match float64 formulas from the logits', async () => {
    const model = denseModel();
    const x = tf.tensor2d(X);
    const logP = logits64().map((z) => z.map((v) => v - logSumExp(z)));
    const logPy = logP.map((row, i) => row[Y[i]!]!);
    const p = logPy.map(Math.exp);
    expectClose(await membershipScores(model, x, Y, { score: 'loss' }), logPy, 1e-5);
    expectClose(await membershipScores(model, x, Y, { score: 'confidence' }), p, 1e-5);
    // LiRA's phi = log p_y - log(1 - p_y), in float64.
    expectClose(await membershipScores(model, x, Y, { score: 'logitConfidence' }), p.map((q) => Math.log(q) - Math.log1p(-q)), 1e-5);
    tf.dispose(x);
    model.dispose();
  });

  it('a softmax model gives the same scores as its logits; batch size and label forms do not matter', async () => {
    const x = tf.tensor2d(X);
    const logitsModel = denseModel();
    const probsModel = denseModel('softmax');
    const reference = await membershipScores(logitsModel, x, Y, { score: 'logitConfidence' });
    expectClose(await membershipScores(probsModel, x, Y, { score: 'logitConfidence' }), Array.from(reference), 1e-4);
    const yTensor = tf.tensor1d(Y, 'int32');
    const yOneHot = tf.oneHot(yTensor, 3);
    expect(await membershipScores(logitsModel, x, yTensor, { score: 'logitConfidence', batchSize: 2 })).toEqual(reference);
    expect(await membershipScores(logitsModel, x, yOneHot, { score: 'logitConfidence', batchSize: 3 })).toEqual(reference);
    // A plain function model, probabilities declared by the option.
    const fnModel = (t: tf.Tensor): tf.Tensor => probsModel.apply(t) as tf.Tensor;
    expectClose(await membershipScores(fnModel, x, Y, { score: 'logitConfidence', modelOutput: 'probabilities' }), Array.from(reference), 1e-4);
    tf.dispose([x, yTensor, yOneHot]);
    logitsModel.dispose();
    probsModel.dispose();
  });

  it('logitConfidence stays finite for a very confident model (float32): it is the logit margin', async () => {
    const scale = 60; // margins of hundreds: p_y rounds to 1 in float32 and in float64
    const model = denseModel('linear', scale);
    const x = tf.tensor2d(X);
    const phi = await membershipScores(model, x, Y, { score: 'logitConfidence' });
    const expected = logits64(scale).map((z, i) => z[Y[i]!]! - logSumExp(z.filter((_, k) => k !== Y[i])));
    expect(phi.every(Number.isFinite)).toBe(true);
    expect(Math.max(...expected.map(Math.abs))).toBeGreaterThan(100);
    expectClose(phi, expected, 1e-5);
    tf.dispose(x);
    model.dispose();
  });

  it('a single-unit (binary) model: phi is the logit of the true class', async () => {
    const w = tf.tensor2d([[0.7], [-1.1], [0.4], [0.2]]);
    const model = (t: tf.Tensor): tf.Tensor => tf.matMul(t, w);
    const x = tf.tensor2d(X);
    const yBinary = [1, 0, 0, 1, 1, 0, 1];
    const z = X.map((row) => row.reduce((s, v, i) => s + v * [0.7, -1.1, 0.4, 0.2][i]!, 0));
    const phi = await membershipScores(model, x, yBinary, { score: 'logitConfidence' });
    expectClose(phi, z.map((v, i) => (yBinary[i] === 1 ? v : -v)), 1e-5);
    const column = tf.tensor2d(yBinary, [7, 1]);
    expect(await membershipScores(model, x, column, { score: 'logitConfidence' })).toEqual(phi);
    tf.dispose([w, x, column]);
  });

  it('leaves no tensors behind', async () => {
    const model = denseModel();
    const x = tf.tensor2d(X);
    const y = tf.tensor1d(Y, 'int32');
    await expectNoLeaks(() => membershipScores(model, x, y, { score: 'logitConfidence', batchSize: 3 }));
    await expectNoLeaks(() => membershipScores(model, x, Y, { score: 'loss' }));
    tf.dispose([x, y]);
    model.dispose();
  });

  it('rejects bad score kinds, batch sizes, label counts and inputs with typed errors', async () => {
    const model = denseModel();
    const x = tf.tensor2d(X);
    await expectRejects(membershipScores(model, x, Y, { score: 'margin' as never }), 'membershipScores', 'options.score', /one of "loss"/);
    await expectRejects(membershipScores(model, x, Y, { score: 'loss', batchSize: 0 }), 'membershipScores', 'options.batchSize', />= 1/);
    await expectRejects(membershipScores(model, x, Y.slice(1), { score: 'loss' }), 'membershipScores', 'y', /7 labels/);
    await expectRejects(membershipScores(model, x, [0, 1, 2, 3, 0, 1, 2], { score: 'loss' }), 'membershipScores', 'y[3]', /\[0, 3\)/);
    await expectRejects(membershipScores(model, tf.tensor1d([1, 2]), Y, { score: 'loss' }), 'membershipScores', 'x', /rank >= 2/);
    await expectRejects(membershipScores(model, x, Y, { score: 'loss', modelOutput: 'scores' as never }), 'membershipScores', 'options.modelOutput', /logits/);
    tf.dispose(x);
    model.dispose();
  });
});

describeBackends('gradientNormScores', () => {
  /** ||dL/dW||^2 + ||dL/db||^2 = (||x||^2 + 1) ||p - y||^2 for softmax cross-entropy of a Dense layer, in float64. */
  function analyticNorms(): number[] {
    return logits64().map((z, i) => {
      const p = z.map((v) => Math.exp(v - logSumExp(z)));
      const r2 = p.reduce((s, v, k) => s + (v - (k === Y[i] ? 1 : 0)) ** 2, 0);
      return Math.sqrt((X[i]!.reduce((s, v) => s + v * v, 0) + 1) * r2);
    });
  }

  it('equals minus the norm of tf.grads on each example alone, and the closed form', async () => {
    const model = denseModel();
    const x = tf.tensor2d(X);
    const scores = await gradientNormScores(model, x, Y, { batchSize: 3 });
    const [kernel, bias] = model.getWeights() as [tf.Tensor2D, tf.Tensor1D];
    const reference: number[] = [];
    for (let i = 0; i < X.length; i++) {
      const norm = tf.tidy(() => {
        const xi = tf.tensor2d([X[i]!]);
        const yi = tf.oneHot(tf.tensor1d([Y[i]!], 'int32'), 3);
        const loss = (w: tf.Tensor, b: tf.Tensor): tf.Scalar =>
          tf.losses.softmaxCrossEntropy(yi, tf.add(tf.matMul(xi, w as tf.Tensor2D), b), undefined, undefined, tf.Reduction.SUM) as tf.Scalar;
        const [gw, gb] = tf.grads(loss)([kernel, bias]);
        return tf.sqrt(tf.add(tf.sum(tf.square(gw!)), tf.sum(tf.square(gb!))));
      });
      reference.push(-(await norm.data())[0]!);
      norm.dispose();
    }
    expectClose(scores, reference, 1e-5);
    expectClose(scores, analyticNorms().map((v) => -v), 1e-5);
    tf.dispose(x); // getWeights returns the model's own variables
    model.dispose();
  });

  it('a function model with options.variables gives the same scores; without them it is a typed error', async () => {
    const w = tf.variable(tf.tensor2d(KERNEL, [4, 3]));
    const b = tf.variable(tf.tensor1d(BIAS));
    const fnModel = (t: tf.Tensor): tf.Tensor => tf.add(tf.matMul(t, w), b);
    const x = tf.tensor2d(X);
    expectClose(await gradientNormScores(fnModel, x, Y, { variables: [w, b] }), analyticNorms().map((v) => -v), 1e-5);
    await expectRejects(gradientNormScores(fnModel, x, Y), 'gradientNormScores', 'model', /LayersModel/);
    await expectRejects(gradientNormScores(fnModel, x, Y, { variables: [x as never] }), 'gradientNormScores', 'options.variables', /tf.Variable/);
    await expectRejects(gradientNormScores(fnModel, x, Y, { variables: [w, b], batchSize: -1 }), 'gradientNormScores', 'options.batchSize', />= 1/);
    await expectRejects(gradientNormScores(fnModel, x, [0, 1], { variables: [w, b] }), 'gradientNormScores', 'y', /7 labels/);
    tf.dispose([w, b, x]);
  });

  it('leaves no tensors behind', async () => {
    const model = denseModel();
    const x = tf.tensor2d(X);
    await expectNoLeaks(() => gradientNormScores(model, x, Y, { batchSize: 4 }));
    tf.dispose(x);
    model.dispose();
  });
});

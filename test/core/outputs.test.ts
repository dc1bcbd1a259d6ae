import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/index.js';
import {
  PROBABILITY_FLOOR, classIndicesOf, declaredOutputKind, labelsLikeOutputs, logProbabilities, perExampleCrossEntropy, perExampleKl,
  predictedClasses, predictedLabels, resolveOutputKind,
} from '../../src/core/outputs/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';

const values = async (t: tf.Tensor): Promise<number[]> => {
  const v = Array.from(await t.data());
  t.dispose();
  return v;
};
const logSigmoid = (z: number): number => (z >= 0 ? -Math.log1p(Math.exp(-z)) : z - Math.log1p(Math.exp(z)));

describeBackends('model outputs', () => {
  it('a single logit z gives the log-probabilities of the logits [0, z], stably', async () => {
    const zs = [-120, -3, -1e-3, 0, 0.5, 7, 120];
    const z = tf.tensor2d(zs, [7, 1]);
    const single = await values(logProbabilities(z, 'logits'));
    const two = await values(tf.tidy(() => logProbabilities(tf.concat([tf.zerosLike(z), z], 1), 'logits')));
    expect(single).toEqual(two);
    zs.forEach((v, i) => {
      expect(single[2 * i]).toBeCloseTo(logSigmoid(-v), 5);
      expect(single[2 * i + 1]).toBeCloseTo(logSigmoid(v), 5);
    });
    expect(single.every(Number.isFinite)).toBe(true);
    z.dispose();
  });

  it('probabilities are floored at 1e-7 before the log; a single probability p is [1 - p, p]', async () => {
    expect(PROBABILITY_FLOOR).toBe(1e-7);
    const p = tf.tensor2d([[0.2], [1], [0]]);
    const got = await values(logProbabilities(p, 'probabilities'));
    const want = [Math.log(0.8), Math.log(0.2), Math.log(1e-7), 0, 0, Math.log(1e-7)];
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 4));
    const multi = tf.tensor2d([[0.7, 0.3, 0]]);
    const m = await values(logProbabilities(multi, 'probabilities'));
    [Math.log(0.7), Math.log(0.3), Math.log(1e-7)].forEach((v, i) => expect(m[i]).toBeCloseTo(v, 4));
    tf.dispose([p, multi]);
  });

  it('per-example cross-entropy: softmax for several units, binary for one, labels shaped like the outputs', async () => {
    const logits = tf.tensor2d([[2, 0, -1], [0.5, 0.5, 3]]);
    const oneHot = tf.tensor2d([[1, 0, 0], [0, 0, 1]]);
    const lse = (r: number[]): number => Math.log(r.reduce((s, v) => s + Math.exp(v), 0));
    const ce = await values(perExampleCrossEntropy(oneHot, logits, 'logits'));
    expect(ce[0]).toBeCloseTo(lse([2, 0, -1]) - 2, 5);
    expect(ce[1]).toBeCloseTo(lse([0.5, 0.5, 3]) - 3, 5);
    const z = tf.tensor2d([[1.5], [-0.5], [30]]);
    const y = tf.tensor2d([[1], [0], [0]]);
    const bce = await values(perExampleCrossEntropy(y, z, 'logits'));
    expect(bce[0]).toBeCloseTo(-logSigmoid(1.5), 5);
    expect(bce[1]).toBeCloseTo(-logSigmoid(0.5), 5);
    expect(bce[2]).toBeCloseTo(30, 4); // -log sigmoid(-30), no overflow
    const p = tf.tensor2d([[0.8], [0.25]]);
    const yp = tf.tensor2d([[1], [0]]);
    const pce = await values(perExampleCrossEntropy(yp, p, 'probabilities'));
    expect(pce[0]).toBeCloseTo(-Math.log(0.8), 5);
    expect(pce[1]).toBeCloseTo(-Math.log(0.75), 5);
    await expectNoLeaks(() => tf.tidy(() => perExampleCrossEntropy(y, z, 'logits')));
    tf.dispose([logits, oneHot, z, y, p, yp]);
  });

  it('per-example KL divergence is KL(p || q) and 0 for equal distributions', async () => {
    const a = tf.tensor2d([[1, 0], [0.3, -2]]);
    const b = tf.tensor2d([[0, 1], [0.3, -2]]);
    const kl = await values(tf.tidy(() => perExampleKl(logProbabilities(a, 'logits'), logProbabilities(b, 'logits'))));
    const sm = (u: number, v: number): number[] => [Math.exp(u) / (Math.exp(u) + Math.exp(v)), Math.exp(v) / (Math.exp(u) + Math.exp(v))];
    const p = sm(1, 0);
    const q = sm(0, 1);
    expect(kl[0]).toBeCloseTo(p[0]! * Math.log(p[0]! / q[0]!) + p[1]! * Math.log(p[1]! / q[1]!), 5);
    expect(kl[1]).toBe(0);
    tf.dispose([a, b]);
  });

  it('predictions: arg-max, or for one unit a logit above 0 / a probability above 0.5 (the arg-max of [0, z])', async () => {
    const z = tf.tensor2d([[-1], [0], [2e-9], [3]]);
    expect(await values(predictedClasses(z, 'logits'))).toEqual([0, 0, 1, 1]);
    const p = tf.tensor2d([[0.2], [0.5], [0.51]]);
    expect(await values(predictedClasses(p, 'probabilities'))).toEqual([0, 0, 1]);
    expect(await values(predictedLabels(z, 'logits'))).toEqual([0, 0, 1, 1]);
    const m = tf.tensor2d([[0, 2, 1], [5, 1, 1]]);
    expect(await values(predictedClasses(m, 'logits'))).toEqual([1, 0]);
    expect(await values(predictedLabels(m, 'logits'))).toEqual([0, 1, 0, 1, 0, 0]);
    tf.dispose([z, p, m]);
  });

  it('labels for a single-unit model: class indices 0/1, a 0/1 column or two-class one-hot rows become a column', async () => {
    const column = tf.tensor2d([[0], [1], [1]]);
    const twoClass = tf.tensor2d([[1, 0], [0, 1], [0, 1]]);
    for (const y of [[0, 1, 1], Int32Array.from([0, 1, 1]), column, twoClass]) {
      await expectNoLeaks(() => labelsLikeOutputs('fgsm', y, 1, 3));
      const l = labelsLikeOutputs('fgsm', y, 1, 3);
      expect(l.shape).toEqual([3, 1]);
      expect(l.dtype).toBe('float32');
      expect(await values(l)).toEqual([0, 1, 1]);
    }
    expect(await values(classIndicesOf('fgsm', column, 1, 3))).toEqual([0, 1, 1]);
    expect(await values(classIndicesOf('fgsm', [2, 0], 3, 2))).toEqual([2, 0]);
    expect(() => labelsLikeOutputs('pgd', [0, 1, 2], 1, 3)).toThrow("pgd: argument 'y[2]' must be an integer class index in [0, 2), got 2");
    const half = tf.tensor2d([[0], [0.5]]);
    expect(() => labelsLikeOutputs('pgd', half, 1, 2)).toThrow("pgd: argument 'y[1]' must be a 0/1 label (the model has one output unit), got 0.5");
    const three = tf.zeros([3, 3]);
    expect(() => labelsLikeOutputs('pgd', three, 1, 3)).toThrow(InvalidArgumentError);
    expect(() => labelsLikeOutputs('pgd', column, 1, 2)).toThrow(/2 rows/);
    tf.dispose([column, twoClass, half, three]);
  });

  it('a LayersModel ending in a softmax, or in a sigmoid with one unit, declares probabilities', () => {
    const dense = (units: number, activation?: 'sigmoid' | 'softmax' | 'relu'): tfl.Sequential =>
      tfl.sequential({ layers: [tfl.layers.dense({ units, inputShape: [4], ...(activation ? { activation } : {}) })] });
    const cases: [tfl.LayersModel, string][] = [
      [dense(1, 'sigmoid'), 'probabilities'],
      [dense(3, 'softmax'), 'probabilities'],
      [dense(1), 'logits'],
      [dense(3, 'relu'), 'logits'],
      [dense(3, 'sigmoid'), 'logits'], // several sigmoids are not a distribution over classes
      [tfl.sequential({ layers: [tfl.layers.dense({ units: 3, inputShape: [4] }), tfl.layers.softmax()] }), 'probabilities'],
      [tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: [4] }), tfl.layers.activation({ activation: 'sigmoid' })] }), 'probabilities'],
    ];
    const inner = dense(1, 'sigmoid');
    const input = tfl.input({ shape: [4] });
    cases.push([tfl.model({ inputs: input, outputs: inner.apply(input) as tfl.SymbolicTensor }), 'probabilities']);
    for (const [model, kind] of cases) expect(declaredOutputKind(model), model.layers.map((l) => l.getClassName()).join()).toBe(kind);
    expect(declaredOutputKind((x) => x)).toBe('logits');
    expect(resolveOutputKind('pgd', cases[0]![0], 'logits')).toBe('logits');
    expect(() => resolveOutputKind('pgd', cases[0]![0], 'scores')).toThrow("pgd: argument 'options.modelOutput' must be one of");
    for (const [model] of cases) model.dispose();
  });
});

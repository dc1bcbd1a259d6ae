import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/index.js';
import {
  demographicParityDifference,
  demographicParityPenalty,
  encodeGroups,
  equalizedOddsPenalty,
  fromTensors,
  metricFrame,
  mmdPenalty,
  selectionRate,
  truePositiveRate,
} from '../../src/fairness/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';

const groups = [0, 0, 0, 1, 1, 1];
const labels = [1, 0, 1, 1, 0, 0];

describeBackends('fairness penalties', (backend) => {
  const tol = backend === 'webgl' ? 1e-3 : 1e-5;

  it('soft DP gap equals the selection-rate gap of the scores; 0 for identical groups', async () => {
    const s = tf.tensor1d([0.9, 0.2, 0.4, 0.1, 0.3, 0.5]);
    await expectNoLeaks(() => demographicParityPenalty({ scores: s, groups, numGroups: 2 }));
    const p = demographicParityPenalty({ scores: s, groups, numGroups: 2 });
    expect(Math.abs((await p.data())[0]! - (0.5 - 0.3))).toBeLessThan(tol);
    const same = demographicParityPenalty({ scores: tf.tensor1d([0.9, 0.2, 0.4, 0.9, 0.2, 0.4]), groups, numGroups: 2 });
    expect(Math.abs((await same.data())[0]!)).toBeLessThan(tol);
    // A group code with no rows is ignored; a single present group gives 0.
    const three = demographicParityPenalty({ scores: s, groups, numGroups: 3 });
    expect(Math.abs((await three.data())[0]! - 0.2)).toBeLessThan(tol);
    const one = demographicParityPenalty({ scores: s, groups: [0, 0, 0, 0, 0, 0], numGroups: 2 });
    expect((await one.data())[0]).toBe(0);
    tf.dispose([s, p, same, three, one]);
  });

  it('soft DP with binary scores equals demographicParityDifference', async () => {
    const yPred = [1, 0, 1, 1, 0, 0];
    const p = demographicParityPenalty({ scores: tf.tensor1d(yPred), groups, numGroups: 2, sampleWeight: [1, 2, 3, 1, 1, 1] });
    const dp = demographicParityDifference(labels, yPred, { sensitiveFeatures: groups, sampleWeight: [1, 2, 3, 1, 1, 1] });
    expect(Math.abs((await p.data())[0]! - dp)).toBeLessThan(tol);
    p.dispose();
  });

  it('soft EO gap: worst case and mean of the soft TPR and FPR gaps', async () => {
    const s = tf.tensor2d([0.9, 0.2, 0.7, 0.6, 0.4, 0.1], [6, 1]);
    // group 0: TPR mean(0.9, 0.7) = 0.8, FPR 0.2; group 1: TPR 0.6, FPR mean(0.4, 0.1) = 0.25
    await expectNoLeaks(() => equalizedOddsPenalty({ scores: s, labels, groups, numGroups: 2 }));
    const worst = equalizedOddsPenalty({ scores: s, labels, groups, numGroups: 2 });
    expect(Math.abs((await worst.data())[0]! - 0.2)).toBeLessThan(tol);
    const mean = equalizedOddsPenalty({ scores: s, labels, groups, numGroups: 2, agg: 'mean' });
    expect(Math.abs((await mean.data())[0]! - 0.125)).toBeLessThan(tol);
    // Identical groups (same scores and labels): 0; groups and labels as tensors.
    const twin = tf.tensor1d([0.9, 0.2, 0.7, 0.9, 0.2, 0.7]);
    const g = tf.tensor1d(groups, 'int32');
    const y = tf.tensor1d([1, 0, 1, 1, 0, 1]);
    await expectNoLeaks(() => equalizedOddsPenalty({ scores: twin, labels: y, groups: g, numGroups: 2 }));
    const zero = equalizedOddsPenalty({ scores: twin, labels: y, groups: g, numGroups: 2 });
    expect(Math.abs((await zero.data())[0]!)).toBeLessThan(tol);
    tf.dispose([s, worst, mean, twin, g, y, zero]);
  });

  it('MMD: 0 for identical score distributions, positive otherwise, both kernels', async () => {
    const member = [1, 1, 1, 0, 0, 0];
    for (const kernel of ['gaussian', 'laplacian'] as const) {
      const same = tf.tensor1d([0.1, 0.5, 0.7, 0.7, 0.1, 0.5]);
      const diff = tf.tensor1d([0.1, 0.2, 0.3, 0.6, 0.7, 0.8]);
      await expectNoLeaks(() => mmdPenalty({ scores: same, membership: member, kernel }));
      const a = mmdPenalty({ scores: same, membership: member, kernel });
      const b = mmdPenalty({ scores: diff, membership: member, kernel, kernelLength: 0.2 });
      expect(Math.abs((await a.data())[0]!)).toBeLessThan(tol);
      expect((await b.data())[0]!).toBeGreaterThan(0.1);
      tf.dispose([same, diff, a, b]);
    }
  });

  it('MMD matches the closed form for two points', async () => {
    // k(a,a)=k(b,b)=1, k(a,b)=exp(-(0.3)^2/0.1^2): MMD = 2 - 2 k(a,b)
    const p = mmdPenalty({ scores: tf.tensor1d([0.2, 0.5]), membership: [1, 0] });
    expect(Math.abs((await p.data())[0]! - (2 - 2 * Math.exp(-9)))).toBeLessThan(tol);
    p.dispose();
  });

  it('all penalties have finite gradients inside tf.grad, with no leaks', async () => {
    const x = tf.tensor1d([0.3, -1.2, 2.0, 0.4, -0.5, 0.1]);
    const fns = [
      (z: tf.Tensor) => demographicParityPenalty({ scores: tf.sigmoid(z), groups, numGroups: 3 }),
      (z: tf.Tensor) => equalizedOddsPenalty({ scores: tf.sigmoid(z), labels, groups: [0, 0, 0, 0, 1, 1], numGroups: 2 }),
      (z: tf.Tensor) => mmdPenalty({ scores: tf.sigmoid(z), membership: [1, 1, 1, 0, 0, 0], kernel: 'laplacian' }),
      (z: tf.Tensor) => mmdPenalty({ scores: tf.sigmoid(z), membership: [1, 1, 1, 1, 1, 1] }),
    ];
    for (const f of fns) {
      await expectNoLeaks(() => tf.grad((z: tf.Tensor) => f(z))(x));
      const g = tf.grad((z: tf.Tensor) => f(z))(x);
      const v = await g.data();
      expect(Array.from(v).every(Number.isFinite)).toBe(true);
      g.dispose();
    }
    // The DP gradient pushes the high group down and the low group up.
    const g = tf.grad((z: tf.Tensor) => demographicParityPenalty({ scores: z, groups, numGroups: 2 }))(tf.tensor1d([0.9, 0.2, 0.4, 0.1, 0.3, 0.5]));
    const v = await g.data();
    expect(v[0]).toBeCloseTo(1 / 3, 5);
    expect(v[3]).toBeCloseTo(-1 / 3, 5);
    tf.dispose([x, g]);
  });

  it('rejects bad groups, labels and shapes with typed errors', () => {
    const s = tf.tensor1d([0.5, 0.5]);
    expect(() => demographicParityPenalty({ scores: s, groups: [0, 2], numGroups: 2 })).toThrow(/'options.groups\[1\]' must be an integer group code in \[0, 2\)/);
    expect(() => demographicParityPenalty({ scores: s, groups: [0], numGroups: 2 })).toThrow(InvalidArgumentError);
    expect(() => equalizedOddsPenalty({ scores: s, labels: [0, 3], groups: [0, 1], numGroups: 2 })).toThrow(/binary label/);
    expect(() => mmdPenalty({ scores: tf.zeros([2, 2]), membership: [0, 1] })).toThrow(/shape \[n\] or \[n, 1\]/);
    expect(() => mmdPenalty({ scores: s, membership: [0, 1], kernelLength: 0 })).toThrow(/'options.kernelLength' must be a finite number > 0/);
    s.dispose();
  });

  it('fromTensors reads tensors (and named tensor columns) into arrays for the frame', async () => {
    const yTrue = tf.tensor1d([1, 0, 1, 0], 'int32');
    const yPred = tf.tensor1d([1, 1, 0, 0], 'float32');
    const sex = tf.tensor1d([0, 0, 1, 1], 'int32');
    const inputs = await fromTensors({ yTrue, yPred, sensitiveFeatures: { sex } });
    const f = metricFrame({ metrics: { selectionRate, tpr: truePositiveRate }, ...inputs });
    expect(f.byGroup['0']!.selectionRate).toBe(1);
    expect(f.byGroup['1']!.tpr).toBe(0);
    expect(yTrue.isDisposed).toBe(false);
    expect(() => metricFrame({ metrics: selectionRate, yTrue: yTrue as never, yPred: [1, 1, 0, 0], sensitiveFeatures: [0, 0, 1, 1] })).toThrow(/Read tensors first/);
    const names = tf.tensor1d(['F', 'M', 'F', 'M'], 'string');
    const byName = metricFrame({ metrics: { selectionRate }, ...(await fromTensors({ yTrue, yPred, sensitiveFeatures: names })) });
    expect(Object.keys(byName.byGroup)).toEqual(['F', 'M']);
    expect(byName.byGroup.F!.selectionRate).toBe(0.5);
    tf.dispose([yTrue, yPred, sex, names]);
  });
});

it('encodeGroups gives codes in Fairlearn order', () => {
  const g = encodeGroups({ sex: ['M', 'F', 'M'], race: ['b', 'a', 'a'] });
  expect(g.keys).toEqual(['F, a', 'M, a', 'M, b']);
  expect(Array.from(g.codes)).toEqual([2, 0, 1]);
});

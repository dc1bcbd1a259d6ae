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
import { expectInvalidArgument } from '../helpers/errors.js';
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

  it('group labels (strings, named columns) go through the group encoder', async () => {
    const s = tf.tensor1d([0.9, 0.2, 0.4, 0.1, 0.3, 0.5]);
    const sex = ['M', 'M', 'M', 'F', 'F', 'F'];
    const byCodes = demographicParityPenalty({ scores: s, groups, numGroups: 2 });
    await expectNoLeaks(() => demographicParityPenalty({ scores: s, groups: sex }));
    const byLabels = demographicParityPenalty({ scores: s, groups: sex });
    const byColumns = demographicParityPenalty({ scores: s, groups: { sex, race: ['x', 'x', 'x', 'x', 'x', 'x'] }, numGroups: 3 });
    const eoCodes = equalizedOddsPenalty({ scores: s, labels, groups, numGroups: 2 });
    const eoLabels = equalizedOddsPenalty({ scores: s, labels, groups: { sex } });
    const [a, b, c, d, e] = (await Promise.all([byCodes, byLabels, byColumns, eoCodes, eoLabels].map(async (t) => (await t.data())[0]!))) as [number, number, number, number, number];
    expect(b).toBeCloseTo(a, 6);
    expect(c).toBeCloseTo(a, 6);
    expect(e).toBeCloseTo(d, 6);
    expect(() => demographicParityPenalty({ scores: s, groups: { sex, race: ['x', 'y', 'x', 'y', 'x', 'y'] }, numGroups: 2 })).toThrow(
      "demographicParityPenalty: argument 'options.numGroups' must be at least the number of groups in options.groups (4), got 2",
    );
    expect(() => demographicParityPenalty({ scores: s, groups: ['a', 'b'] })).toThrow("argument 'options.groups' must be of the same length as 'options.scores' (6)");
    expect(() => demographicParityPenalty({ scores: s, groups: ['a', 'b', 'a', 'b', 'a', 1] as never })).toThrow(/'options.groups\[5\]' must be a string like/);
    tf.dispose([s, byCodes, byLabels, byColumns, eoCodes, eoLabels]);
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

  it('tensor inputs are checked like arrays: NaN and infinity rejected, naming the option', () => {
    const s = tf.tensor1d([0.5, 0.2, 0.7, 0.1]);
    const g = [0, 0, 1, 1];
    const before = tf.memory().numTensors;
    const nanScores = tf.tensor1d([0.5, Number.NaN, 0.7, 0.1]);
    const infScores = tf.tensor2d([0.5, 0.2, Number.POSITIVE_INFINITY, 0.1], [4, 1]);
    const badWeights = tf.tensor1d([1, Number.NEGATIVE_INFINITY, 1, 1]);
    const negWeights = tf.tensor1d([1, 1, -2, 1]);
    const nanLabels = tf.tensor1d([1, 0, Number.NaN, 0]);
    const twoLabels = tf.tensor1d([1, 0, 2, 0]);
    const nanGroups = tf.tensor1d([0, Number.NaN, 1, 1]);
    const outGroups = tf.tensor1d([0, 0, 2, 1], 'int32');
    const nanMembership = tf.tensor1d([1, 1, 0, Number.NaN]);
    const created = tf.memory().numTensors;
    const cases: [() => unknown, string, string, RegExp][] = [
      [() => demographicParityPenalty({ scores: nanScores, groups: g, numGroups: 2 }), 'demographicParityPenalty', 'options.scores', /finite values .*NaN at flat index 1/],
      [() => equalizedOddsPenalty({ scores: infScores, labels: [1, 0, 1, 0], groups: g, numGroups: 2 }), 'equalizedOddsPenalty', 'options.scores', /Infinity at flat index 2/],
      [() => mmdPenalty({ scores: nanScores, membership: [1, 1, 0, 0] }), 'mmdPenalty', 'options.scores', /NaN/],
      [() => demographicParityPenalty({ scores: s, groups: g, numGroups: 2, sampleWeight: badWeights }), 'demographicParityPenalty', 'options.sampleWeight', /-Infinity at flat index 1/],
      [() => demographicParityPenalty({ scores: s, groups: g, numGroups: 2, sampleWeight: negWeights }), 'demographicParityPenalty', 'options.sampleWeight[2]', /a finite number >= 0, got -2/],
      [() => mmdPenalty({ scores: s, membership: [1, 1, 0, 0], sampleWeight: badWeights }), 'mmdPenalty', 'options.sampleWeight', /finite values/],
      [() => equalizedOddsPenalty({ scores: s, labels: nanLabels, groups: g, numGroups: 2 }), 'equalizedOddsPenalty', 'options.labels', /NaN at flat index 2/],
      [() => equalizedOddsPenalty({ scores: s, labels: twoLabels, groups: g, numGroups: 2 }), 'equalizedOddsPenalty', 'options.labels[2]', /binary label 0 or 1, got 2/],
      [() => demographicParityPenalty({ scores: s, groups: nanGroups, numGroups: 2 }), 'demographicParityPenalty', 'options.groups', /NaN at flat index 1/],
      [() => equalizedOddsPenalty({ scores: s, labels: [1, 0, 1, 0], groups: outGroups, numGroups: 2 }), 'equalizedOddsPenalty', 'options.groups[2]', /integer group code in \[0, 2\), got 2/],
      [() => mmdPenalty({ scores: s, membership: nanMembership }), 'mmdPenalty', 'options.membership', /NaN at flat index 3/],
      [() => mmdPenalty({ scores: s, membership: [1, 1, 0, 0], checkValues: 'no' as never }), 'mmdPenalty', 'options.checkValues', /true or false/],
    ];
    for (const [call, fn, argument, message] of cases) {
      expectInvalidArgument(call, fn, argument, message);
    }
    expect(tf.memory().numTensors, 'no tensor left by the failed calls').toBe(created);
    // checkValues: false skips the reads (for loops that checked the batch once); shapes are still checked.
    const unchecked = demographicParityPenalty({ scores: nanScores, groups: g, numGroups: 2, checkValues: false });
    expect(unchecked.shape).toEqual([]);
    const three = tf.zeros([3]);
    expect(() => demographicParityPenalty({ scores: three, groups: g, numGroups: 2, checkValues: false })).toThrow(/'options.groups' must be of length 3/);
    tf.dispose([s, nanScores, infScores, badWeights, negWeights, nanLabels, twoLabels, nanGroups, outGroups, nanMembership, unchecked, three]);
    expect(tf.memory().numTensors).toBe(before - 1); // s was created before `before`
  });

  it('a disposed tensor is an InvalidArgumentError naming the option', () => {
    const dead = tf.tensor1d([0.5, 0.5]);
    dead.dispose();
    const s = tf.tensor1d([0.5, 0.2]);
    const calls: [() => unknown, string][] = [
      [() => demographicParityPenalty({ scores: dead, groups: [0, 1], numGroups: 2 }), 'options.scores'],
      [() => equalizedOddsPenalty({ scores: dead, labels: [0, 1], groups: [0, 1], numGroups: 2 }), 'options.scores'],
      [() => mmdPenalty({ scores: dead, membership: [0, 1] }), 'options.scores'],
      [() => demographicParityPenalty({ scores: s, groups: dead, numGroups: 2 }), 'options.groups'],
      [() => equalizedOddsPenalty({ scores: s, labels: dead, groups: [0, 1], numGroups: 2 }), 'options.labels'],
      [() => mmdPenalty({ scores: s, membership: dead }), 'options.membership'],
      [() => mmdPenalty({ scores: s, membership: [0, 1], sampleWeight: dead, checkValues: false }), 'options.sampleWeight'],
    ];
    for (const [call, argument] of calls) {
      expect(call, argument).toThrow(InvalidArgumentError);
      expect(call).toThrow(new RegExp(`'${argument.replace('.', '\\.')}' must be .* that has not been disposed`));
    }
    s.dispose();
  });

  it('checks tensor values inside tf.grad too, and the checked gradient equals the unchecked one', async () => {
    const z = tf.tensor1d([0.3, -1.2, 2.0, 0.4]);
    const groupsT = tf.tensor1d([0, 1, 0, 1], 'int32');
    const grad = (checkValues: boolean) => tf.grad((v: tf.Tensor) => demographicParityPenalty({ scores: tf.sigmoid(v), groups: groupsT, numGroups: 2, checkValues }))(z);
    const [checked, unchecked] = [grad(true), grad(false)];
    expect(Array.from(await checked.data())).toEqual(Array.from(await unchecked.data()));
    const bad = tf.tensor1d([0.3, Number.NaN, 2.0, 0.4]);
    expect(() => tf.grad((v: tf.Tensor) => demographicParityPenalty({ scores: tf.sigmoid(v), groups: groupsT, numGroups: 2 }))(bad)).toThrow(/'options.scores' must be finite values/);
    tf.dispose([z, groupsT, checked, unchecked, bad]);
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

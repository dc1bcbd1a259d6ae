import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, expect, it } from 'vitest';
import { InvalidArgumentError, seededRng } from '../../src/core/index.js';
import { encodeGroups } from '../../src/fairness/index.js';
import {
  crossEntropyTerm, demographicParityTerm, equalizedOddsTerm, ethicalLoss, mmdTerm, trainMultiObjective, type ObjectiveBatch, type ObjectiveData,
} from '../../src/objectives/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';

// The objectives take sensitive groups in every form the fairness functions take. `extras` is typed
// as tensors in ObjectiveBatch / ObjectiveData, hence the casts for the other forms.
const withGroups = (batch: { x: tf.Tensor; y: number[] }, groups: unknown): ObjectiveBatch => ({ ...batch, extras: { groups } }) as unknown as ObjectiveBatch;

describeBackends('objectives: group inputs as fairness takes them', () => {
  let dummy: tf.Variable;
  beforeAll(() => {
    dummy = tf.variable(tf.zeros([1]));
  });
  const identity = (x: tf.Tensor): tf.Tensor => tf.add(x, tf.mul(dummy, 0));
  const zs = [2, -1, 0.5, 0, -2, 1, 0.3, -0.7];
  const y = [1, 0, 1, 0, 1, 1, 0, 0];
  const sex = ['F', 'F', 'M', 'F', 'M', 'M', 'F', 'M'];
  const race = ['a', 'b', 'a', 'b', 'a', 'b', 'a', 'b'];

  async function values(groups: unknown, terms = [demographicParityTerm({ numGroups: 4 }), equalizedOddsTerm({ numGroups: 4 }), mmdTerm()]): Promise<Record<string, number>> {
    const loss = ethicalLoss({ model: identity, variables: [dummy], task: crossEntropyTerm(), terms, weights: Object.fromEntries(terms.map((t) => [t.name, 1])) });
    const x = tf.tensor2d(zs, [8, 1]);
    await loss.setBatch(withGroups({ x, y }, groups));
    loss().dispose();
    const out = await loss.lastValues();
    loss.dispose();
    x.dispose();
    return out;
  }

  it('arrays of strings or numbers and string tensors give the values of int32 codes', async () => {
    const codes = tf.tensor1d(encodeGroups(sex).codes, 'int32');
    const expected = await values(codes);
    expect(expected.demographicParity).toBeGreaterThan(0);
    expect(await values(sex)).toEqual(expected);
    expect(await values(sex.map((s) => (s === 'F' ? 10 : 20)))).toEqual(expected);
    expect(await values(new Int32Array(sex.map((s) => (s === 'F' ? 0 : 1))))).toEqual(expected);
    const strings = tf.tensor1d(sex, 'string');
    expect(await values(strings)).toEqual(expected);
    tf.dispose([codes, strings]);
  });

  it('named columns form intersectional groups, as in a metric frame', async () => {
    const terms = [demographicParityTerm({ numGroups: 4 }), equalizedOddsTerm({ numGroups: 4 })];
    const codes = tf.tensor1d(encodeGroups({ sex, race }).codes, 'int32');
    expect(await values({ sex, race }, terms)).toEqual(await values(codes, terms));
    codes.dispose();
  });

  it('the encoded tensors belong to the loss: none leaks', async () => {
    const loss = ethicalLoss({ model: identity, variables: [dummy], task: crossEntropyTerm(), terms: [demographicParityTerm()], weights: { demographicParity: 1 } });
    const x = tf.tensor2d(zs, [8, 1]);
    await expectNoLeaks(async () => {
      await loss.setBatch(withGroups({ x, y }, sex));
      loss().dispose();
      await loss.setBatch(withGroups({ x, y }, { sex }));
      loss.dispose();
    });
    x.dispose();
  });

  it('invalid group inputs are refused naming batch.extras', async () => {
    const loss = ethicalLoss({ model: identity, variables: [dummy], task: crossEntropyTerm(), terms: [demographicParityTerm()], weights: { demographicParity: 1 } });
    const x = tf.tensor2d(zs, [8, 1]);
    const before = tf.memory().numTensors;
    const cases: [unknown, string][] = [
      [sex.slice(1), "ethicalLoss: argument 'batch.extras.groups' must be of the same length as 'batch.x' (8), got \"length 7\""],
      [[...sex.slice(1), 3], "argument 'batch.extras.groups[7]' must be a string like the other values of this feature"],
      [{ sex, race: race.slice(2) }, "argument 'batch.extras.groups.race' must be of the same length as 'batch.x' (8)"],
      [7, "argument 'batch.extras.groups' must be a tensor, or group labels"],
      [['a', 'b', 'c', 'a', 'b', 'c', 'a', 'b'], "argument 'batch.extras.groups[2]' must be an integer group id in [0, 2), got 2"],
    ];
    for (const [groups, message] of cases) {
      const e = await loss.setBatch(withGroups({ x, y }, groups)).catch((err: unknown) => err);
      expect(e).toBeInstanceOf(InvalidArgumentError);
      expect((e as Error).message).toContain(message);
    }
    expect(tf.memory().numTensors).toBe(before);
    loss.dispose();
    x.dispose();
  });

  it('trainMultiObjective encodes labels once over the whole data set: the same run as with codes', async () => {
    const n = 64;
    const rng = seededRng(3);
    const groupOf = Array.from({ length: n }, () => (rng.next() < 0.5 ? 'Female' : 'Male'));
    const xs = Array.from({ length: n * 2 }, () => rng.next());
    const ys = groupOf.map((g, i) => (rng.next() < (g === 'Male' ? 0.7 : 0.3) + 0.1 * xs[2 * i]! ? 1 : 0));
    const run = async (groups: unknown): Promise<number[]> => {
      const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'zeros' })] });
      const loss = ethicalLoss({ model, task: crossEntropyTerm(), terms: [demographicParityTerm()], weights: { demographicParity: 2 } });
      const x = tf.tensor2d(xs, [n, 2]);
      const opt = tf.train.sgd(0.5);
      const data = { x, y: ys, extras: { groups } } as unknown as ObjectiveData;
      try {
        const { history } = await trainMultiObjective(model, data, { loss, optimizer: opt, epochs: 3, batchSize: 16, rng: seededRng(7) });
        return history.demographicParity!;
      } finally {
        loss.dispose();
        opt.dispose();
        model.dispose();
        x.dispose();
      }
    };
    const codes = tf.tensor1d(encodeGroups(groupOf).codes, 'int32');
    const before = tf.memory().numTensors;
    const byLabels = await run(groupOf);
    expect(tf.memory().numTensors).toBe(before);
    const byCodes = await run(codes);
    byLabels.forEach((v, i) => expect(v).toBeCloseTo(byCodes[i]!, 6));
    await expect(run(groupOf.slice(1))).rejects.toThrow("trainMultiObjective: argument 'data.extras.groups' must be of the same length as 'data.x' (64)");
    expect(tf.memory().numTensors).toBe(before);
    codes.dispose();
  });
});

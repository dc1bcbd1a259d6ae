import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/index.js';
import { assertGradientsAvailable } from '../../src/core/gradients.js';
import { toClassIndices, toOneHot } from '../../src/core/labels.js';
import { toForwardFn } from '../../src/core/model.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';

describeBackends('labels and models', () => {
  it('turns indices and one-hot rows into one-hot float32', async () => {
    const y = await expectNoLeaks(() => toOneHot('t', [2, 0], 3, 2));
    expect(y.shape).toEqual([2, 3]);
    const fromTensor = toOneHot('t', tf.tensor1d([2, 0], 'int32'), 3, 2);
    expect(Array.from(await fromTensor.data())).toEqual([0, 0, 1, 1, 0, 0]);
    const idx = toClassIndices('t', tf.tensor2d([[0, 1, 0], [0, 0, 1]]), 3, 2);
    expect(Array.from(await idx.data())).toEqual([1, 2]);
    tf.dispose([fromTensor, idx]);
  });

  it('rejects labels out of range, non-integers, and wrong batch sizes', () => {
    expect(() => toOneHot('t', [3], 3, 1)).toThrow("t: argument 'y[0]' must be an integer class index in [0, 3), got 3");
    expect(() => toOneHot('t', [0.5], 3, 1)).toThrow(InvalidArgumentError);
    expect(() => toOneHot('t', [0, 1], 3, 3)).toThrow(/3 labels/);
    const bad = tf.zeros([2, 4]);
    expect(() => toOneHot('t', bad, 3, 2)).toThrow(/3 classes/);
    bad.dispose();
  });

  it('wraps functions and rejects non-models', () => {
    const f = (x: tf.Tensor): tf.Tensor => tf.mul(x, 2);
    expect(toForwardFn('t', f)).toBe(f);
    expect(() => toForwardFn('t', 3 as unknown as typeof f)).toThrow(/tf.LayersModel or a function/);
    expect(() => assertGradientsAvailable('t')).not.toThrow();
    expect(() => assertGradientsAvailable('t', ['NoSuchKernel'])).toThrow(/NoSuchKernel/);
  });
});

import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { dequantizeArray, fakeQuantize, quantizeArray } from '../../src/compression/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';
import { referenceKernels } from './fixtures.js';

describeBackends('fakeQuantize', () => {
  it('forward equals quantize-then-dequantize with the same min-max parameters (MLP fc2, every scheme)', async () => {
    const k = referenceKernels('mlp')[1]!;
    const x = tf.tensor(k.values, k.shape);
    const cases = [
      { dtype: 'uint8', scheme: 'affine' },
      { dtype: 'int8', scheme: 'symmetric' },
      { dtype: 'int8', scheme: 'symmetric', axis: -1 },
      { dtype: 'int8', scheme: 'affine', axis: 1 },
      { dtype: 'int16', scheme: 'affine' },
    ] as const;
    for (const c of cases) {
      const y = fakeQuantize(x, c);
      const expected = dequantizeArray(quantizeArray(k.values, k.shape, c));
      expect(Array.from(await y.data())).toEqual(Array.from(expected));
      y.dispose();
    }
    x.dispose();
  });

  it('fixed parameters: torch fake_quantize_per_tensor_affine values, rounding half to even', async () => {
    // scale 0.5, zp 2, uint8: x / scale = [-1.5, 0.5, 1.5, 2.5, 200] -> rint [-2, 0, 2, 2, 200] + 2.
    const x = tf.tensor([-0.75, 0.25, 0.75, 1.25, 100]);
    const y = fakeQuantize(x, { dtype: 'uint8', scale: 0.5, zeroPoint: 2 });
    expect(Array.from(await y.data())).toEqual([-1, 0, 1, 1, 100]);
    tf.dispose([x, y]);
  });

  it('straight-through gradient: 1 inside the range, 0 where the value is clamped', async () => {
    // int8, scale 0.1, zp 0: range [-12.8, 12.7]; x/scale rounds to 127 (in) or 128 (out), -128 (in) or -129 (out).
    const x = tf.tensor([0.05, 12.74, 12.76, -12.84, -12.86, 1000, -3]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(fakeQuantize(v, { dtype: 'int8', scale: 0.1, zeroPoint: 0 }), 2)))(x);
    expect(Array.from(await g.data())).toEqual([2, 2, 0, 2, 0, 0, 2]);
    // Per channel: each column has its own range.
    const m = tf.tensor([[0.5, 0.5], [3, 3]]);
    const gm = tf.grad((v: tf.Tensor) => tf.sum(fakeQuantize(v, { dtype: 'uint8', axis: 1, scale: [0.01, 0.1], zeroPoint: [0, 0] })))(m);
    expect(Array.from(await gm.data())).toEqual([1, 1, 0, 1]);
    tf.dispose([x, g, m, gm]);
  });

  it('min-max symmetric int8: the largest positive weight lands on 127.5 and is clamped, so its gradient is 0 (as in torch)', async () => {
    const w = tf.variable(tf.tensor([[0.3, -0.7], [0.1, 0.9]]));
    const x = tf.tensor([[1, 2]]);
    const { grads, value } = tf.variableGrads(() => tf.sum(tf.matMul(x, fakeQuantize(w, { dtype: 'int8', scheme: 'symmetric' }))) as tf.Scalar, [w]);
    expect(Array.from(await grads[w.name]!.data())).toEqual([1, 1, 2, 0]);
    tf.dispose([w, x, value, ...Object.values(grads)]);
  });

  it('does not leak', async () => {
    const x = tf.tensor([0.3, -0.2, 0.9]);
    await expectNoLeaks(() => fakeQuantize(x, { dtype: 'uint8' }));
    await expectNoLeaks(() => tf.grad((v: tf.Tensor) => tf.sum(fakeQuantize(v, { dtype: 'int8', scheme: 'symmetric' })))(x));
    x.dispose();
  });

  it('rejects bad options', () => {
    const x = tf.tensor([[1, 2], [3, 4]]);
    expect(() => fakeQuantize(x, { dtype: 'int4' as never })).toThrow(InvalidArgumentError);
    expect(() => fakeQuantize(x, { dtype: 'int8', axis: 2 })).toThrow(/options.axis/);
    expect(() => fakeQuantize(x, { dtype: 'int8', scale: 0 , zeroPoint: 0 })).toThrow(/options.scale/);
    expect(() => fakeQuantize(x, { dtype: 'int8', scale: 0.1, zeroPoint: 200 })).toThrow(/options.zeroPoint.*\[-128, 127\]/);
    expect(() => fakeQuantize(x, { dtype: 'int8', axis: 0, scale: [0.1], zeroPoint: [0] })).toThrow(/2 numbers/);
    expect(() => fakeQuantize(x, { dtype: 'int8', scale: 0.1 })).toThrow(/options.zeroPoint/);
    x.dispose();
  });
});

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

  it('rejects NaN or infinite inputs like quantizeArray, naming x; a disposed x; no leaks', async () => {
    const before = tf.memory().numTensors;
    const nan = tf.tensor([[0.1, 0.2], [Number.NaN, 0.4]]);
    const inf = tf.tensor([0.1, Number.NEGATIVE_INFINITY]);
    const ints = tf.tensor([1, 2], undefined, 'int32');
    const dead = tf.tensor([0.1, 0.2]);
    dead.dispose();
    const created = tf.memory().numTensors;
    const cases: [() => unknown, RegExp][] = [
      [() => fakeQuantize(nan, { dtype: 'int8' }), /'x' must be finite values \(no NaN or infinity\), got "NaN at flat index 2 \(example 1\)"/],
      [() => fakeQuantize(nan, { dtype: 'uint8', scale: 0.1, zeroPoint: 0 }), /'x' must be finite values/],
      [() => fakeQuantize(inf, { dtype: 'int8', scheme: 'symmetric', axis: 0 }), /-Infinity at flat index 1/],
      [() => fakeQuantize(dead, { dtype: 'int8' }), /'x' must be a float32 tensor that has not been disposed/],
      [() => fakeQuantize(ints, { dtype: 'int8' }), /'x' must be a float32 tensor, got Tensor\(int32/],
      [() => fakeQuantize(nan, { dtype: 'int8', checkValues: 1 as never }), /'options.checkValues' must be true or false/],
    ];
    for (const [call, message] of cases) {
      expect(call).toThrow(InvalidArgumentError);
      expect(call).toThrow(message);
    }
    // The array path rejects the same values.
    expect(() => quantizeArray(Float32Array.from([0.1, Number.NaN]), [2], { dtype: 'int8' })).toThrow(InvalidArgumentError);
    // Inside a gradient tape the check still applies; checkValues: false skips the read.
    expect(() => tf.grad((v: tf.Tensor) => tf.sum(fakeQuantize(v, { dtype: 'int8' })))(inf)).toThrow(/'x' must be finite values/);
    const unchecked = fakeQuantize(nan, { dtype: 'int8', checkValues: false });
    expect(Number.isNaN((await unchecked.data())[2])).toBe(true);
    unchecked.dispose();
    expect(tf.memory().numTensors, 'no tensor left by the failed calls').toBe(created);
    tf.dispose([nan, inf, ints]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

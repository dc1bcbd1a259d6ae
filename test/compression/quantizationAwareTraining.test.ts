import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { dequantizeArray, quantizationAwareTraining, quantizeArray } from '../../src/compression/index.js';
import { describeBackends } from '../helpers/backends.js';

function tinyModel(): tfl.Sequential {
  const model = tfl.sequential();
  model.add(tfl.layers.dense({ units: 6, inputShape: [5], activation: 'relu', name: 'h', kernelInitializer: tfl.initializers.glorotUniform({ seed: 4 }) }));
  model.add(tfl.layers.dense({ units: 3, name: 'out', kernelInitializer: tfl.initializers.glorotUniform({ seed: 5 }) }));
  return model;
}

describeBackends('quantizationAwareTraining', () => {
  it('forward passes see fake-quantized kernels; updates land on the float kernels; nothing leaks', async () => {
    const model = tinyModel();
    const x = tf.randomUniform([8, 5], -1, 1, 'float32', 1);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3);
    const opts = { dtype: 'int8', scheme: 'symmetric', axis: -1 } as const;
    const qat = quantizationAwareTraining(model, opts);
    const opt = tf.train.sgd(0.5);
    const kernel = () => model.getLayer('h').getWeights()[0]!;
    const before = tf.memory().numTensors;
    for (let step = 0; step < 3; step++) {
      const float = await kernel().data();
      await qat.onBatchBegin();
      const seen = await kernel().data();
      const expected = dequantizeArray(quantizeArray(Float32Array.from(float), [5, 6], opts));
      expect(Array.from(seen)).toEqual(Array.from(expected));
      opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar);
      const updatedQuantized = await kernel().data();
      await qat.onBatchEnd();
      const after = await kernel().data();
      // float_after = float_before + (q_after - q_before), in float32.
      after.forEach((v, i) => expect(v).toBe(Math.fround(float[i]! + Math.fround(updatedQuantized[i]! - expected[i]!))));
      expect(after.some((v, i) => v !== float[i])).toBe(true);
    }
    await qat.finish();
    expect(tf.memory().numTensors).toBe(before);
    opt.dispose();
    tf.dispose([x, y]);
    model.dispose();
  });

  it('works as a model.fit callback and validates options against every kernel', async () => {
    const model = tinyModel();
    model.compile({ optimizer: tf.train.sgd(0.1), loss: (yt: tf.Tensor, yp: tf.Tensor) => tf.losses.softmaxCrossEntropy(yt, yp) });
    const x = tf.randomUniform([16, 5], -1, 1, 'float32', 2);
    const y = tf.oneHot(tf.tensor1d(Array.from({ length: 16 }, (_, i) => i % 3), 'int32'), 3);
    const qat = quantizationAwareTraining(model, { dtype: 'uint8', scheme: 'tfjs' });
    const h = await model.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0, callbacks: [qat] });
    await qat.finish();
    expect(h.history.loss!.length).toBe(2);
    expect(() => quantizationAwareTraining(model, { dtype: 'int8', axis: 2 })).toThrow(InvalidArgumentError);
    expect(() => quantizationAwareTraining(model, { dtype: 'int3' as never })).toThrow(/options.dtype/);
    tf.dispose([x, y]);
    model.dispose();
  });
});

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { toForwardFn } from '../../src/core/model.js';
import { describeBackends, testBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';

describeBackends('test helpers', (backend) => {
  it('selects the backend under test', () => {
    expect(tf.getBackend()).toBe(backend);
    expect(testBackends()).toContain(backend);
  });

  it('expectNoLeaks passes for tidy code and fails for a leak', async () => {
    await expectNoLeaks(() => tf.tidy(() => tf.add(tf.ones([2]), tf.ones([2]))));
    const kept: tf.Tensor[] = [];
    await expect(
      expectNoLeaks(() => {
        kept.push(tf.ones([3])); // leaked: neither returned nor disposed
        return 1;
      }),
    ).rejects.toThrow(/tensors leaked/);
    tf.dispose(kept);
  });

  it('toForwardFn runs a LayersModel in inference mode', async () => {
    const model = tfl.sequential({
      layers: [tfl.layers.dense({ inputShape: [2], units: 1, useBias: false, kernelInitializer: 'ones' }), tfl.layers.dropout({ rate: 0.9 })],
    });
    const forward = toForwardFn('t', model);
    const x = tf.tensor2d([[1, 2]]);
    const y = forward(x);
    // Dropout is inactive at inference, so the output is exactly 1 + 2.
    expect(Array.from(await y.data())).toEqual([3]);
    tf.dispose([x, y]);
    model.dispose();
  });
});

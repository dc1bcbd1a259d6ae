import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { dequantize, fakeQuantize, pruneByMagnitude, quantize } from '../../src/compression/index.js';
import models from '../fixtures/compression/models.json';
import prune from '../fixtures/compression/prune.json';
import quant from '../fixtures/compression/quant.json';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';

const fc2 = models.mlp.layers[1] as unknown as { kernel: number[]; kernelShape: number[] };
const fc1 = models.mlp.layers[0] as unknown as { kernel: number[]; kernelShape: number[] };

function unpack(hex: string, n: number): number[] {
  return Array.from({ length: n }, (_, i) => (parseInt(hex.slice((i >> 3) * 2, (i >> 3) * 2 + 2), 16) >> (7 - (i & 7))) & 1);
}

describeBackends('compression in the browser', (backend) => {
  it('runs on the requested backend', () => expect(tf.getBackend()).toBe(backend));

  it('quantize reads the tensor and matches torch per-channel int8 exactly', async () => {
    const k = tf.tensor(fc2.kernel, fc2.kernelShape);
    const q = await quantize(k, { dtype: 'int8', scheme: 'symmetric', axis: -1 });
    expect(Array.from(q.values.slice(0, 50))).toEqual(quant.mlp.kernels.fc2.per_channel_symmetric_qint8.int_first50_tfjs_layout);
    const d = dequantize(q);
    expect(d.shape).toEqual(fc2.kernelShape);
    tf.dispose([k, d]);
  });

  it('global pruning masks match torch (MLP, 0.8)', async () => {
    const ws = [tf.tensor(fc1.kernel, fc1.kernelShape), tf.tensor(fc2.kernel, fc2.kernelShape)];
    const { masks, weights } = await pruneByMagnitude(ws, { sparsity: 0.8, scope: 'global' });
    expect(Array.from(masks[0]!.kept)).toEqual(unpack(prune.mlp.global['0.8'].masks_tfjs_layout_hex.fc1, 4096));
    expect(Array.from(masks[1]!.kept)).toEqual(unpack(prune.mlp.global['0.8'].masks_tfjs_layout_hex.fc2, 640));
    tf.dispose([...ws, ...weights]);
  });

  it('fakeQuantize: forward within one quantization step of PyTorch (exact off webgl), straight-through gradient', async () => {
    await import('@tensorflow/tfjs-layers');
    const k = tf.tensor(fc2.kernel, fc2.kernelShape);
    const y = fakeQuantize(k, { dtype: 'uint8', scheme: 'affine' });
    const scale = quant.mlp.kernels.fc2.per_tensor_affine_quint8.scale;
    const deq = quant.mlp.kernels.fc2.per_tensor_affine_quint8.dequant_first50_tfjs_layout;
    const got = Array.from((await y.data()).slice(0, 50));
    // webgl may compute in reduced precision: allow one quantization step.
    got.forEach((v, i) => expect(Math.abs(v - deq[i]!)).toBeLessThanOrEqual(backend === 'webgl' ? scale * 1.01 : 1e-7));
    const xs = tf.tensor([0.05, 1000, -3]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(fakeQuantize(v, { dtype: 'int8', scale: 0.1, zeroPoint: 0 })))(xs);
    expect(Array.from(await g.data())).toEqual([1, 0, 1]);
    await expectNoLeaks(() => fakeQuantize(k, { dtype: 'int8', scheme: 'symmetric', axis: -1 }));
    tf.dispose([k, y, g, xs]);
  });
});

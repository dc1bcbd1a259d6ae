import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/errors.js';
import {
  compressionReport, decodeQuantizedWeights, encodeQuantizedWeights, loadQuantizedWeights, pruneByMagnitude, quantizeModel,
  type QuantizeModelOptions,
} from '../../src/compression/index.js';
import quant from '../fixtures/compression/quant.json';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';
import { referenceModel, testAccuracy } from './referenceModels.js';

const cases: [keyof typeof quant.mlp.accuracy, QuantizeModelOptions][] = [
  ['per_tensor_affine_quint8', { dtype: 'uint8', scheme: 'affine' }],
  ['per_tensor_symmetric_qint8', { dtype: 'int8', scheme: 'symmetric' }],
  ['per_channel_symmetric_qint8', { dtype: 'int8', scheme: 'symmetric', axis: -1 }],
  ['float16', { dtype: 'float16' }],
  ['tfjs_uint8', { dtype: 'uint8', scheme: 'tfjs' }],
  ['tfjs_uint16', { dtype: 'uint16', scheme: 'tfjs' }],
  ['tfjs_uint8_all_weights_incl_bias', { dtype: 'uint8', scheme: 'tfjs', includeBias: true }],
];

describeBackends('quantizeModel', () => {
  for (const [key, opts] of cases) {
    it(`MLP ${key}: test accuracy of the fake-quantized model matches the reference`, async () => {
      const model = referenceModel('mlp');
      const { report } = await quantizeModel(model, { ...opts, applyToModel: true });
      const { accuracy } = await testAccuracy(model, 'mlp');
      expect(accuracy).toBeCloseTo(quant.mlp.accuracy[key], 10);
      if (!key.includes('bias')) {
        const refKey = key as keyof typeof quant.mlp.kernels.fc1;
        const entry = (name: 'fc1' | 'fc2') => quant.mlp.kernels[name][refKey] as { max_abs_dequant_error?: number; max_abs_roundtrip_error?: number };
        const expected = ['fc1', 'fc2'].map((n) => entry(n as 'fc1' | 'fc2').max_abs_dequant_error ?? entry(n as 'fc1' | 'fc2').max_abs_roundtrip_error!);
        report.tensors.forEach((t, i) => expect(Math.abs(t.maxAbsError - expected[i]!)).toBeLessThan(1e-9));
      }
      model.dispose();
    });
  }

  it('sizes: int8 kernels make the MLP about 3.9x smaller (biases stay float32)', async () => {
    const model = referenceModel('mlp');
    const { report } = await quantizeModel(model, { dtype: 'int8', scheme: 'symmetric' });
    expect(report.bytesBefore).toBe(4810 * 4);
    expect(report.bytesAfter).toBe(4736 + 2 * 8 + 74 * 4);
    expect(report.ratio).toBeCloseTo(19240 / 5048, 12);
    // The model itself is untouched without applyToModel.
    const before = referenceModel('mlp');
    expect(Array.from(await model.getWeights()[0]!.data())).toEqual(Array.from(await before.getWeights()[0]!.data()));
    model.dispose();
    before.dispose();
  });

  it('encode -> decode -> load into a fresh model of the same architecture gives the same outputs', async () => {
    const source = referenceModel('cnn');
    const { weights } = await quantizeModel(source, { dtype: 'int8', scheme: 'symmetric', axis: -1, applyToModel: true });
    const buffer = encodeQuantizedWeights(weights);
    expect(buffer.byteLength).toBeLessThan(11498 * 4 / 3);
    const target = referenceModel('cnn');
    target.setWeights(target.getWeights().map((w) => tf.zerosLike(w)));
    loadQuantizedWeights(target, decodeQuantizedWeights(buffer));
    const x = tf.randomUniform([4, 8, 8, 1], 0, 1, 'float32', 3);
    const [a, b] = [source.predict(x) as tf.Tensor, target.predict(x) as tf.Tensor];
    expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
    // Every dtype survives the round trip bit for bit.
    for (const [opts, sparse] of cases.flatMap((c) => [[c[1], false], [c[1], true]] as const)) {
      const { weights: w } = await quantizeModel(source, opts);
      const back = decodeQuantizedWeights(encodeQuantizedWeights(w, { sparse }));
      expect(back.entries.map((e) => e.quantized?.dtype ?? 'float32')).toEqual(w.entries.map((e) => e.quantized?.dtype ?? 'float32'));
      back.entries.forEach((e, i) => {
        const orig = w.entries[i]!;
        if (e.quantized) {
          expect(Array.from(e.quantized.values)).toEqual(Array.from(orig.quantized!.values));
          expect(e.quantized.scale).toEqual(orig.quantized!.scale);
          expect(e.quantized.min).toEqual(orig.quantized!.min);
        } else expect(Array.from(e.float32!)).toEqual(Array.from(orig.float32!));
      });
    }
    tf.dispose([x, a, b]);
    source.dispose();
    target.dispose();
  });

  it('sparse encoding of a pruned model: lossless and about as small as the bitmap estimate', async () => {
    const model = referenceModel('mlp');
    await pruneByMagnitude(model, { sparsity: 0.8, scope: 'global' });
    for (const opts of [{ dtype: 'int8', scheme: 'symmetric', axis: -1 }, { dtype: 'uint8', scheme: 'affine', axis: -1 }, { dtype: 'uint8', scheme: 'tfjs' }, { dtype: 'float16' }] as const) {
      const { weights } = await quantizeModel(model, opts);
      const dense = encodeQuantizedWeights(weights);
      const sparse = encodeQuantizedWeights(weights, { sparse: true });
      // The JSON header (per-channel scales) is a fixed cost on a model this small.
      expect(sparse.byteLength).toBeLessThan(dense.byteLength * 0.7);
      const back = decodeQuantizedWeights(sparse);
      back.entries.forEach((e, i) => {
        const orig = weights.entries[i]!;
        expect(Array.from(e.quantized?.values ?? e.float32!)).toEqual(Array.from(orig.quantized?.values ?? orig.float32!));
      });
    }
    const { weights } = await quantizeModel(model, { dtype: 'int8', scheme: 'symmetric' });
    const report = await compressionReport(model);
    const sparseBytes = encodeQuantizedWeights(weights, { sparse: true }).byteLength;
    // Bitmap + non-zero int8 kernels + float32 biases (stored sparsely too) + a small header.
    expect(sparseBytes).toBeLessThan(report.bytes.sparseInt8 + 1024);
    // A float32 -0 (a negative weight times a zero mask) is background in the sparse layout and comes back as +0.
    const z = decodeQuantizedWeights(encodeQuantizedWeights({ entries: [{ name: 'b', shape: [3], float32: new Float32Array([0, -0, 1]) }] }, { sparse: true }));
    expect(Array.from(z.entries[0]!.float32!)).toEqual([0, 0, 1]);
    expect(Object.is(z.entries[0]!.float32![1], 0)).toBe(true);
    const d = decodeQuantizedWeights(encodeQuantizedWeights({ entries: [{ name: 'b', shape: [3], float32: new Float32Array([0, -0, 1]) }] }));
    expect(Object.is(d.entries[0]!.float32![1], -0)).toBe(true);
    expect(() => encodeQuantizedWeights(weights, { sparse: 'yes' as never })).toThrow(InvalidArgumentError);
    model.dispose();
  });

  it('model-level functions leave no tensors behind', async () => {
    const model = referenceModel('cnn');
    await expectNoLeaks(() => quantizeModel(model, { dtype: 'int8', scheme: 'symmetric', axis: -1, applyToModel: true }).then(() => undefined));
    await expectNoLeaks(() => pruneByMagnitude(model, { sparsity: 0.5, scope: 'global' }).then(() => undefined));
    await expectNoLeaks(() => compressionReport(model).then(() => undefined));
    const { weights } = await quantizeModel(model, { dtype: 'uint8' });
    await expectNoLeaks(() => loadQuantizedWeights(model, weights));
    model.dispose();
  });

  it('load rejects a model of another architecture and a foreign buffer', async () => {
    const mlp = referenceModel('mlp');
    const cnn = referenceModel('cnn');
    const { weights } = await quantizeModel(mlp, { dtype: 'int8' });
    expect(() => loadQuantizedWeights(cnn, weights)).toThrow(InvalidArgumentError);
    expect(() => decodeQuantizedWeights(new ArrayBuffer(16))).toThrow(/magic/);
    await expect(quantizeModel(mlp, { dtype: 'int8', axis: 3 })).rejects.toThrow(/options.axis/);
    await expect(quantizeModel(mlp, { dtype: 'bfloat16' as never })).rejects.toThrow(/options.dtype/);
    // Non-finite weights are rejected by every model-level function, naming the weight.
    const k = mlp.getLayer('fc2').getWeights()[0]!;
    const bad = tf.tidy(() => tf.where(tf.equal(tf.reshape(tf.range(0, 640), [64, 10]), 7), tf.scalar(NaN), k));
    mlp.getLayer('fc2').setWeights([bad, mlp.getLayer('fc2').getWeights()[1]!]);
    bad.dispose();
    await expect(quantizeModel(mlp, { dtype: 'int8' })).rejects.toThrow(/weights of fc2\/kernel\[7\]/);
    await expect(pruneByMagnitude(mlp, { sparsity: 0.5 })).rejects.toThrow(InvalidArgumentError);
    mlp.dispose();
    cnn.dispose();
  });
});

describeBackends('compressionReport', () => {
  it('MLP and CNN: parameters, MACs dense and sparse, bytes', async () => {
    const mlp = referenceModel('mlp');
    const r = await compressionReport(mlp);
    expect(r.params).toBe(4810);
    expect(r.nonZero).toBe(4810);
    expect(r.macs).toBe(64 * 64 + 64 * 10);
    expect(r.sparseMacs).toBe(r.macs);
    expect(r.bytes).toEqual({ float32: 19240, float16: 9620, int8: 4736 + 16 + 296, sparseFloat32: 4736 * 4 + 592 + 296, sparseInt8: 4736 + 592 + 16 + 296 });
    await pruneByMagnitude(mlp, { sparsity: 0.5, scope: 'global' });
    const p = await compressionReport(mlp);
    expect(p.sparseMacs).toBe(4736 - 2368);
    expect(p.nonZero).toBe(4810 - 2368);
    expect(p.layers.map((l) => l.kernelNonZero)).toEqual([4096 - 2114, 640 - 254]);
    mlp.dispose();
    const cnn = referenceModel('cnn');
    const c = await compressionReport(cnn);
    expect(c.params).toBe(11498);
    // Flatten has no weights and is not listed.
    expect(c.layers.map((l) => [l.name, l.macs])).toEqual([['conv1', 64 * 72], ['conv2', 64 * 1152], ['fc', 10240]]);
    expect(c.macs).toBe(64 * 72 + 64 * 1152 + 10240);
    cnn.dispose();
    await expect(compressionReport({} as never)).rejects.toThrow(InvalidArgumentError);
  });
});

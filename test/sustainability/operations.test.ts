/**
 * countOperations against counts derived by hand (the arithmetic is written out beside each
 * expectation): the digits MLP and a small digits CNN at batch 1 and 32, every convolution kind
 * with strides, padding and dilation, pooling, normalization, merges, Embedding, nested and
 * shared layers, sparse counts of hand-zeroed kernels, and no tensor leaks.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { countOperations } from '../../src/sustainability/operations/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';

/** The digits MLP: 64 pixels → Dense 64 relu → Dense 10. */
function digitsMlp(): tfl.Sequential {
  return tfl.sequential({ layers: [
    tfl.layers.dense({ inputShape: [64], units: 64, activation: 'relu', name: 'hidden' }),
    tfl.layers.dense({ units: 10, name: 'logits' }),
  ] });
}

/** A small digits CNN: 8×8×1 → Conv2D 8 3×3 'same' relu → MaxPool 2×2 → Flatten → Dense 10. */
function digitsCnn(): tfl.Sequential {
  return tfl.sequential({ layers: [
    tfl.layers.conv2d({ inputShape: [8, 8, 1], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv' }),
    tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool' }),
    tfl.layers.flatten({ name: 'flat' }),
    tfl.layers.dense({ units: 10, name: 'logits' }),
  ] });
}

function only<T extends { name: string }>(rows: readonly T[], name: string): T {
  const row = rows.find((r) => r.name === name);
  if (row === undefined) throw new Error(`no row ${name}`);
  return row;
}

describeBackends('countOperations', () => {
  it('counts the digits MLP by hand, at batch 1 and 32', async () => {
    const model = digitsMlp();
    // hidden: 64 inputs × 64 units = 4096 MACs; FLOPs 2·4096 + 64 bias adds + 64 ReLUs = 8320; 64·64 + 64 = 4160 parameters.
    // logits: 64 × 10 = 640 MACs; FLOPs 2·640 + 10 bias adds = 1290; 64·10 + 10 = 650 parameters.
    const one = await countOperations(model);
    expect(one.batchSize).toBe(1);
    expect(one.layers.map((l) => [l.name, l.className, l.outputShape, l.parameters, l.trainableParameters, l.macs, l.flops, l.activationElements, l.activationBytes])).toEqual([
      ['hidden', 'Dense', [64], 64 * 64 + 64, 64 * 64 + 64, 64 * 64, 2 * 64 * 64 + 64 + 64, 64, 4 * 64],
      ['logits', 'Dense', [10], 64 * 10 + 10, 64 * 10 + 10, 64 * 10, 2 * 64 * 10 + 10, 10, 4 * 10],
    ]);
    expect(one.total).toMatchObject({ parameters: 4160 + 650, macs: 4096 + 640, flops: 8320 + 1290, activationElements: 74, activationBytes: 296 });
    // Every count but the parameters scales with the batch.
    const b32 = await countOperations(model, { batchSize: 32 });
    expect(b32.batchSize).toBe(32);
    expect(b32.total).toMatchObject({ parameters: 4810, trainableParameters: 4810, macs: 32 * 4736, flops: 32 * 9610, activationElements: 32 * 74, activationBytes: 32 * 296, lookups: 0 });
    expect(b32.total.sparseMacs).toBeLessThanOrEqual(b32.total.macs);
    expect(b32.conventions).toMatch(/1 MAC = 2 FLOPs/);
  });

  it('counts a small digits CNN by hand, at batch 1 and 32', async () => {
    const model = digitsCnn();
    // conv: 'same' keeps 8×8, so 64 positions × (3·3·1 inputs × 8 filters = 72) = 4608 MACs;
    //   FLOPs 2·4608 + 512 bias adds + 512 ReLUs (8·8·8 = 512 outputs) = 10240; 3·3·1·8 + 8 = 80 parameters.
    // pool: 2×2 windows, 4·4·8 = 128 outputs × 3 comparisons = 384 FLOPs.
    // flat: 0. logits: 128 × 10 = 1280 MACs; FLOPs 2·1280 + 10 = 2570; 1290 parameters.
    const one = await countOperations(model);
    expect(one.layers.map((l) => [l.name, l.outputShape, l.macs, l.flops, l.parameters, l.activationElements])).toEqual([
      ['conv', [8, 8, 8], 64 * 72, 2 * 4608 + 512 + 512, 80, 512],
      ['pool', [4, 4, 8], 0, 128 * 3, 0, 128],
      ['flat', [128], 0, 0, 0, 128],
      ['logits', [10], 1280, 2 * 1280 + 10, 1290, 10],
    ]);
    const macs = 4608 + 1280;
    const flops = 10240 + 384 + 2570;
    expect(one.total).toMatchObject({ macs, flops, parameters: 1370, activationElements: 778 });
    const b32 = await countOperations(model, { batchSize: 32 });
    expect(b32.total).toMatchObject({ macs: 32 * macs, flops: 32 * flops, parameters: 1370, activationElements: 32 * 778, activationBytes: 4 * 32 * 778 });
  });

  it('counts convolutions with strides, padding, dilation, depth multipliers and separable kernels', async () => {
    const x = tfl.input({ shape: [9, 9, 2] });
    // valid, stride 2: floor((9 − 3)/2) + 1 = 4, so 4·4 positions × 3·3·2·4 = 16 × 72 = 1152 MACs; no bias, no activation.
    const strided = tfl.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'valid', useBias: false, name: 'strided' }).apply(x);
    // same, stride 2: ceil(9/2) = 5, so 25 × 72 = 1800 MACs (padding positions counted, as in the MobileNet paper).
    const same = tfl.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', useBias: false, name: 'same' }).apply(x);
    // dilation 2: the 3×3 kernel spans 5, valid: 9 − 5 + 1 = 5, so 25 × 3·3·2·3 = 25 × 54 = 1350 MACs; + 75 bias adds.
    const dilated = tfl.layers.conv2d({ filters: 3, kernelSize: 3, dilationRate: 2, name: 'dilated' }).apply(x);
    const model = tfl.model({ inputs: x, outputs: [strided, same, dilated] as tfl.SymbolicTensor[] });
    const counts = await countOperations(model);
    expect(only(counts.layers, 'strided')).toMatchObject({ outputShape: [4, 4, 4], macs: 1152, flops: 2304 });
    expect(only(counts.layers, 'same')).toMatchObject({ outputShape: [5, 5, 4], macs: 1800, flops: 3600 });
    expect(only(counts.layers, 'dilated')).toMatchObject({ outputShape: [5, 5, 3], macs: 1350, flops: 2 * 1350 + 75 });

    const dw = tfl.sequential({ layers: [
      // depthwise, same, depth multiplier 2: 6·6 positions × 3·3·3·2 = 36 × 54 = 1944 MACs; 6·6·6 = 216 outputs, + 216 bias adds.
      tfl.layers.depthwiseConv2d({ inputShape: [6, 6, 3], kernelSize: 3, depthMultiplier: 2, padding: 'same', name: 'dw' }),
      // batch norm: 2 FLOPs × 216 elements; 4 · 6 parameters, 2 · 6 trainable.
      tfl.layers.batchNormalization({ name: 'bn' }),
      // separable, valid, dm 2, 4 filters: 4·4 positions × (3·3·6·2 depthwise + 12·4 pointwise) = 16 × 156 = 2496 MACs; relu6 on 64 outputs.
      tfl.layers.separableConv2d({ kernelSize: 3, depthMultiplier: 2, filters: 4, activation: 'relu6', useBias: false, name: 'sep' }),
      // global average: 16 positions per channel → 16 FLOPs × 4 channels.
      tfl.layers.globalAveragePooling2d({ name: 'gap' }),
    ] });
    const d = await countOperations(dw, { batchSize: 2 });
    expect(only(d.layers, 'dw')).toMatchObject({ macs: 2 * 1944, flops: 2 * (2 * 1944 + 216), parameters: 54 + 6 });
    expect(only(d.layers, 'bn')).toMatchObject({ macs: 0, flops: 2 * 432, parameters: 24, trainableParameters: 12 });
    expect(only(d.layers, 'sep')).toMatchObject({ outputShape: [4, 4, 4], macs: 2 * 2496, flops: 2 * (2 * 2496 + 64), parameters: 108 + 48 });
    expect(only(d.layers, 'gap')).toMatchObject({ outputShape: [4], macs: 0, flops: 2 * 64 });

    const seq = tfl.sequential({ layers: [
      // Conv1D valid: 10 − 3 + 1 = 8 positions × 3·3·5 = 360 MACs; + 40 bias adds + 40 tanh.
      tfl.layers.conv1d({ inputShape: [10, 3], filters: 5, kernelSize: 3, activation: 'tanh', name: 'c1' }),
      // max pool 2 on 8 → 4·5 = 20 outputs × 1 comparison; average pool 2 → 2·5 = 10 outputs × 2.
      tfl.layers.maxPooling1d({ poolSize: 2, name: 'mp' }),
      tfl.layers.averagePooling1d({ poolSize: 2, name: 'ap' }),
      // global max over 2 positions: 1 comparison × 5 channels.
      tfl.layers.globalMaxPooling1d({ name: 'gmp' }),
      tfl.layers.activation({ activation: 'softmax', name: 'sm' }),
      tfl.layers.dropout({ rate: 0.5, name: 'drop' }),
    ] });
    const s = await countOperations(seq);
    expect(s.layers.map((l) => [l.name, l.macs, l.flops])).toEqual([
      ['c1', 360, 2 * 360 + 40 + 40], ['mp', 0, 20], ['ap', 0, 20], ['gmp', 0, 5], ['sm', 0, 5], ['drop', 0, 0],
    ]);
  });

  it('counts the remaining layer kinds: 2D average pooling, padding, activation layers, layer norm, Dense on sequences', async () => {
    const x = tfl.input({ shape: [4, 4, 2] });
    // zero padding 1: 6×6×2 = 72 outputs, 0 FLOPs; average pool 3×3 stride 3: 2×2×2 = 8 outputs × 9 FLOPs (8 adds, 1 multiply).
    const padded = tfl.layers.zeroPadding2d({ padding: 1, name: 'pad' }).apply(x) as tfl.SymbolicTensor;
    const pooled = tfl.layers.averagePooling2d({ poolSize: 3, name: 'avgpool' }).apply(padded) as tfl.SymbolicTensor;
    const flat = tfl.layers.flatten({ name: 'flat' }).apply(pooled) as tfl.SymbolicTensor;
    // ReLU, LeakyReLU and Softmax layers: 1 FLOP per element each (8 elements).
    const r = tfl.layers.reLU({ name: 'relu' }).apply(flat) as tfl.SymbolicTensor;
    const l = tfl.layers.leakyReLU({ name: 'leaky' }).apply(flat) as tfl.SymbolicTensor;
    const sm = tfl.layers.softmax({ name: 'softmax' }).apply(flat) as tfl.SymbolicTensor;
    // Multiply, Maximum, Minimum of 3 inputs: 2 FLOPs per element (16); layer norm: 8 per element (64).
    const mul = tfl.layers.multiply({ name: 'mul' }).apply([r, l, sm]) as tfl.SymbolicTensor;
    const max = tfl.layers.maximum({ name: 'max' }).apply([r, l, sm]) as tfl.SymbolicTensor;
    const min = tfl.layers.minimum({ name: 'min' }).apply([mul, max, r]) as tfl.SymbolicTensor;
    const ln = tfl.layers.layerNormalization({ name: 'ln' }).apply(min) as tfl.SymbolicTensor;
    // Dense on a sequence [2, 4] (reshape of 8): 2 positions × 4 inputs × 3 units = 24 MACs, + 6 bias adds + 6 sigmoids.
    const seq = tfl.layers.reshape({ targetShape: [2, 4], name: 'seq' }).apply(ln) as tfl.SymbolicTensor;
    const dense = tfl.layers.dense({ units: 3, activation: 'sigmoid', name: 'dense' }).apply(seq) as tfl.SymbolicTensor;
    const counts = await countOperations(tfl.model({ inputs: x, outputs: dense }));
    expect(counts.layers.map((row) => [row.name, row.macs, row.flops, row.activationElements])).toEqual([
      ['pad', 0, 0, 72], ['avgpool', 0, 72, 8], ['flat', 0, 0, 8], ['relu', 0, 8, 8], ['leaky', 0, 8, 8], ['softmax', 0, 8, 8],
      ['mul', 0, 16, 8], ['max', 0, 16, 8], ['min', 0, 16, 8], ['ln', 0, 64, 8], ['seq', 0, 0, 8], ['dense', 24, 2 * 24 + 6 + 6, 6],
    ]);
  });

  it('counts merges, Embedding lookups, nested models and shared layers', async () => {
    const x = tfl.input({ shape: [6] });
    const inner = tfl.sequential({ name: 'inner', layers: [tfl.layers.dense({ inputShape: [6], units: 4, name: 'inner_dense' })] });
    const shared = tfl.layers.dense({ units: 4, useBias: false, name: 'shared' });
    const a = inner.apply(x) as tfl.SymbolicTensor;
    const b = shared.apply(a) as tfl.SymbolicTensor;
    const c = shared.apply(b) as tfl.SymbolicTensor;
    const sum = tfl.layers.add({ name: 'sum' }).apply([a, b, c]) as tfl.SymbolicTensor; // 2 adds × 4 elements
    const avg = tfl.layers.average({ name: 'avg' }).apply([a, b, c]) as tfl.SymbolicTensor; // 3 × 4
    const cat = tfl.layers.concatenate({ name: 'cat' }).apply([sum, avg]) as tfl.SymbolicTensor; // 0
    const model = tfl.model({ inputs: x, outputs: cat });
    const counts = await countOperations(model);
    // inner/inner_dense: 6·4 = 24 MACs, 2·24 + 4 FLOPs, 28 parameters; shared (4 → 4): 16 MACs at each of its 2 calls, 16 parameters once.
    expect(counts.layers.map((l) => [l.path, l.macs, l.flops, l.parameters])).toEqual([
      ['inner/inner_dense', 24, 52, 28], ['shared', 16, 32, 16], ['shared', 16, 32, 0], ['sum', 0, 8, 0], ['avg', 0, 12, 0], ['cat', 0, 0, 0],
    ]);
    expect(counts.layers[2]?.note).toMatch(/call 2 of 2/);
    expect(counts.total.parameters).toBe(model.countParams());

    const emb = tfl.sequential({ layers: [
      // 5 indices per example → 5 lookups, 0 FLOPs; 10·3 parameters.
      tfl.layers.embedding({ inputDim: 10, outputDim: 3, inputLength: 5, name: 'emb' }),
      tfl.layers.flatten({ name: 'flat' }),
    ] });
    const e = await countOperations(emb, { batchSize: 4 });
    expect(only(e.layers, 'emb')).toMatchObject({ macs: 0, flops: 0, lookups: 20, parameters: 30, activationElements: 60 });
    expect(e.total.lookups).toBe(20);
  });

  it('counts only the non-zero kernel entries as sparse MACs', async () => {
    const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [4], units: 3, name: 'd' })] });
    // 5 of the 12 kernel entries zeroed by hand: 7 non-zero × 1 position × 32 examples = 224 sparse MACs; 12 × 32 = 384 dense.
    const kernel = tf.tensor2d([[0, 1, 2], [0, 0, 3], [4, 5, 0], [6, 0, 7]]);
    const bias = tf.zeros([3]);
    model.getLayer('d').setWeights([kernel, bias]);
    tf.dispose([kernel, bias]);
    const counts = await countOperations(model, { batchSize: 32 });
    expect(counts.layers[0]).toMatchObject({ macs: 384, sparseMacs: 224 });
    expect(counts.total.sparseMacs).toBe(224);
    // A zero bias is not a kernel entry: the FLOPs stay dense.
    expect(counts.total.flops).toBe(32 * (2 * 12 + 3));
    expect((await countOperations(model, { sparse: false })).total.sparseMacs).toBeNull();

    const conv = tfl.sequential({ layers: [tfl.layers.separableConv2d({ inputShape: [5, 5, 1], kernelSize: 3, filters: 2, useBias: false, name: 'sep' })] });
    // depthwise [3,3,1,1] with 4 zeros → 5 non-zero; pointwise [1,1,1,2] with 1 zero → 1; 3·3 positions: (5 + 1) × 9 = 54 sparse, (9 + 2) × 9 = 99 dense.
    const dwk = tf.tensor4d([1, 0, 1, 0, 1, 0, 1, 0, 1], [3, 3, 1, 1]);
    const pwk = tf.tensor4d([0, 2], [1, 1, 1, 2]);
    conv.getLayer('sep').setWeights([dwk, pwk]);
    tf.dispose([dwk, pwk]);
    expect((await countOperations(conv)).layers[0]).toMatchObject({ macs: 99, sparseMacs: 54 });
  });

  it('leaks no tensors', async () => {
    const model = digitsCnn();
    await expectNoLeaks(() => countOperations(model, { batchSize: 8 }));
  });
});

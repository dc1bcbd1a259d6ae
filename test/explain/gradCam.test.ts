/**
 * Grad-CAM and the upsampling of layer maps: every stored Captum gradcam and gradcam_upsampled
 * case (the CNN with separate ReLU layers, whose `conv2` output is the pre-ReLU map Captum's
 * `Conv2d` module gives), the fused-ReLU CNN (post-ReLU map), the options Captum has, torch's
 * interpolation positions on hand cases, bad input and memory.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { interpolateAttribution, layerGradCam } from '../../src/explain/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectInvalidArgument } from '../helpers/errors.js';
import { expectNoLeaks } from '../helpers/leaks.js';
import { digitsModel, expectCloseToReference, referenceCase, referenceCaseKeys, referenceInputs, referenceTargets } from './fixtures.js';
import { expectRejectsInvalid, fixedValues, snapshotModel, ThrowOnLargeBatch } from './layersHelpers.js';

function targetsOf(key: string): number[] {
  return referenceTargets('cnn', key.split('/')[1] as 'pred' | 'true');
}

/** The upsampling a gradcam case applies after Grad-CAM (from its key). */
function upsamplingOf(key: string): { size: [number, number]; mode: 'nearest' | 'bilinear' } | undefined {
  if (key.includes('/gradcam_upsampled16_bilinear/')) return { size: [16, 16], mode: 'bilinear' };
  if (key.includes('/gradcam_upsampled/')) return { size: [8, 8], mode: 'nearest' };
  return undefined;
}

describeBackends('layerGradCam against Captum', () => {
  const keys = referenceCaseKeys('cnn').filter((k) => k.includes('/gradcam'));

  it(`every gradcam and gradcam_upsampled case (${keys.length}) on the separate-ReLU CNN`, async () => {
    expect(keys.length).toBeGreaterThanOrEqual(5);
    const model = digitsModel('cnn');
    const x = referenceInputs('cnn');
    for (const key of keys) {
      const c = referenceCase('cnn', key);
      const layer = key.split('/')[3] as string;
      const reluAttributions = key.endsWith('/relu_true');
      const { attributions: map } = await layerGradCam(model, x, { target: targetsOf(key), layer, reluAttributions });
      expect(map.shape, key).toEqual([50, 8, 8, 1]);
      const up = upsamplingOf(key);
      const result = up === undefined ? map : interpolateAttribution(map, up.size, up.mode);
      expect(result.shape, key).toEqual([50, ...(up?.size ?? [8, 8]), 1]);
      expectCloseToReference(await result.data(), c.attr, { skipRows: c.fragile ?? [] });
      tf.dispose([map, result]);
    }
    x.dispose();
    model.dispose();
  });

  it('a fused ReLU gives the post-ReLU map: the fused conv2 equals the separate model\'s conv2_relu, not Captum\'s conv2', async () => {
    const separate = digitsModel('cnn');
    const fused = digitsModel('cnn', { separateRelu: false });
    const x = referenceInputs('cnn');
    const key = 'cnn/pred/gradcam/conv2/relu_false';
    const target = targetsOf(key);
    const fusedMap = await layerGradCam(fused, x, { target, layer: 'conv2' });
    const postRelu = await layerGradCam(separate, x, { target, layer: 'conv2_relu' });
    expectCloseToReference(await fusedMap.attributions.data(), Array.from(await postRelu.attributions.data()), { atol: 1e-6 });
    const preRelu = referenceCase('cnn', key).attr as number[][][][];
    const values = await fusedMap.attributions.data();
    const gap = preRelu.flat(3).reduce((m, v, i) => Math.max(m, Math.abs(v - values[i]!)), 0);
    expect(gap).toBeGreaterThan(0.05);
    tf.dispose([x, fusedMap.attributions, postRelu.attributions]);
    separate.dispose();
    fused.dispose();
  });

  it('the map is Σ_c mean(∂f/∂A_c)·A_c, recomputed from the layer\'s output and gradient', async () => {
    // The separate-ReLU CNN split by hand at conv2: A = conv2(relu(conv1(x))), f = fc(flatten(relu(A))).
    const model = digitsModel('cnn');
    const x = tf.tidy(() => tf.slice(referenceInputs('cnn'), 0, 6));
    const target = [3, 1, 4, 1, 5, 9];
    const head = (a: tf.Tensor): tf.Tensor => tf.tidy(() => {
      let h = model.getLayer('conv2_relu').apply(a) as tf.Tensor;
      h = model.getLayer('flatten').apply(h) as tf.Tensor;
      return model.getLayer('fc').apply(h) as tf.Tensor;
    });
    const expected = tf.tidy(() => {
      let a = model.getLayer('conv1').apply(x) as tf.Tensor;
      a = model.getLayer('conv1_relu').apply(a) as tf.Tensor;
      a = model.getLayer('conv2').apply(a) as tf.Tensor;
      const t = tf.oneHot(tf.tensor1d(target, 'int32'), 10);
      const g = tf.grad((ai: tf.Tensor) => tf.sum(tf.mul(head(ai), t)))(a);
      return tf.sum(tf.mul(tf.mean(g, [1, 2], true), a), 3, true);
    });
    const { attributions } = await layerGradCam(model, x, { target, layer: model.getLayer('conv2') });
    expectCloseToReference(await attributions.data(), Array.from(await expected.data()), { rows: 6 });
    tf.dispose([x, expected, attributions]);
    model.dispose();
  });

  it('attributeToLayerInput reads the layer\'s input; attrDimSummation false keeps one map per channel', async () => {
    const model = digitsModel('cnn');
    const x = tf.tidy(() => tf.slice(referenceInputs('cnn'), 0, 5));
    const target = [0, 1, 2, 3, 4];
    const onInput = await layerGradCam(model, x, { target, layer: 'conv2', attributeToLayerInput: true });
    const previous = await layerGradCam(model, x, { target, layer: 'conv1_relu' });
    expectCloseToReference(await onInput.attributions.data(), Array.from(await previous.attributions.data()), { rows: 5, atol: 1e-6 });
    const perChannel = await layerGradCam(model, x, { target, layer: 'conv2', attrDimSummation: false });
    const summed = await layerGradCam(model, x, { target, layer: 'conv2' });
    expect(perChannel.attributions.shape).toEqual([5, 8, 8, 16]);
    const resummed = tf.sum(perChannel.attributions, 3, true);
    expectCloseToReference(await resummed.data(), Array.from(await summed.attributions.data()), { rows: 5, atol: 1e-6 });
    tf.dispose([x, onInput.attributions, previous.attributions, perChannel.attributions, summed.attributions, resummed]);
    model.dispose();
  });

  it('finds a layer inside a nested model, and leaves the model as it was (also when the model throws)', async () => {
    const inner = digitsModel('cnn');
    const input = tfl.input({ shape: [8, 8, 1] });
    const outer = tfl.model({ inputs: input, outputs: inner.apply(input) as tfl.SymbolicTensor });
    const x = referenceInputs('cnn');
    const key = 'cnn/pred/gradcam/conv2/relu_true';
    const snapshot = snapshotModel(outer, x);
    const r = await layerGradCam(outer, x, { target: targetsOf(key), layer: 'conv2', reluAttributions: true });
    expectCloseToReference(await r.attributions.data(), referenceCase('cnn', key).attr);
    snapshot.expectUnchanged();
    tf.dispose([x, r.attributions]);
    snapshot.dispose();
    outer.dispose();

    // The one-example probe passes; the full batch fails inside the model, after the swap.
    const throwing = tfl.sequential({
      layers: [tfl.layers.conv2d({ filters: 2, kernelSize: 3, inputShape: [8, 8, 1] }), new ThrowOnLargeBatch(1), tfl.layers.flatten(), tfl.layers.dense({ units: 2 })],
    });
    const xs = tf.tidy(() => tf.slice(referenceInputs('cnn'), 0, 3));
    const first = tf.slice(xs, 0, 1);
    const throwingSnapshot = snapshotModel(throwing, first);
    await expectNoLeaks(async () => {
      await expect(layerGradCam(throwing, xs, { layer: throwing.layers[0]!.name, target: [0, 1, 0] })).rejects.toThrow(/ThrowOnLargeBatch/);
    });
    throwingSnapshot.expectUnchanged();
    throwingSnapshot.dispose();
    tf.dispose([xs, first]);
    throwing.dispose();
  });

  it('typed errors name options.layer (unknown, not a feature map, shared, not in the model) and model', async () => {
    const model = digitsModel('cnn');
    const x = tf.tidy(() => tf.slice(referenceInputs('cnn'), 0, 2));
    await expectRejectsInvalid(layerGradCam(model, x, { layer: 'conv9' }), 'layerGradCam', 'options.layer', /'conv1'.*'conv2'/);
    await expectRejectsInvalid(layerGradCam(model, x, { layer: 'fc' }), 'layerGradCam', 'options.layer', /feature map/);
    await expectRejectsInvalid(layerGradCam(model, x, { layer: 'flatten' }), 'layerGradCam', 'options.layer', /feature map/);
    await expectRejectsInvalid(layerGradCam(model, x, {} as { layer: string }), 'layerGradCam', 'options.layer', /layer name/);
    const stranger = tfl.layers.conv2d({ filters: 1, kernelSize: 1 });
    await expectRejectsInvalid(layerGradCam(model, x, { layer: stranger }), 'layerGradCam', 'options.layer', /layer of the model/);
    await expectRejectsInvalid(layerGradCam((t: tf.Tensor) => model.apply(t) as tf.Tensor, x, { layer: 'conv2' }), 'layerGradCam', 'model', /LayersModel/);
    await expectRejectsInvalid(layerGradCam(model, x, { layer: 'conv2', reluAttributions: 1 as unknown as boolean }), 'layerGradCam', 'options.reluAttributions', /true or false/);

    // A convolution applied twice per forward pass has no single output to explain.
    const sharedConv = tfl.layers.conv2d({ filters: 1, kernelSize: 3, padding: 'same' });
    const input = tfl.input({ shape: [8, 8, 1] });
    const twice = sharedConv.apply(sharedConv.apply(input)) as tfl.SymbolicTensor;
    const shared = tfl.model({ inputs: input, outputs: tfl.layers.dense({ units: 2 }).apply(tfl.layers.flatten().apply(twice)) as tfl.SymbolicTensor });
    await expectRejectsInvalid(layerGradCam(shared, x, { layer: sharedConv, target: [0, 1] }), 'layerGradCam', 'options.layer', /called 2 times/);
    tf.dispose(x);
    model.dispose();
    shared.dispose();
  });

  it('leaves no tensors behind', async () => {
    const model = digitsModel('cnn', { separateRelu: false });
    const x = tf.tidy(() => tf.slice(referenceInputs('cnn'), 0, 3));
    await expectNoLeaks(() => layerGradCam(model, x, { layer: 'conv1', reluAttributions: true }));
    await expectNoLeaks(() => layerGradCam(model, x, { layer: 'conv2', attributeToLayerInput: true, attrDimSummation: false }));
    await expectNoLeaks(async () => {
      await expect(layerGradCam(model, x, { layer: 'fc' })).rejects.toThrow(/feature map/);
    });
    x.dispose();
    model.dispose();
  });
});

describeBackends('interpolateAttribution', () => {
  it('nearest takes torch\'s source index min(floor(dst · in/out), in - 1), with torch\'s float32 scale', () => {
    const twoToFive = interpolateAttribution(tf.tensor4d([10, 20], [1, 1, 2, 1]), [1, 5]);
    expect(Array.from(twoToFive.dataSync())).toEqual([10, 10, 10, 20, 20]);
    // 14 -> 46: dst 23 maps to floor(23 · fround(14/46)) = 6 in torch's float32 arithmetic, where
    // exact (and double) arithmetic gives floor(7.0) = 7. The list is numpy's float32 computation.
    const row = tf.tensor4d(Array.from({ length: 14 }, (_, i) => i), [1, 1, 14, 1]);
    const resized = interpolateAttribution(row, [1, 46]);
    const values = Array.from(resized.dataSync());
    expect(values[23]).toBe(6);
    expect(values).toEqual([
      0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7, 8, 8, 8, 9, 9, 9, 10, 10, 10, 10,
      11, 11, 11, 12, 12, 12, 13, 13, 13,
    ]);
    // Downsampling 4 -> 3 picks 0, 1, 2; a same-size call copies.
    const down = interpolateAttribution(tf.tensor4d([1, 2, 3, 4], [1, 4, 1, 1]), [3, 1]);
    expect(Array.from(down.dataSync())).toEqual([1, 2, 3]);
    tf.dispose([twoToFive, row, resized, down]);
  });

  it('bilinear uses align_corners=False (half-pixel centres, clamped at 0), as tfjs resizeBilinear(x, size, false, true)', () => {
    const pair = interpolateAttribution(tf.tensor4d([0, 1], [1, 1, 2, 1]), [1, 4], 'bilinear');
    expectCloseToReference(pair.dataSync(), [0, 0.25, 0.75, 1], { rows: 1, atol: 1e-7 });
    const map = tf.tensor4d(fixedValues(2 * 5 * 3 * 2, 9), [2, 5, 3, 2]);
    for (const size of [[11, 7], [2, 2], [5, 3], [16, 9]] as Array<[number, number]>) {
      const ours = interpolateAttribution(map, size, 'bilinear');
      const tfjs = tf.image.resizeBilinear(map as tf.Tensor4D, size, false, true);
      expect(ours.shape).toEqual([2, size[0], size[1], 2]);
      expectCloseToReference(ours.dataSync(), Array.from(tfjs.dataSync()), { rows: 2, atol: 1e-6 });
      tf.dispose([ours, tfjs]);
    }
    tf.dispose([pair, map]);
  });

  it('linear (1-D maps) and trilinear (3-D maps) follow the same per-axis rule; nearest works on every rank', () => {
    const line = tf.tensor3d([0, 4], [1, 2, 1]);
    const linear = interpolateAttribution(line, [4], 'linear');
    expectCloseToReference(linear.dataSync(), [0, 1, 3, 4], { rows: 1, atol: 1e-6 });
    const cube = tf.tensor5d([0, 1, 2, 3, 4, 5, 6, 7], [1, 2, 2, 2, 1]);
    const trilinear = interpolateAttribution(cube, [4, 4, 4], 'trilinear');
    const corner = trilinear.dataSync();
    // The first and last output positions clamp to the corners of the 2x2x2 cube.
    expect(corner[0]).toBeCloseTo(0, 6);
    expect(corner[63]).toBeCloseTo(7, 6);
    // The centre is the mean of the 8 corners.
    const centre = interpolateAttribution(cube, [1, 1, 1], 'trilinear');
    expect(centre.dataSync()[0]).toBeCloseTo(3.5, 6);
    const nearest = interpolateAttribution(cube, [4, 4, 4]);
    expect(nearest.shape).toEqual([1, 4, 4, 4, 1]);
    tf.dispose([line, linear, cube, trilinear, centre, nearest]);
  });

  it('typed errors name map, size and mode; no leaks', async () => {
    const map = tf.zeros([1, 4, 4, 1]);
    const matrix = tf.zeros([4, 4]);
    const integers = tf.zeros([1, 4, 4, 1], 'int32');
    const fn = 'interpolateAttribution';
    expectInvalidArgument(() => interpolateAttribution(matrix, [8, 8]), fn, 'map', /rank 3 to 5/);
    expectInvalidArgument(() => interpolateAttribution('map' as unknown as tf.Tensor, [8, 8]), fn, 'map', /tf.Tensor/);
    expectInvalidArgument(() => interpolateAttribution(integers, [8, 8]), fn, 'map', /float32/);
    expectInvalidArgument(() => interpolateAttribution(map, [8]), fn, 'size', /2 positive integers/);
    expectInvalidArgument(() => interpolateAttribution(map, [8, 0]), fn, 'size[1]', /integer >= 1/);
    expectInvalidArgument(() => interpolateAttribution(map, [8, 8], 'bicubic' as 'nearest'), fn, 'mode', /one of/);
    expectInvalidArgument(() => interpolateAttribution(map, [8, 8], 'linear'), fn, 'mode', /'bilinear'/);
    await expectNoLeaks(() => interpolateAttribution(map, [9, 7], 'bilinear'));
    await expectNoLeaks(() => interpolateAttribution(map, [4, 4]));
    tf.dispose([map, matrix, integers]);
  });
});

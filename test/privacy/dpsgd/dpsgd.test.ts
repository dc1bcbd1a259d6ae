/**
 * DP-SGD aggregation, sampling and training: clipping bounds every example's contribution, the
 * noise has the stated scale, a noise-free step is the mean of clipped per-example gradients, the
 * sampler is Poisson, and bad input fails before any training.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { InvalidArgumentError, seededRng } from '../../../src/core/index.js';
import { clipAndNoise, dpSgdStep, fitPrivately, perExampleGradients, poissonBatches, UnsupportedLayerError } from '../../../src/privacy/index.js';
import { describeBackends } from '../../helpers/backends.js';
import { expectNoLeaks } from '../../helpers/leaks.js';
import { clippedMean, seededInput, seedWeights } from './models.js';

function mlp(seed = 1): tfl.LayersModel {
  const model = tfl.sequential({
    layers: [tfl.layers.dense({ inputShape: [6], units: 5, activation: 'tanh' }), tfl.layers.dense({ units: 3 })],
  });
  seedWeights(model, seed, 1);
  return model;
}


describeBackends('DP-SGD', () => {
  it('without noise, clipAndNoise is the clipped sum over the expected batch size', async () => {
    const g1 = seededInput([5, 4, 3], 1);
    const g2 = tf.mul(seededInput([5, 3], 2), 3);
    const { gradients: mine } = await clipAndNoise([g1, g2], { maxGradNorm: 0.7, noiseMultiplier: 0, expectedBatchSize: 8 });
    const expected = clippedMean([await g1.data() as Float32Array, await g2.data() as Float32Array], 5, 0.7, 8);
    for (let k = 0; k < 2; k++) {
      expect(mine[k]!.shape).toEqual(k === 0 ? [4, 3] : [3]);
      (await mine[k]!.data()).forEach((v, j) => expect(v).toBeCloseTo(expected[k]![j]!, 5));
    }
    await expectNoLeaks(() => clipAndNoise([g1, g2], { maxGradNorm: 0.7, noiseMultiplier: 1, rng: seededRng(1) }));
    tf.dispose([g1, g2, ...mine]);
  });

  it('every clipped example has norm <= maxGradNorm, flat and per layer', async () => {
    // One example at a time: its clipped sum is the clipped gradient itself.
    const g1 = tf.mul(seededInput([1, 30], 3), 10);
    const g2 = tf.mul(seededInput([1, 20], 4), 10);
    for (const clipping of ['flat', 'perLayer'] as const) {
      const { gradients: [a, b] } = await clipAndNoise([g1, g2], { maxGradNorm: 1, noiseMultiplier: 0, clipping });
      const na = Math.hypot(...(await a!.data()));
      const nb = Math.hypot(...(await b!.data()));
      if (clipping === 'flat') {
        expect(Math.hypot(na, nb)).toBeCloseTo(1, 4);
        expect(Math.hypot(na, nb)).toBeLessThanOrEqual(1);
      }
      else for (const n of [na, nb]) expect(n).toBeLessThanOrEqual(1 / Math.sqrt(2) + 1e-6);
      tf.dispose([a!, b!]);
    }
    tf.dispose([g1, g2]);
  });

  it('adds Gaussian noise of standard deviation noiseMultiplier * maxGradNorm (seeded)', async () => {
    const zeros = tf.zeros([1, 20000]);
    const { gradients: [noisy] } = await clipAndNoise([zeros], { maxGradNorm: 2, noiseMultiplier: 1.5, expectedBatchSize: 1, rng: seededRng('noise') });
    const v = Array.from(await noisy!.data());
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
    // sd of the sample sd is about 3 / sqrt(2 * 20000) = 0.015; mean's sd is 3 / sqrt(20000) = 0.021.
    expect(sd).toBeGreaterThan(3 - 0.08);
    expect(sd).toBeLessThan(3 + 0.08);
    expect(Math.abs(mean)).toBeLessThan(0.1);
    tf.dispose([zeros, noisy!]);
  });

  it('rejects bad clipping options', async () => {
    const g = tf.ones([2, 3]);
    await expect(clipAndNoise([g], { maxGradNorm: 0, noiseMultiplier: 1 })).rejects.toThrow(InvalidArgumentError);
    await expect(clipAndNoise([g], { maxGradNorm: 1, noiseMultiplier: -1 })).rejects.toThrow(/noiseMultiplier/);
    const h = tf.ones([3, 3]);
    await expect(clipAndNoise([g, h], { maxGradNorm: 1, noiseMultiplier: 1 })).rejects.toThrow(/same batch size/);
    tf.dispose([g, h]);
  });

  it('a noise-free dpSgdStep with SGD(lr 1) moves the weights by the mean clipped gradient', async () => {
    const model = mlp();
    const x = seededInput([6, 6], 5);
    const y = [0, 1, 2, 0, 1, 2];
    const { gradients, losses } = perExampleGradients(model, x, y);
    const per = await Promise.all(gradients.map(async (g) => (await g.data()) as Float32Array));
    const expected = clippedMean(per, 6, 0.5, 6);
    const before = await Promise.all(model.trainableWeights.map(async (w) => Array.from(await w.read().data())));
    const optimizer = tf.train.sgd(1);
    const result = await dpSgdStep(model, x, y, { optimizer, maxGradNorm: 0.5, noiseMultiplier: 0, expectedBatchSize: 6 });
    expect(result.batchSize).toBe(6);
    const after = await Promise.all(model.trainableWeights.map(async (w) => Array.from(await w.read().data())));
    after.forEach((w, k) => w.forEach((v, j) => expect(before[k]![j]! - v).toBeCloseTo(expected[k]![j]!, 5)));
    tf.dispose([...gradients, losses, x]);
    optimizer.dispose();
    model.dispose();
  });

  it('fitPrivately trains, accounts every epoch, and leaks nothing over an epoch', async () => {
    const model = mlp(2);
    const x = seededInput([40, 6], 6);
    const y = Array.from({ length: 40 }, (_, i) => i % 3);
    const optimizer = tf.train.sgd(0.1);
    const run = () =>
      fitPrivately(model, x, y, { epochs: 1, batchSize: 10, maxGradNorm: 1, noiseMultiplier: 1.1, delta: 1e-5, optimizer, rng: seededRng(3) });
    const one = await expectNoLeaks(run);
    expect(one.history.epsilon).toHaveLength(1);
    expect(one.rng.secure).toBe(false);
    expect([one.secure, one.rngLabel]).toEqual([false, one.rng.label]);
    const three = await fitPrivately(model, x, y, {
      epochs: 3, batchSize: 10, maxGradNorm: 1, noiseMultiplier: 1.1, delta: 1e-5, optimizer, rng: seededRng(4),
    });
    expect(three.history.steps).toHaveLength(3);
    expect(three.history.loss).toBeUndefined();
    expect(three.history.epsilon[2]!).toBeGreaterThan(three.history.epsilon[0]!);
    expect(three.sampleRate).toBeCloseTo(0.25, 12);
    tf.dispose(x);
    optimizer.dispose();
    model.dispose();
  });

  it('fitPrivately with targetEpsilon never exceeds it', async () => {
    const model = mlp(3);
    const x = seededInput([40, 6], 7);
    const y = Array.from({ length: 40 }, (_, i) => i % 3);
    const optimizer = tf.train.sgd(0.1);
    const r = await fitPrivately(model, x, y, { epochs: 2, batchSize: 8, maxGradNorm: 1, targetEpsilon: 2, delta: 1e-5, optimizer, rng: seededRng(5) });
    expect(r.epsilon).toBeLessThanOrEqual(2);
    expect(r.epsilon).toBeGreaterThan(1.5);
    tf.dispose(x);
    optimizer.dispose();
    model.dispose();
  });

  it('rejects bad input before any training', async () => {
    const model = mlp(4);
    const x = seededInput([10, 6], 8);
    const y = Array.from({ length: 10 }, (_, i) => i % 3);
    const before = await model.trainableWeights[0]!.read().data();
    const optimizer = tf.train.sgd(0.1);
    const base = { epochs: 1, batchSize: 5, maxGradNorm: 1, noiseMultiplier: 1, delta: 1e-5, optimizer, rng: seededRng(6) };
    await expect(fitPrivately(model, x, [...y.slice(0, 9), 3], base)).rejects.toThrow(/y\[9\].*\[0, 3\)/);
    await expect(fitPrivately(model, x, y, { ...base, batchSize: 11 })).rejects.toThrow(/batchSize.*\[1, 10\]/);
    await expect(fitPrivately(model, x, y, { ...base, maxGradNorm: 0 })).rejects.toThrow(InvalidArgumentError);
    await expect(fitPrivately(model, x, y.slice(0, 9), base)).rejects.toThrow(InvalidArgumentError);
    const nan = tf.concat([tf.slice(x, 0, 9), tf.fill([1, 6], Number.NaN)]);
    await expect(fitPrivately(model, nan, y, base)).rejects.toThrow(/finite/);
    const bn = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [6], units: 4 }), tfl.layers.batchNormalization({}), tfl.layers.dense({ units: 3 })] });
    await expect(fitPrivately(bn, x, y, base)).rejects.toThrow(UnsupportedLayerError);
    await expect(fitPrivately(bn, x, y, base)).rejects.toThrow(/LayerNormalization/);
    expect(Array.from(await model.trainableWeights[0]!.read().data())).toEqual(Array.from(before));
    tf.dispose([x, nan]);
    optimizer.dispose();
    model.dispose();
    bn.dispose();
  });
});

it('poissonBatches keeps each example with probability sampleRate (empty batches included)', () => {
  const batches = [...poissonBatches({ numExamples: 1000, sampleRate: 0.01, steps: 2000, rng: seededRng('poisson') })];
  expect(batches).toHaveLength(2000);
  const sizes = batches.map((b) => b.length);
  const mean = sizes.reduce((a, b) => a + b, 0) / sizes.length;
  expect(Math.abs(mean - 10)).toBeLessThan(0.3); // sd of the mean: sqrt(9.9 / 2000) = 0.07
  // With 5 examples at rate 0.1 a batch is empty with probability 0.9^5 = 0.59: empty batches are yielded, not skipped.
  const small = [...poissonBatches({ numExamples: 5, sampleRate: 0.1, steps: 400, rng: seededRng('empty') })];
  const empty = small.filter((b) => b.length === 0).length / small.length;
  expect(Math.abs(empty - 0.59)).toBeLessThan(0.08);
  expect(batches.every((b) => b.every((i) => i >= 0 && i < 1000))).toBe(true);
  const again = [...poissonBatches({ numExamples: 1000, sampleRate: 0.01, steps: 3, rng: seededRng('poisson') })];
  expect(again.map((b) => Array.from(b))).toEqual(batches.slice(0, 3).map((b) => Array.from(b)));
  expect(() => [...poissonBatches({ numExamples: 10, sampleRate: 1.5, steps: 1 })]).toThrow(InvalidArgumentError);
});

/**
 * The adversary's tests of the DP-SGD guarantee (issue: privacy guarantees that hold against the
 * worst-case record). Each case failed on the library before the fix it names.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { AbortedError, seededRng } from '../../../src/core/index.js';
import { crossEntropyTerm, ethicalLoss, trainMultiObjective } from '../../../src/objectives/index.js';
import {
  PrivacyBudget, RdpAccountant, UnsupportedLayerError, clipAndNoise, dpSgdStep, fitPrivately, fitWithPerExampleEngine, perExampleGradients,
} from '../../../src/privacy/index.js';
import { clippingRule } from '../../../src/privacy/dpsgd/clipping.js';
import { describeBackends } from '../../helpers/backends.js';
import { seedWeights, seededInput } from './models.js';

/** A model with a dead-ReLU branch: Inf activations meet zero gradients (Inf * 0 = NaN norms). */
function deadReluModel(): tfl.LayersModel {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 3, inputShape: [4], activation: 'relu', kernelInitializer: 'ones', biasInitializer: 'zeros' }),
      tfl.layers.dense({ units: 2 }),
    ],
  });
  seedWeights(model, 11);
  // The second hidden unit is dead for positive inputs.
  const [, b, k2, b2] = model.getWeights();
  const kernel = tf.tensor2d([[1, -1, 0.5], [1, -1, 0.5], [1, -1, 0.5], [1, -1, 0.5]]);
  model.setWeights([kernel, b!, k2!, b2!]);
  kernel.dispose();
  return model;
}

async function weightsOf(model: tfl.LayersModel): Promise<Float32Array[]> {
  return Promise.all(model.trainableWeights.map(async (w) => (await w.read().data()) as Float32Array));
}

function updateNorm(before: Float32Array[], after: Float32Array[]): number {
  let s = 0;
  before.forEach((w, k) => w.forEach((v, j) => (s += (v - after[k]![j]!) ** 2)));
  return Math.sqrt(s);
}

describeBackends('DP-SGD against the worst-case record', () => {
  it('an extreme finite record (1e19) contributes zero: update norm <= C, all weights finite', async () => {
    const model = deadReluModel();
    const optimizer = tf.train.sgd(1);
    for (const value of [1e19, 3e38, -3e38]) {
      const x = tf.tensor2d([[value, value, value, value]]);
      const before = await weightsOf(model);
      const r = await dpSgdStep(model, x, [1], { optimizer, maxGradNorm: 1, noiseMultiplier: 0, expectedBatchSize: 1 });
      const after = await weightsOf(model);
      expect(after.every((w) => w.every(Number.isFinite))).toBe(true);
      expect(updateNorm(before, after)).toBeLessThanOrEqual(1);
      expect(r.zeroedCount).toBe(1);
      x.dispose();
    }
    // Mixed with an ordinary example: the ordinary one still trains, the extreme one is zeroed.
    const x = tf.tensor2d([[1e19, 1e19, 1e19, 1e19], [0.1, 0.2, -0.3, 0.4]]);
    const before = await weightsOf(model);
    const r = await dpSgdStep(model, x, [1, 0], { optimizer, maxGradNorm: 1, noiseMultiplier: 0, expectedBatchSize: 1 });
    const after = await weightsOf(model);
    expect(r.zeroedCount).toBe(1);
    expect(after.every((w) => w.every(Number.isFinite))).toBe(true);
    const moved = updateNorm(before, after);
    expect(moved).toBeGreaterThan(0);
    expect(moved).toBeLessThanOrEqual(1);
    x.dispose();
    optimizer.dispose();
    model.dispose();
  });

  it('fitPrivately on a data set with an extreme record keeps every weight finite and reports it only on request', async () => {
    const model = deadReluModel();
    const rows = Array.from({ length: 20 }, (_, i) => (i === 7 ? [1e19, 1e19, 1e19, 1e19] : [i / 20, -i / 40, 0.1, 0.3]));
    const x = tf.tensor2d(rows);
    const y = rows.map((_, i) => i % 2);
    const r = await fitPrivately(model, x, y, {
      epochs: 2, batchSize: 10, maxGradNorm: 1, noiseMultiplier: 1, delta: 1e-5, optimizer: tf.train.sgd(0.1),
      rng: seededRng(2), exposeNonPrivateMetrics: true,
    });
    expect((await weightsOf(model)).every((w) => w.every(Number.isFinite))).toBe(true);
    expect(r.history.zeroed!.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    x.dispose();
    model.dispose();
  });

  it('property: for finite inputs up to 1e38, the clipped sum has norm <= batch * C', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.oneof(fc.double({ min: -3e38, max: 3e38, noNaN: true }), fc.double({ min: -10, max: 10, noNaN: true })), { minLength: 6, maxLength: 6 }), { minLength: 1, maxLength: 5 }),
        fc.double({ min: 1e-3, max: 100, noNaN: true }),
        async (rows, C) => {
          const g = tf.tensor2d(rows.map((r) => r.map((v) => Math.fround(v))).map((r) => r.map((v) => (Number.isFinite(v) ? v : 0))));
          const { gradients } = await clipAndNoise([g], { maxGradNorm: C, noiseMultiplier: 0, expectedBatchSize: 1 });
          const v = await gradients[0]!.data();
          const norm = Math.sqrt(Array.from(v).reduce((a, b) => a + b * b, 0));
          tf.dispose([g, ...gradients]);
          return Array.from(v).every(Number.isFinite) && norm <= rows.length * C;
        },
      ),
      { numRuns: 60, seed: 7 },
    );
  });

  it('perExampleGradients-based clipping zeroes overflowing gradients rather than passing them', async () => {
    const g = tf.tensor2d([[3e38, 3e38], [0.3, 0.4]]);
    const { gradients, zeroedCount, clippedCount } = await clipAndNoise([g], { maxGradNorm: 1, noiseMultiplier: 0, expectedBatchSize: 1 });
    expect(zeroedCount).toBe(1);
    expect(clippedCount).toBe(0);
    const v = Array.from(await gradients[0]!.data());
    expect(v[0]).toBeCloseTo(0.3, 5);
    expect(v[1]).toBeCloseTo(0.4, 5);
    tf.dispose([g, ...gradients]);
    const nan = tf.tensor2d([[Number.NaN, 1]]);
    await expect(clipAndNoise([nan], { maxGradNorm: 1, noiseMultiplier: 0 })).rejects.toThrow(/perExample\[0\].*finite/);
    const disposed = tf.ones([2, 2]);
    disposed.dispose();
    await expect(clipAndNoise([disposed], { maxGradNorm: 1, noiseMultiplier: 0 })).rejects.toThrow(/perExample\[0\].*not been disposed/);
    nan.dispose();
  });

  it('refuses BatchNormalization (even frozen) in every DP entry point', async () => {
    const build = (trainable: boolean): tfl.LayersModel => {
      const bn = tfl.layers.batchNormalization();
      bn.trainable = trainable;
      return tfl.sequential({ layers: [tfl.layers.dense({ units: 4, inputShape: [3] }), bn, tfl.layers.dense({ units: 2, activation: 'softmax' })] });
    };
    for (const trainable of [true, false]) {
      const model = build(trainable);
      const x = seededInput([8, 3], 1);
      const y = [0, 1, 0, 1, 0, 1, 0, 1];
      const optimizer = tf.train.sgd(0.1);
      const loss = ethicalLoss({ model, task: crossEntropyTerm(), weights: {} });
      const before = tf.memory().numTensors;
      await expect(fitPrivately(model, x, y, { epochs: 1, batchSize: 4, maxGradNorm: 1, noiseMultiplier: 1, delta: 1e-5, optimizer }))
        .rejects.toThrow(UnsupportedLayerError);
      await expect(dpSgdStep(model, x, y, { optimizer, maxGradNorm: 1, noiseMultiplier: 1, expectedBatchSize: 4 }))
        .rejects.toThrow(UnsupportedLayerError);
      expect(() => perExampleGradients(model, x, y)).toThrow(UnsupportedLayerError);
      await expect(trainMultiObjective(model, { x, y }, {
        loss, optimizer, epochs: 1, batchSize: 4, privacy: { maxGradNorm: 1, noiseMultiplier: 1 },
      })).rejects.toThrow(UnsupportedLayerError);
      expect(tf.memory().numTensors).toBe(before);
      loss.dispose();
      optimizer.dispose();
      x.dispose();
      model.dispose();
    }
  });

  it('refuses a dilated DepthwiseConv2D (tfjs-layers ignores the dilation) with either padding', async () => {
    for (const padding of ['same', 'valid'] as const) {
      const model = tfl.sequential({
        layers: [
          tfl.layers.depthwiseConv2d({ inputShape: [8, 8, 1], kernelSize: 3, dilationRate: 2, padding }),
          tfl.layers.flatten(),
          tfl.layers.dense({ units: 2 }),
        ],
      });
      const x = seededInput([2, 8, 8, 1], 2);
      const optimizer = tf.train.sgd(0.1);
      const before = tf.memory().numTensors;
      await expect(dpSgdStep(model, x, [0, 1], { optimizer, maxGradNorm: 1, noiseMultiplier: 1, expectedBatchSize: 2 }))
        .rejects.toThrow(/dilationRate/);
      expect(tf.memory().numTensors).toBe(before);
      optimizer.dispose();
      x.dispose();
      model.dispose();
    }
  });

  it('two concurrent fits on one accountant never exceed the target together', async () => {
    const accountant = new RdpAccountant();
    const run = async (seed: number) => {
      const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 3, inputShape: [6], activation: 'softmax' })] });
      const x = seededInput([40, 6], seed);
      const y = Array.from({ length: 40 }, (_, i) => i % 3);
      const r = await fitPrivately(model, x, y, {
        epochs: 40, batchSize: 10, maxGradNorm: 1, noiseMultiplier: 2, targetEpsilon: 1, delta: 1e-5, accountant,
        optimizer: tf.train.sgd(0.1), rng: seededRng(seed),
      });
      x.dispose();
      model.dispose();
      return r;
    };
    const [a, b] = await Promise.all([run(1), run(2)]);
    expect(accountant.getEpsilon(1e-5)).toBeLessThanOrEqual(1);
    expect(a.steps + b.steps).toBeGreaterThan(0);
    expect(a.budgetExceeded !== undefined || b.budgetExceeded !== undefined).toBe(true);
  });

  it('spends through a shared PrivacyBudget: calibrated to it, never over it, even concurrently', async () => {
    const budget = new PrivacyBudget({ epsilon: 2, delta: 1e-5 });
    const run = async (seed: number, noiseMultiplier?: number) => {
      const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 3, inputShape: [6] })] });
      const x = seededInput([40, 6], seed);
      const y = Array.from({ length: 40 }, (_, i) => i % 3);
      const r = await fitPrivately(model, x, y, {
        epochs: 3, batchSize: 10, maxGradNorm: 1, budget, optimizer: tf.train.sgd(0.1), rng: seededRng(seed),
        ...(noiseMultiplier !== undefined ? { noiseMultiplier } : {}),
      });
      x.dispose();
      model.dispose();
      return r;
    };
    const first = await run(1);
    expect(first.steps).toBe(12);
    expect(first.epsilon).toBeLessThanOrEqual(2);
    expect(first.epsilon).toBeGreaterThan(2 - 1e-6);
    const [a, b] = await Promise.all([run(2, 3), run(3, 3)]);
    expect(a.steps + b.steps).toBe(0); // the first run spent the budget
    expect(budget.spentEpsilon).toBeLessThanOrEqual(2);
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 3, inputShape: [6] })] });
    const x = seededInput([10, 6], 4);
    await expect(fitPrivately(model, x, [0, 1, 2, 0, 1, 2, 0, 1, 2, 0], {
      epochs: 1, batchSize: 5, maxGradNorm: 1, budget, delta: 1e-5, optimizer: tf.train.sgd(0.1),
    })).rejects.toThrow(/options.delta.*budget/);
    x.dispose();
    model.dispose();
  });

  it('with exposeNonPrivateMetrics, the history records the epoch logs under the same keys (accuracy, not acc)', async () => {
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 3, inputShape: [6] })] });
    const x = seededInput([30, 6], 3);
    const y = Array.from({ length: 30 }, (_, i) => i % 3);
    const epochLogs: Record<string, number>[] = [];
    const batchLogs: Record<string, number>[] = [];
    const r = await fitPrivately(model, x, y, {
      epochs: 2, batchSize: 10, maxGradNorm: 1, noiseMultiplier: 1, delta: 1e-5, optimizer: tf.train.sgd(0.1), rng: seededRng(1),
      exposeNonPrivateMetrics: true,
      callbacks: { onBatchEnd: (_b, l) => void batchLogs.push(l), onEpochEnd: (_e, l) => void epochLogs.push(l) },
    });
    for (const [k, values] of Object.entries(r.history)) expect(values, k).toEqual(epochLogs.map((l) => l[k]));
    expect(Object.keys(r.history).sort()).toEqual(['accuracy', 'epsilon', 'loss', 'steps', 'zeroed']);
    // `acc` is a deprecated alias in the logs only.
    expect(epochLogs[0]!.acc).toBe(epochLogs[0]!.accuracy);
    expect(batchLogs[0]!.acc).toBe(batchLogs[0]!.accuracy);
    x.dispose();
    model.dispose();
  });

  it('callbacks and history carry no raw training metrics by default', async () => {
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 3, inputShape: [6] })] });
    const x = seededInput([30, 6], 3);
    const y = Array.from({ length: 30 }, (_, i) => i % 3);
    const seen: Record<string, number>[] = [];
    const cb = { onBatchEnd: (_: number, l?: Record<string, number>) => void seen.push({ ...l }), onEpochEnd: (_: number, l?: Record<string, number>) => void seen.push({ ...l }) };
    const r = await fitPrivately(model, x, y, {
      epochs: 2, batchSize: 10, maxGradNorm: 1, noiseMultiplier: 1, delta: 1e-5, optimizer: tf.train.sgd(0.1), rng: seededRng(1), callbacks: cb,
    });
    const keys = new Set(seen.flatMap((l) => Object.keys(l)));
    expect([...keys].sort()).toEqual(['epsilon', 'step', 'steps'].filter((k) => keys.has(k)));
    for (const k of ['loss', 'accuracy', 'acc', 'size', 'clipped', 'zeroed']) expect(keys.has(k)).toBe(false);
    expect(Object.keys(r.history).sort()).toEqual(['epsilon', 'steps']);
    x.dispose();
    model.dispose();
  });

  it('calibrates on the caller\'s accountant: custom orders reach the target within 1e-6', async () => {
    const accountant = new RdpAccountant({ orders: [2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 28, 32] });
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 3, inputShape: [6] })] });
    const x = seededInput([40, 6], 4);
    const y = Array.from({ length: 40 }, (_, i) => i % 3);
    const r = await fitPrivately(model, x, y, {
      epochs: 2, batchSize: 10, maxGradNorm: 1, targetEpsilon: 3, delta: 1e-5, accountant, optimizer: tf.train.sgd(0.1), rng: seededRng(5),
    });
    expect(r.steps).toBe(8);
    expect(r.budgetExceeded).toBeUndefined();
    expect(r.epsilon).toBeLessThanOrEqual(3);
    expect(r.epsilon).toBeGreaterThan(3 - 1e-6);
    expect(accountant.getEpsilon(1e-5)).toBe(r.epsilon);
    x.dispose();
    model.dispose();
  });

  it('yields to the event loop during training and stops cleanly on abort', async () => {
    const sgd = tf.train.sgd(0.01);
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 16, inputShape: [32], activation: 'relu' }), tfl.layers.dense({ units: 4 })] });
    const x = seededInput([512, 32], 5);
    const y = Array.from({ length: 512 }, (_, i) => i % 4);
    const options = { epochs: 200, batchSize: 64, maxGradNorm: 1, noiseMultiplier: 1, delta: 1e-5, optimizer: sgd, rng: seededRng(6) };
    const controller = new AbortController();
    const before = tf.memory().numTensors;
    const started = performance.now();
    let firedAfter = Number.NaN;
    setTimeout(() => {
      firedAfter = performance.now() - started;
      setTimeout(() => controller.abort('enough'), 300);
    }, 50);
    await expect(fitPrivately(model, x, y, { ...options, signal: controller.signal })).rejects.toThrow(AbortedError);
    expect(firedAfter).toBeLessThan(200);
    expect(tf.memory().numTensors).toBe(before);
    // Aborted before the start: nothing runs.
    await expect(fitPrivately(model, x, y, { ...options, signal: AbortSignal.abort() })).rejects.toThrow(/stopped by its AbortSignal/);
    await expect(fitWithPerExampleEngine(model, x, y, { epochs: 1, batchSize: 64, optimizer: sgd, signal: AbortSignal.abort() })).rejects.toThrow(AbortedError);
    expect(tf.memory().numTensors).toBe(before);
    // trainMultiObjective, private and not, too.
    const n0 = tf.memory().numTensors;
    const loss = ethicalLoss({ model, task: crossEntropyTerm(), weights: {} });
    for (const privacy of [undefined, { maxGradNorm: 1, noiseMultiplier: 1, rng: seededRng(1) }]) {
      // A first, short run warms tfjs's kernels: one step is the unit of work between two yields.
      await trainMultiObjective(model, { x, y }, { loss, optimizer: sgd, epochs: 1, batchSize: 256, rng: seededRng(2), ...(privacy ? { privacy } : {}) });
      const c = new AbortController();
      const t0 = performance.now();
      let fired = Number.NaN;
      setTimeout(() => {
        fired = performance.now() - t0;
        setTimeout(() => c.abort(), 200);
      }, 50);
      await expect(trainMultiObjective(model, { x, y }, {
        loss, optimizer: sgd, epochs: 500, batchSize: 64, rng: seededRng(2), signal: c.signal, ...(privacy ? { privacy } : {}),
      })).rejects.toThrow(AbortedError);
      expect(fired).toBeLessThan(200);
    }
    loss.dispose(); // the loss keeps its last values between steps; nothing else may remain
    expect(tf.memory().numTensors).toBe(n0);
    sgd.dispose();
    x.dispose();
    model.dispose();
  });
});

describeBackends('per-example gradients at the boundary', () => {
  it('refuse NaN, infinite and disposed inputs with typed errors and leak nothing', () => {
    const model = deadReluModel();
    const before = tf.memory().numTensors;
    const nan = tf.tensor2d([[1, Number.NaN, 0, 0]]);
    const inf = tf.tensor2d([[1, 2, Number.POSITIVE_INFINITY, 0]]);
    const gone = tf.tensor2d([[1, 2, 3, 4]]);
    gone.dispose();
    expect(() => perExampleGradients(model, nan, [0])).toThrow(/perExampleGradients: argument 'x'.*finite/);
    expect(() => perExampleGradients(model, inf, [0])).toThrow(/finite/);
    expect(() => perExampleGradients(model, gone, [0])).toThrow(/not been disposed/);
    tf.dispose([nan, inf]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});

describeBackends('the clipping rule', () => {
  it('zeroes NaN, infinite and negative squared norms in every group, and never rounds a coefficient up', () => {
    const r = clippingRule([Float32Array.from([4, Number.NaN, Number.POSITIVE_INFINITY, 0.25, -1]), Float32Array.from([0, 1, 1, 0, 0])], { maxGradNorm: 1, mode: 'flat', weightCount: 10 });
    expect(Array.from(r.kept)).toEqual([1, 0, 0, 1, 0]);
    expect(r.zeroedCount).toBe(3);
    expect(r.clippedCount).toBe(1);
    expect(r.coefficients[0]![1]).toBe(0);
    expect(r.coefficients[0]![0]! * 2).toBeLessThanOrEqual(1);
    expect(r.coefficients[0]![3]).toBe(1);
    const perLayer = clippingRule([Float32Array.from([4, 1e30]), Float32Array.from([Number.NaN, 1])], { maxGradNorm: 1, mode: 'perLayer', weightCount: 10 });
    expect(Array.from(perLayer.kept)).toEqual([0, 1]);
    expect(perLayer.coefficients.map((c) => c[0])).toEqual([0, 0]);
  });

  it('property: a clipped norm never exceeds the bound, whatever the float32 norm', () => {
    fc.assert(
      fc.property(fc.float({ min: 0, max: Math.fround(3e38), noNaN: true }), fc.double({ min: 1e-6, max: 1e6, noNaN: true }), (sq, C) => {
        const r = clippingRule([Float32Array.from([sq])], { maxGradNorm: C, mode: 'flat', weightCount: 1 });
        return r.coefficients[0]![0]! * Math.sqrt(sq) <= C;
      }),
      { numRuns: 2000, seed: 3 },
    );
  });
}, ['cpu']);

describeBackends('ghost norms of sequences under cancellation', () => {
  it('the Gram-trick norm is never below the exact norm when positions cancel (crafted inputs)', async () => {
    const { ghostOuterNorms } = await import('../../../src/privacy/dpsgd/rules/common.js');
    // T = 2 positions, p = q = 8 (T^2 < p q: the Gram path). a_2 = -(a_1 + tiny), g_2 = g_1: the
    // per-example gradient a_1 g_1^T + a_2 g_2^T is tiny while every Gram term is large.
    const rng = seededRng(9);
    for (let trial = 0; trial < 20; trial++) {
      const scale = 10 ** (trial % 5);
      const a1 = Array.from({ length: 8 }, () => (2 * rng.next() - 1) * scale);
      const g1 = Array.from({ length: 8 }, () => 2 * rng.next() - 1);
      const a2 = a1.map((v) => Math.fround(-v * (1 + 1e-7 * (1 + rng.next()))));
      const a = tf.tensor3d([[a1, a2]]);
      const g = tf.tensor3d([[g1, g1]]);
      const ghost = ghostOuterNorms(a as tf.Tensor3D, g as tf.Tensor3D)!;
      const computed = (await ghost.data())[0]!;
      // Exact squared norm in doubles from the float32 inputs.
      const fa1 = a1.map(Math.fround), fg = g1.map(Math.fround);
      let exact = 0;
      for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) exact += (fa1[i]! * fg[j]! + a2[i]! * fg[j]!) ** 2;
      expect(computed).toBeGreaterThanOrEqual(exact);
      tf.dispose([a, g, ghost]);
    }
  });
});

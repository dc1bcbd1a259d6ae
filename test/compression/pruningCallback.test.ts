import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { constantSparsity, polynomialDecay, prunedWeightCount, pruningCallback } from '../../src/compression/index.js';
import { describeBackends } from '../helpers/backends.js';
import { seededRng } from '../../src/core/rng.js';

function tinyModel(seed: number): tfl.Sequential {
  const model = tfl.sequential();
  model.add(tfl.layers.dense({ units: 16, inputShape: [8], activation: 'relu', name: 'h', kernelInitializer: tfl.initializers.glorotUniform({ seed }) }));
  model.add(tfl.layers.dense({ units: 4, name: 'out', kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }) }));
  model.compile({ optimizer: tf.train.adam(0.01), loss: (yt: tf.Tensor, yp: tf.Tensor) => tf.losses.softmaxCrossEntropy(yt, yp) });
  return model;
}

function data(n: number): { x: tf.Tensor; y: tf.Tensor } {
  const rng = seededRng(3);
  const xs = Float32Array.from({ length: n * 8 }, () => rng.next() * 2 - 1);
  const labels = Array.from({ length: n }, (_, i) => ((xs[i * 8]! > 0 ? 1 : 0) + (xs[i * 8 + 1]! > 0 ? 2 : 0)));
  return { x: tf.tensor(xs, [n, 8]), y: tf.oneHot(tf.tensor1d(labels, 'int32'), 4) };
}

const zerosOf = async (t: tf.Tensor): Promise<number> => (await t.data()).filter((v) => v === 0).length;

describeBackends('pruningCallback', () => {
  it('model.fit: masks follow the polynomial schedule and pruned weights stay zero after every batch', async () => {
    const model = tinyModel(1);
    const { x, y } = data(64);
    const schedule = polynomialDecay({ initialSparsity: 0, finalSparsity: 0.75, beginStep: 0, endStep: 20, power: 3, frequency: 5 });
    const pruning = pruningCallback(model, { schedule });
    const seen: { step: number; sparsity: number; violations: number }[] = [];
    const check = {
      onBatchEnd: async () => {
        const masks = pruning.masks();
        let violations = 0;
        for (const m of masks) {
          const layer = model.getLayer(m.name.split('/')[0]!);
          const w = await layer.getWeights()[0]!.data();
          m.kept.forEach((k, i) => { if (k === 0 && w[i] !== 0) violations++; });
        }
        seen.push({ step: pruning.step, sparsity: pruning.sparsity, violations });
      },
    };
    await model.fit(x, y, { epochs: 5, batchSize: 8, shuffle: false, verbose: 0, callbacks: [pruning, check] });
    expect(pruning.step).toBe(40);
    expect(seen.map((s) => s.step)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(seen.every((s) => s.violations === 0)).toBe(true);
    // The sparsity in force after step s is the schedule value at the last update step <= s.
    for (const s of seen) {
      const last = Math.floor(s.step / 5) * 5;
      expect(s.sparsity).toBe(last === 0 ? 0 : schedule.sparsityAt(last));
    }
    const [h, out] = [model.getLayer('h').getWeights()[0]!, model.getLayer('out').getWeights()[0]!];
    expect(await zerosOf(h)).toBe(prunedWeightCount(128, schedule.sparsityAt(20), 'tfmot'));
    expect(await zerosOf(out)).toBe(prunedWeightCount(64, schedule.sparsityAt(20), 'tfmot'));
    // A second fit continues counting (tfmot keeps its step variable).
    await model.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0, callbacks: [pruning] });
    expect(pruning.step).toBe(48);
    expect(await zerosOf(model.getLayer('h').getWeights()[0]!)).toBe(96);
    pruning.dispose();
    tf.dispose([x, y]);
    model.dispose();
  });

  it('custom loop: onBatchBegin / onBatchEnd around optimizer.minimize, no leaked tensors', async () => {
    const model = tinyModel(5);
    const { x, y } = data(32);
    const pruning = pruningCallback(model, { schedule: constantSparsity({ targetSparsity: 0.5, frequency: 2 }), scope: 'global', rule: 'torch', layers: ['h'] });
    const opt = tf.train.sgd(0.1);
    const before = tf.memory().numTensors;
    await pruning.onTrainBegin();
    for (let i = 0; i < 6; i++) {
      await pruning.onBatchBegin();
      opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar);
      await pruning.onBatchEnd();
    }
    expect(await zerosOf(model.getLayer('h').getWeights()[0]!)).toBe(64);
    expect(await zerosOf(model.getLayer('out').getWeights()[0]!)).toBe(0);
    pruning.dispose();
    // SGD keeps no state: nothing may remain.
    expect(tf.memory().numTensors - before).toBe(0);
    opt.dispose();
    tf.dispose([x, y]);
    model.dispose();
  });
});

describe('pruningCallback errors', () => {
  it('rejects a missing schedule and bad options', () => {
    const model = tinyModel(9);
    expect(() => pruningCallback(model, {} as never)).toThrow(/options.schedule/);
    expect(() => pruningCallback(model, { schedule: constantSparsity({ targetSparsity: 0.5 }), scope: 'x' as never })).toThrow(InvalidArgumentError);
    expect(() => pruningCallback({} as never, { schedule: constantSparsity({ targetSparsity: 0.5 }) })).toThrow(/tf.LayersModel/);
    model.dispose();
  });

  it('refuses a schedule that can never prune (the first batch is step 1), and accepts the edge cases that can', () => {
    const model = tinyModel(10);
    // Only step 0 (never reached), or the first eligible step 100 past endStep 1: silent no-ops before.
    expect(() => pruningCallback(model, { schedule: constantSparsity({ targetSparsity: 0.5, beginStep: 0, endStep: 1 }) }))
      .toThrow(/options\.schedule.*training step >= 1/);
    expect(() => pruningCallback(model, { schedule: constantSparsity({ targetSparsity: 0.5, beginStep: 0, endStep: 0 }) }))
      .toThrow(InvalidArgumentError);
    const ok = [
      constantSparsity({ targetSparsity: 0.5, beginStep: 1, endStep: 1 }),
      constantSparsity({ targetSparsity: 0.5, beginStep: 0, endStep: 100 }), // step 100 = 0 + 1 × 100
      constantSparsity({ targetSparsity: 0.5, beginStep: 0, endStep: 2, frequency: 2 }),
      constantSparsity({ targetSparsity: 0.5 }), // no end
    ];
    for (const schedule of ok) pruningCallback(model, { schedule }).dispose();
    model.dispose();
  });
});

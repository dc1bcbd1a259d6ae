import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { constantSparsity, pruneByMagnitude, pruningCallback, quantizationAwareTraining } from '../../src/compression/index.js';
import { AbortedError, InvalidArgumentError } from '../../src/core/errors.js';
import { seededRng, type Rng } from '../../src/core/rng.js';
import { distill, distillationLoss } from '../../src/sustainability/distillation/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';

/** Box-Muller normal from a seeded Rng. */
const normal = (rng: Rng): number => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());

/**
 * A synthetic 4-class task in 8 dimensions: class c lives on a ring of radius 1 + c around the
 * origin of the first two coordinates (not linearly separable), plus 6 noise dimensions.
 */
function rings(n: number, rng: Rng): { x: tf.Tensor2D; y: number[] } {
  const xs: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 4;
    const angle = 2 * Math.PI * rng.next();
    const r = 1 + c + 0.15 * normal(rng);
    xs.push([r * Math.cos(angle), r * Math.sin(angle), ...Array.from({ length: 6 }, () => 0.5 * normal(rng))]);
    y.push(c);
  }
  return { x: tf.tensor2d(xs), y };
}

function mlp(hidden: number, seed: number, softmax = false): tfl.Sequential {
  return tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [8], units: hidden, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed }) }),
      tfl.layers.dense({ units: 4, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }), ...(softmax ? { activation: 'softmax' as const } : {}) }),
    ],
  });
}

async function accuracy(model: tfl.LayersModel, x: tf.Tensor, y: number[]): Promise<number> {
  const pred = tf.tidy(() => tf.argMax(model.predict(x) as tf.Tensor, -1));
  const p = await pred.data();
  pred.dispose();
  return y.reduce((a, c, i) => a + (p[i] === c ? 1 : 0), 0) / y.length;
}

async function lossOn(student: tfl.LayersModel, teacher: tfl.LayersModel, x: tf.Tensor, y: number[] | undefined, temperature: number, alpha: number): Promise<number> {
  const l = tf.tidy(() => distillationLoss(student.predict(x) as tf.Tensor, teacher.predict(x) as tf.Tensor, y, { temperature, alpha }));
  const v = (await l.data())[0]!;
  l.dispose();
  return v;
}

describeBackends('distill', () => {
  it('lowers the distillation loss on a toy problem (alpha 1, no labels); history and steps', async () => {
    const { x } = rings(64, seededRng(1));
    const teacher = mlp(16, 10);
    const student = mlp(16, 20);
    const before = await lossOn(student, teacher, x, undefined, 2, 1);
    const epochEnds: number[] = [];
    const { history, steps } = await distill(teacher, student, x, {
      temperature: 2, alpha: 1, epochs: 20, batchSize: 16, optimizer: tf.train.adam(0.02), rng: seededRng(2),
      callbacks: { onEpochEnd: (e) => void epochEnds.push(e) },
    });
    const after = await lossOn(student, teacher, x, undefined, 2, 1);
    expect(steps).toBe(20 * 4);
    expect(history.loss).toHaveLength(20);
    expect(epochEnds).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(history.loss[19]!).toBeLessThan(0.2 * history.loss[0]!);
    expect(after).toBeLessThan(0.1 * before);
    x.dispose();
  });

  it('a small student keeps most of a trained teacher\'s accuracy (seeded synthetic task)', async () => {
    const train = rings(400, seededRng(3));
    const test = rings(400, seededRng(4));
    const teacher = mlp(64, 30, true); // ends in softmax: distill reads its probabilities as log-probabilities
    teacher.compile({ optimizer: tf.train.adam(0.02), loss: 'sparseCategoricalCrossentropy' });
    await teacher.fit(train.x, tf.tensor1d(train.y), { epochs: 60, batchSize: 50, shuffle: false, verbose: 0 });
    const teacherAcc = await accuracy(teacher, test.x, test.y);
    expect(teacherAcc).toBeGreaterThan(0.85);
    const student = mlp(8, 40);
    const untrained = await accuracy(student, test.x, test.y);
    await distill(teacher, student, train.x, {
      y: train.y, epochs: 60, batchSize: 50, optimizer: tf.train.adam(0.02), rng: seededRng(5),
    });
    const studentAcc = await accuracy(student, test.x, test.y);
    expect(untrained).toBeLessThan(0.5);
    expect(studentAcc).toBeGreaterThan(0.9 * teacherAcc);
    tf.dispose([train.x, test.x]);
  });

  it('composes with magnitude pruning: with the pruning callback the pruned zeros stay zero; without it they regrow', async () => {
    const { x, y } = rings(64, seededRng(6));
    const teacher = mlp(16, 50);
    for (const withCallback of [true, false]) {
      const student = mlp(16, 60);
      const { masks } = await pruneByMagnitude(student, { sparsity: 0.5, rule: 'torch' });
      const callbacks = withCallback
        ? [pruningCallback(student, { schedule: constantSparsity({ targetSparsity: 0.5, beginStep: 1, endStep: 1 }), rule: 'torch' })]
        : [];
      const before = await lossOn(student, teacher, x, y, 4, 0.9);
      await distill(teacher, student, x, { y, epochs: 5, batchSize: 16, optimizer: tf.train.adam(0.01), rng: seededRng(7), callbacks });
      expect(await lossOn(student, teacher, x, y, 4, 0.9)).toBeLessThan(before);
      const kernels = [student.layers[0]!.getWeights()[0]!, student.layers[1]!.getWeights()[0]!];
      let zerosKept = 0;
      let pruned = 0;
      for (const [i, k] of kernels.entries()) {
        const v = await k.data();
        masks[i]!.kept.forEach((kept, j) => {
          if (kept === 0) {
            pruned++;
            if (v[j] === 0) zerosKept++;
          }
        });
      }
      expect(pruned).toBe((16 * 8 + 4 * 16) / 2);
      if (withCallback) expect(zerosKept).toBe(pruned);
      else expect(zerosKept).toBeLessThan(pruned / 10);
      for (const c of callbacks) c.dispose();
    }
    x.dispose();
  });

  it('composes with quantization-aware training (its controller in callbacks, finish() after)', async () => {
    const { x, y } = rings(64, seededRng(13));
    const teacher = mlp(16, 120);
    const student = mlp(16, 130);
    const qat = quantizationAwareTraining(student, { dtype: 'int8', scheme: 'symmetric', axis: -1 });
    const before = await lossOn(student, teacher, x, y, 4, 0.9);
    const { history } = await distill(teacher, student, x, { y, epochs: 5, batchSize: 16, optimizer: tf.train.adam(0.01), rng: seededRng(14), callbacks: qat });
    await qat.finish();
    expect(history.loss[4]!).toBeLessThan(history.loss[0]!);
    expect(await lossOn(student, teacher, x, y, 4, 0.9)).toBeLessThan(before);
    x.dispose();
  });

  it('changes only the student; leaks no tensors', async () => {
    const { x, y } = rings(32, seededRng(8));
    const teacher = mlp(8, 70);
    const student = mlp(4, 80);
    const teacherWeights = teacher.getWeights().map((w) => w.arraySync());
    const optimizer = tf.train.sgd(0.1); // outside: an optimizer keeps its learning rate as a tensor
    await expectNoLeaks(async () => {
      await distill(teacher, student, x, { y, temperature: 3, alpha: 0.5, epochs: 2, batchSize: 10, optimizer, rng: seededRng(9) });
    });
    expect(teacher.getWeights().map((w) => w.arraySync())).toEqual(teacherWeights);
    optimizer.dispose();
    x.dispose();
  });

  it('accepts a function teacher, stops on model.stopTraining and rejects on abort', async () => {
    const { x } = rings(32, seededRng(10));
    const w = tf.randomNormal([8, 4], 0, 1, 'float32', 11);
    const teacher = (input: tf.Tensor): tf.Tensor => tf.matMul(input, w);
    const student = mlp(4, 90);
    const { steps } = await distill(teacher, student, x, {
      alpha: 1, epochs: 3, batchSize: 8, optimizer: tf.train.sgd(0.1),
      callbacks: { onBatchEnd: (b) => { if (b === 1) student.stopTraining = true; } },
    });
    expect(steps).toBe(2);
    const controller = new AbortController();
    controller.abort();
    await expect(distill(teacher, student, x, { alpha: 1, epochs: 1, batchSize: 8, optimizer: tf.train.sgd(0.1), signal: controller.signal }))
      .rejects.toBeInstanceOf(AbortedError);
    tf.dispose([x, w]);
  });

  it('typed errors: missing labels, alpha, temperature, batch size, mismatched teacher, non-models', async () => {
    const { x, y } = rings(16, seededRng(12));
    const student = mlp(4, 100);
    const teacher = mlp(4, 110);
    const wrong = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [8], units: 3 })] });
    const opt = tf.train.sgd(0.1);
    const base = { epochs: 1, batchSize: 8, optimizer: opt };
    const cases: [() => Promise<unknown>, string][] = [
      [() => distill(teacher, student, x, base), 'options.y'],
      [() => distill(teacher, student, x, { ...base, y, alpha: 1.5 }), 'options.alpha'],
      [() => distill(teacher, student, x, { ...base, y, temperature: 0 }), 'options.temperature'],
      [() => distill(teacher, student, x, { ...base, y, batchSize: 17 }), 'options.batchSize'],
      [() => distill(wrong, student, x, { ...base, y }), 'teacher'],
      [() => distill(teacher, student, x, { ...base, y: [0, 1] }), 'y'],
      [() => distill('teacher' as unknown as tfl.LayersModel, student, x, { ...base, y }), 'teacher'],
      [() => distill(teacher, ((t: tf.Tensor) => t) as unknown as tfl.LayersModel, x, { ...base, y }), 'student'],
      [() => distill(teacher, student, x, { ...base, y, optimizer: {} as tf.Optimizer }), 'options.optimizer'],
    ];
    for (const [p, argument] of cases) {
      const e = await p().catch((err: unknown) => err);
      expect(e, argument).toBeInstanceOf(InvalidArgumentError);
      expect((e as InvalidArgumentError).argument).toBe(argument);
    }
    x.dispose();
  });
});

/**
 * The playground's tasks in Node (cpu and wasm): the code the page's worker runs, checked for what
 * the page relies on: no leaked tensors, bad settings refused, cancellation honoured, seeded runs
 * reproducible, and results that mean what the panels say they mean.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { AbortedError } from 'responsible-tfjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { encodeAdult, parseAdultRows, parseDigits } from '../../examples/shared/datasets.js';
import { compressModel } from '../../examples/playground/src/tasks/compression.js';
import { explainDigit } from '../../examples/playground/src/tasks/explanation.js';
import { fairnessByGroup } from '../../examples/playground/src/tasks/fairness.js';
import { trainPrivately, type PrivateTrainingResult, type PrivateTrainingSettings } from '../../examples/playground/src/tasks/privateTraining.js';
import { robustnessCurve } from '../../examples/playground/src/tasks/robustness.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';

const data = fileURLToPath(new URL('../../examples/data/', import.meta.url));
const digits = parseDigits(readFileSync(`${data}digits.csv`, 'utf8'));
const TRAIN: PrivateTrainingSettings = { targetEpsilon: 2, epochs: 2, batchSize: 128, maxGradNorm: 1, learningRate: 0.5, seed: 5 };

describeBackends('playground tasks', () => {
  let trained: PrivateTrainingResult;
  beforeAll(async () => {
    trained = await trainPrivately(digits, TRAIN);
  });
  afterAll(() => trained.model.dispose());

  it('private training spends at most the target epsilon, reports every epoch, and reproduces from its seed', async () => {
    expect(trained.epsilon).toBeLessThanOrEqual(TRAIN.targetEpsilon);
    expect(trained.epsilon).toBeGreaterThan(TRAIN.targetEpsilon - 1e-3);
    expect(trained.history.map((p) => p.epoch)).toEqual([1, 2]);
    expect(trained.history[1]!.epsilon).toBe(trained.epsilon);
    expect(trained.history[0]!.epsilon).toBeLessThan(trained.history[1]!.epsilon);
    expect(trained.secureNoise).toBe(false);
    expect(trained.testAccuracy).toBeGreaterThan(0.3);
    let points: number[] = [];
    const again = await expectNoLeaks(async () => {
      points = [];
      const r = await trainPrivately(digits, TRAIN, { onProgress: (p) => points.push(p.fraction) });
      const out = { epsilon: r.epsilon, accuracy: r.testAccuracy, weights: await Promise.all(r.model.getWeights().map((w) => w.data())) };
      r.model.dispose();
      return out;
    });
    expect(points).toEqual([0.5, 1]);
    expect(again.epsilon).toBe(trained.epsilon);
    expect(again.accuracy).toBe(trained.testAccuracy);
    const weights = await Promise.all(trained.model.getWeights().map((w) => w.data()));
    weights.forEach((w, i) => expect(Array.from(again.weights[i]!)).toEqual(Array.from(w)));
  });

  it('private training stops when its signal aborts, leaking nothing', async () => {
    const controller = new AbortController();
    await expectNoLeaks(async () => {
      await expect(trainPrivately(digits, { ...TRAIN, epochs: 50 }, {
        signal: controller.signal,
        onProgress: () => controller.abort(),
      })).rejects.toBeInstanceOf(AbortedError);
    });
  });

  it('refuses settings outside what the page allows, naming them', async () => {
    await expect(trainPrivately(digits, { ...TRAIN, targetEpsilon: Number.NaN })).rejects.toThrow(/targetEpsilon must be a number in \[0\.1, 100\], got NaN/);
    await expect(trainPrivately(digits, { ...TRAIN, epochs: 1.5 })).rejects.toThrow(/epochs must be an integer/);
    await expect(robustnessCurve(trained.model, digits.test, { epsilons: [], steps: 1, rows: 1, seed: 1 })).rejects.toThrow(/epsilons must not be empty/);
    await expect(robustnessCurve(trained.model, digits.test, { epsilons: [0, 2], steps: 1, rows: 1, seed: 1 })).rejects.toThrow(/epsilons\[1\] must be a number in \[0, 1\], got 2/);
    await expect(explainDigit(trained.model, digits.test, { row: 450, steps: 8 })).rejects.toThrow(/row must be an integer in \[0, 449\], got 450/);
    await expect(compressModel(trained.model, digits.test, { sparsity: 1 })).rejects.toThrow(/sparsity must be a number in \[0, 0.99\], got 1/);
  });

  it('the robustness curve starts at clean accuracy, falls with epsilon, and its digit is really flipped', async () => {
    const r = await expectNoLeaks(() => robustnessCurve(trained.model, digits.test, { epsilons: [0, 0.1, 0.3], steps: 5, rows: 200, seed: 2 }));
    const clean = tf.tidy(() => tf.argMax(trained.model.predict(tf.tensor2d(digits.test.x.subarray(0, 200 * 64), [200, 64])) as tf.Tensor, 1));
    const predictions = await clean.data();
    clean.dispose();
    expect(r.curve[0]!.robustAccuracy).toBeCloseTo(predictions.filter((p, i) => p === digits.test.y[i]).length / 200, 12);
    expect(r.curve[1]!.robustAccuracy).toBeLessThanOrEqual(r.curve[0]!.robustAccuracy);
    expect(r.curve[2]!.robustAccuracy).toBeLessThan(r.curve[0]!.robustAccuracy);
    const e = r.example!;
    expect(e.cleanPrediction).toBe(e.label);
    expect(e.adversarialPrediction).not.toBe(e.label);
    const linf = Math.max(...e.clean.map((v, i) => Math.abs(v - e.adversarial[i]!)));
    expect(linf).toBeLessThanOrEqual(0.3 + 1e-6);
    const flipped = tf.tidy(() => tf.argMax(trained.model.predict(tf.tensor2d(e.adversarial, [1, 64])) as tf.Tensor, 1));
    expect((await flipped.data())[0]).toBe(e.adversarialPrediction);
    flipped.dispose();
  });

  it('integrated gradients are complete: attributions sum to the logit difference', async () => {
    const r = await expectNoLeaks(() => explainDigit(trained.model, digits.test, { row: 7, steps: 64 }));
    const logits = tf.tidy(() => trained.model.predict(tf.concat([tf.tensor2d(r.pixels, [1, 64]), tf.zeros([1, 64])])) as tf.Tensor2D);
    const l = await logits.array();
    logits.dispose();
    const sum = r.integratedGradients.reduce((a, b) => a + b, 0);
    expect(Math.abs(sum - (l[0]![r.prediction]! - l[1]![r.prediction]!))).toBeLessThan(1e-2);
    expect(r.convergenceDelta).toBeCloseTo(sum - (l[0]![r.prediction]! - l[1]![r.prediction]!), 4);
    expect(r.saliency.every((v) => v >= 0)).toBe(true);
    expect(r.probability).toBeGreaterThan(0.1);
  });

  it('compression zeroes the asked share of kernel weights, shrinks the sparse file, and leaves the model alone', async () => {
    const before = await Promise.all(trained.model.getWeights().map((w) => w.data()));
    const r = await expectNoLeaks(() => compressModel(trained.model, digits.test, { sparsity: 0.75 }));
    const after = await Promise.all(trained.model.getWeights().map((w) => w.data()));
    after.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(before[i]!)));
    const [float, pruned, int8] = r.stages;
    expect(float!.testAccuracy).toBe(trained.testAccuracy);
    expect(pruned!.denseBytes).toBe(float!.denseBytes);
    expect(pruned!.sparseBytes).toBeLessThan(0.45 * float!.sparseBytes);
    expect(int8!.denseBytes).toBeLessThan(0.35 * float!.denseBytes);
    expect(int8!.sparseBytes).toBeLessThan(pruned!.sparseBytes);
  });
});

describeBackends('playground fairness task', () => {
  const adult = encodeAdult(parseAdultRows(readFileSync(`${data}adult.csv`, 'utf8')));
  it('the demographic-parity post-processing narrows the gap in selection rates', async () => {
    const r = await expectNoLeaks(() => fairnessByGroup(adult, { epochs: 1, batchSize: 256, learningRate: 0.1, seed: 1 }));
    expect(r.unconstrained.bySex.map((g) => g.group)).toEqual(['Female', 'Male']);
    expect(r.unconstrained.bySex.reduce((s, g) => s + g.count, 0)).toBe(adult.test.n);
    expect(r.unconstrained.demographicParityDifference).toBeGreaterThan(0.1);
    expect(r.demographicParity.demographicParityDifference).toBeLessThan(0.03);
    const rates = r.unconstrained.bySex.map((g) => g.selectionRate);
    expect(r.unconstrained.demographicParityDifference).toBeCloseTo(Math.abs(rates[0]! - rates[1]!), 12);
    expect(r.losses).toHaveLength(1);
    expect(r.losses[0]).toBeLessThan(Math.log(2));
  });
}, ['wasm']);

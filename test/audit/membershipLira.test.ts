import erfc from '@stdlib/math-base-special-erfc';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { liraScores, membershipScores, trainShadowModels, type ShadowTrainer } from '../../src/audit/membership/index.js';
import { evaluateMembershipAttack } from '../../src/audit/roc/index.js';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { seededRng, tensorSeed, type Rng } from '../../src/core/rng.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';

async function expectRejects(promise: Promise<unknown>, fn: string, argument: string, message: RegExp): Promise<void> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error, argument).toBeInstanceOf(InvalidArgumentError);
  expect([(error as InvalidArgumentError).fn, (error as InvalidArgumentError).argument]).toEqual([fn, argument]);
  expect((error as Error).message).toMatch(message);
}

/** Rows of normal(0, 1) features and uniformly random labels from a seeded rng. */
function randomData(rng: Rng, rows: number, features: number, classes: number): { x: number[][]; y: number[] } {
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  return {
    x: Array.from({ length: rows }, () => Array.from({ length: features }, normal)),
    y: Array.from({ length: rows }, () => Math.floor(rng.next() * classes)),
  };
}

/** A small MLP whose initial weights come from `rng`. */
function mlp(rng: Rng, features: number, classes: number): tfl.LayersModel {
  const init = (): ReturnType<typeof tfl.initializers.glorotUniform> => tfl.initializers.glorotUniform({ seed: tensorSeed(rng) % 1e6 });
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 32, inputShape: [features], activation: 'relu', kernelInitializer: init() }),
      tfl.layers.dense({ units: classes, kernelInitializer: init() }),
    ],
  });
  return model;
}

/** Trains `mlp` to memorise its subset (random labels: only memorisation fits them). */
function memorisingTrainer(features: number, classes: number, epochs: number): ShadowTrainer {
  return async (xs, ys, { rng }) => {
    const model = mlp(rng, features, classes);
    const labels = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from(ys as ArrayLike<number>), 'int32'), classes));
    // Full-batch Adam on the softmax cross-entropy of the logits (deterministic given the initial weights).
    const optimizer = tf.train.adam(0.03);
    for (let e = 0; e < epochs; e++) {
      tf.tidy(() => {
        optimizer.minimize(() => tf.losses.softmaxCrossEntropy(labels, model.apply(xs) as tf.Tensor) as tf.Scalar);
      });
    }
    optimizer.dispose();
    labels.dispose();
    return model;
  };
}

describeBackends('liraScores against a direct Gaussian computation', () => {
  const X = [[0.2, -1], [1, 0.3], [-0.5, 0.8], [0.9, 0.9], [-1.3, 0.2], [0.4, -0.6]];
  const Y = [0, 2, 1, 1, 0, 2];
  const K = 6;
  /** Linear logit models with different weights: x W_k. */
  function linearModels(): { models: ((t: tf.Tensor) => tf.Tensor)[]; weights: tf.Tensor[] } {
    const rng = seededRng('lira-weights');
    const weights = Array.from({ length: K + 1 }, () => tf.tensor2d(Array.from({ length: 6 }, () => rng.next() * 4 - 2), [2, 3]));
    return { models: weights.map((w) => (t: tf.Tensor) => tf.matMul(t, w)), weights };
  }
  const mask = (k: number): Uint8Array => Uint8Array.from(X, (_, i) => ((k + i) % 2 === 0 ? 1 : 0));

  async function phis(models: ((t: tf.Tensor) => tf.Tensor)[], x: tf.Tensor): Promise<Float64Array[]> {
    return Promise.all(models.map((m) => membershipScores(m, x, Y, { score: 'logitConfidence' })));
  }

  function fit(values: number[]): { mean: number; sq: number } {
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    return { mean, sq: values.reduce((a, v) => a + (v - mean) ** 2, 0) };
  }
  const logPdf = (v: number, m: number, s: number): number => -0.5 * ((v - m) / s) ** 2 - Math.log(s * Math.sqrt(2 * Math.PI));

  it('online and offline, per-example and fixed variance', async () => {
    const { models, weights } = linearModels();
    const [target, ...shadowModels] = models;
    const x = tf.tensor2d(X);
    const included = Array.from({ length: K }, (_, k) => mask(k));
    const [phiT, ...phiS] = await phis(models, x);
    for (const fixedVariance of [false, true]) {
      const sides = [0, 1].map((side) => {
        const fits = X.map((_, i) => fit(phiS.filter((_, k) => included[k]![i] === side).map((p) => p[i]!)));
        const pooled = Math.sqrt(fits.reduce((a, f) => a + f.sq, 0) / (X.length * K / 2));
        return fits.map((f) => ({ mean: f.mean, std: fixedVariance ? pooled : Math.sqrt(f.sq / (K / 2)) }));
      });
      const [outFit, inFit] = sides as [{ mean: number; std: number }[], { mean: number; std: number }[]];
      const online = await liraScores(target!, x, Y, { shadows: { models: shadowModels, included }, mode: 'online', fixedVariance });
      const offline = await liraScores(target!, x, Y, { shadows: { models: shadowModels, included }, mode: 'offline', fixedVariance, batchSize: 4 });
      X.forEach((_, i) => {
        const v = phiT![i]!;
        const expectedOnline = logPdf(v, inFit[i]!.mean, inFit[i]!.std) - logPdf(v, outFit[i]!.mean, outFit[i]!.std);
        // log Phi(z) = log(erfc(-z / sqrt 2) / 2)
        const expectedOffline = Math.log(erfc(-(v - outFit[i]!.mean) / outFit[i]!.std / Math.SQRT2) / 2);
        expect(Math.abs(online.scores[i]! - expectedOnline)).toBeLessThan(1e-10 * Math.max(1, Math.abs(expectedOnline)));
        expect(Math.abs(offline.scores[i]! - expectedOffline)).toBeLessThan(1e-10 * Math.max(1, Math.abs(expectedOffline)));
      });
      expect(Array.from(online.inCounts)).toEqual(X.map(() => 3));
      expect(Array.from(online.outCounts)).toEqual(X.map(() => 3));
    }
    tf.dispose([x, ...weights]);
  });

  it('requires OUT (online: also IN) observations for every example; one suffices only with fixedVariance', async () => {
    const { models, weights } = linearModels();
    const [target, ...shadowModels] = models;
    const x = tf.tensor2d(X);
    const allIn = Array.from({ length: K }, (_, k) => { const m = mask(k); m[0] = 1; return m; });
    await expectRejects(liraScores(target!, x, Y, { shadows: { models: shadowModels, included: allIn }, mode: 'offline', fixedVariance: true }),
      'liraScores', 'options.shadows', /out at least once \(OUT observations\), got "example 0: left out by 0 of 6 shadow models"/);
    const allOut = Array.from({ length: K }, (_, k) => { const m = mask(k); m[1] = 0; return m; });
    await expectRejects(liraScores(target!, x, Y, { shadows: { models: shadowModels, included: allOut }, mode: 'online', fixedVariance: true }),
      'liraScores', 'options.shadows', /at least once \(IN observations, online mode\), got "example 1: trained on by 0 of 6 shadow models"/);
    const offline = await liraScores(target!, x, Y, { shadows: { models: shadowModels, included: allOut }, mode: 'offline' });
    expect(offline.inCounts[1]).toBe(0);
    // Example 2 OUT of a single shadow: per-example variances need two.
    const oneOut = Array.from({ length: K }, (_, k) => { const m = mask(k); m[2] = k === 0 ? 0 : 1; return m; });
    await expectRejects(liraScores(target!, x, Y, { shadows: { models: shadowModels, included: oneOut }, mode: 'offline' }),
      'liraScores', 'options.shadows', /at least twice.*"example 2: left out by 1 of 6 shadow models".*fixedVariance: true/);
    const fixed = await liraScores(target!, x, Y, { shadows: { models: shadowModels, included: oneOut }, mode: 'online', fixedVariance: true });
    expect(fixed.scores.every(Number.isFinite)).toBe(true);
    tf.dispose([x, ...weights]);
  });

  it('rejects bad shadows, modes and batch sizes; leaves no tensors behind', async () => {
    const { models, weights } = linearModels();
    const [target, ...shadowModels] = models;
    const x = tf.tensor2d(X);
    const included = Array.from({ length: K }, (_, k) => mask(k));
    const shadows = { models: shadowModels, included };
    await expectRejects(liraScores(target!, x, Y, { shadows: { models: shadowModels, included: included.slice(1) } }), 'liraScores', 'options.shadows.included', /one mask per model/);
    await expectRejects(liraScores(target!, x, Y, { shadows: { models: shadowModels, included: [...included.slice(1), [1, 0]] } }), 'liraScores', 'options.shadows.included[5]', /6 flags/);
    await expectRejects(liraScores(target!, x, Y, { shadows: { models: [], included: [] } }), 'liraScores', 'options.shadows', /at least one model/);
    await expectRejects(liraScores(target!, x, Y, { shadows, mode: 'both' as never }), 'liraScores', 'options.mode', /"online", "offline"/);
    await expectRejects(liraScores(target!, x, Y, { shadows, batchSize: 0 }), 'liraScores', 'options.batchSize', />= 1/);
    await expectRejects(liraScores(target!, x, Y.slice(2), { shadows }), 'liraScores', 'y', /6 labels/);
    await expectNoLeaks(() => liraScores(target!, x, Y, { shadows, batchSize: 4 }));
    tf.dispose([x, ...weights]);
  });
});

describeBackends('trainShadowModels and attacks on a memorising model', () => {
  const FEATURES = 8;
  const CLASSES = 4;

  it('subsets follow the masks; a seeded rng reproduces masks and models', async () => {
    const data = randomData(seededRng('pool'), 20, FEATURES, CLASSES);
    const x = tf.tensor2d(data.x);
    const y = Int32Array.from(data.y);
    const seen: { rows: number; labels: number[]; firstRow: number[] }[] = [];
    const trainer: ShadowTrainer = async (xs, ys, context) => {
      expect(ys).toBeInstanceOf(Int32Array);
      seen.push({ rows: xs.shape[0]!, labels: Array.from(ys as Int32Array), firstRow: Array.from(await tf.slice(xs, 0, 1).data()) });
      return memorisingTrainer(FEATURES, CLASSES, 3)(xs, ys, context);
    };
    const a = await trainShadowModels(trainer, x, y, { count: 3, rng: seededRng('shadows') });
    const b = await trainShadowModels(memorisingTrainer(FEATURES, CLASSES, 3), x, y, { count: 3, rng: seededRng('shadows') });
    const c = await trainShadowModels(memorisingTrainer(FEATURES, CLASSES, 3), x, y, { count: 3, rng: seededRng('other'), inclusionProbability: 0.25 });
    expect(a.included).toEqual(b.included);
    expect(a.included).not.toEqual(c.included);
    a.included.forEach((mask, k) => {
      const rows = Array.from(mask.keys()).filter((i) => mask[i] === 1);
      expect(seen[k]!.rows).toBe(rows.length);
      expect(seen[k]!.labels).toEqual(rows.map((i) => data.y[i]));
      seen[k]!.firstRow.forEach((v, j) => expect(v).toBeCloseTo(data.x[rows[0]!]![j]!, 6));
    });
    for (let k = 0; k < 3; k++) {
      const [wa, wb] = [a, b].map((s) => (s.models[k] as tfl.LayersModel).getWeights());
      for (let j = 0; j < wa!.length; j++) expect(await wa![j]!.data()).toEqual(await wb![j]!.data());
    }
    [...a.models, ...b.models, ...c.models].forEach((m) => (m as tfl.LayersModel).dispose());
    x.dispose();
  });

  it('balanced subsets put every row in exactly round(p k) shadows; independent ones draw each row per shadow', async () => {
    const x = tf.zeros([500, 2]);
    const y = new Int32Array(500);
    const trainer: ShadowTrainer = async () => (t: tf.Tensor) => tf.zeros([t.shape[0]!, 2]);
    const inCounts = (masks: Uint8Array[]) => Array.from({ length: 500 }, (_, i) => masks.reduce((a, m) => a + m[i]!, 0));
    const balanced = await trainShadowModels(trainer, x, y, { count: 8, rng: seededRng('b') });
    expect(new Set(inCounts(balanced.included))).toEqual(new Set([4]));
    const quarter = await trainShadowModels(trainer, x, y, { count: 8, inclusionProbability: 0.25, rng: seededRng('q') });
    expect(new Set(inCounts(quarter.included))).toEqual(new Set([2]));
    const tiny = await trainShadowModels(trainer, x, y, { count: 4, inclusionProbability: 0.01, rng: seededRng('t') });
    expect(new Set(inCounts(tiny.included))).toEqual(new Set([1]));
    // Each shadow holds about half the rows, and a row's shadows differ from row to row.
    balanced.included.forEach((m) => expect(Math.abs(m.reduce((a, b) => a + b, 0) - 250)).toBeLessThan(60));
    expect(new Set(Array.from({ length: 500 }, (_, i) => balanced.included.map((m) => m[i]).join(''))).size).toBeGreaterThan(40);
    const independent = await trainShadowModels(trainer, x, y, { count: 8, design: 'independent', rng: seededRng('i') });
    const counts = inCounts(independent.included);
    // Binomial(8, 1/2): P(0 or 8) = 1/128, so about 4 of 500 rows sit on one side only.
    expect(counts.filter((c) => c === 0 || c === 8).length).toBeLessThan(20);
    expect(new Set(counts).size).toBeGreaterThan(5);
    await expect(trainShadowModels(trainer, x, y, { count: 2, design: 'random' as never })).rejects.toThrow(/options\.design/);
    x.dispose();
  });

  it('rejects bad options and trainers; disposes models trained before a failure; no leaks', async () => {
    const x = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
    const fnModel = (t: tf.Tensor): tf.Tensor => tf.mul(t, 1);
    const ok: ShadowTrainer = async () => fnModel;
    await expectRejects(trainShadowModels(ok, x, [0, 1, 0], { count: 0 }), 'trainShadowModels', 'options.count', />= 1/);
    await expectRejects(trainShadowModels(ok, x, [0, 1, 0], { count: 2, inclusionProbability: 1 }), 'trainShadowModels', 'options.inclusionProbability', /\(0, 1\)/);
    await expectRejects(trainShadowModels(ok, x, [0, 1], { count: 2 }), 'trainShadowModels', 'y', /3 labels/);
    await expectRejects(trainShadowModels('train' as never, x, [0, 1, 0], { count: 2 }), 'trainShadowModels', 'trainer', /function/);
    await expectRejects(trainShadowModels(async () => 42 as never, x, [0, 1, 0], { count: 2 }), 'trainShadowModels', 'trainer', /resolving to a model/);
    const before = tf.memory().numTensors;
    let calls = 0;
    const failing: ShadowTrainer = async (xs, ys, { rng }) => {
      if (++calls === 2) throw new Error('out of memory');
      return mlp(rng, 2, 2);
    };
    await expect(trainShadowModels(failing, x, tf.tensor1d([0, 1, 0]), { count: 3, rng: seededRng(1) })).rejects.toThrow('out of memory');
    expect(tf.memory().numTensors).toBe(before + 1); // only the label tensor made above
    await expectNoLeaks(async () => {
      const yT = tf.tensor1d([0, 1, 1], 'int32');
      await trainShadowModels(ok, x, yT, { count: 4, rng: seededRng(2) });
      yT.dispose();
    });
    tf.dispose(x);
  });

  it('an overfit model gives AUC > 0.5 to loss scores, and LiRA separates members too', async () => {
    const rng = seededRng('memorise');
    const pool = randomData(rng, 64, FEATURES, CLASSES);
    const x = tf.tensor2d(pool.x);
    const y = Int32Array.from(pool.y);
    const isMember = Uint8Array.from(pool.y, (_, i) => (i < 32 ? 1 : 0));
    const target = await memorisingTrainer(FEATURES, CLASSES, 60)(tf.slice(x, 0, 32), y.slice(0, 32), { index: -1, rng });
    const loss = evaluateMembershipAttack(await membershipScores(target, x, y, { score: 'loss' }), isMember);
    expect(loss.auc).toBeGreaterThan(0.8);
    const shadows = await trainShadowModels(memorisingTrainer(FEATURES, CLASSES, 60), x, y, { count: 12, rng: seededRng('lira') });
    for (const mode of ['online', 'offline'] as const) {
      const lira = await liraScores(target, x, y, { shadows, mode, fixedVariance: true });
      expect(evaluateMembershipAttack(lira.scores, isMember).auc, mode).toBeGreaterThan(0.8);
    }
    shadows.models.forEach((m) => (m as tfl.LayersModel).dispose());
    target instanceof tfl.LayersModel && target.dispose();
    x.dispose();
  });
});

/**
 * The audit module on webgl and webgpu (SwiftShader in headless Chromium): the tensor-touching
 * functions, against float64 formulas computed here from the same weights.
 *
 * - membershipScores ('loss', 'confidence', 'logitConfidence') of a Dense layer with hand-set
 *   weights (logits and softmax LayersModels, a function model) against the float64 log-softmax,
 *   within `backendTolerance` relative to max(1, |value|) (webgl may run at reduced precision).
 * - gradientNormScores against `tf.grads` of each example alone on the same backend, and against the
 *   float64 closed form `(||x||^2 + 1) ||p - y||^2` of a Dense layer's softmax cross-entropy.
 * - liraScores (online and offline, fixedVariance) on four function "shadows" with a hand-made
 *   inclusion mask: against the Gaussians fitted here to the backend's own scaled logits (pure
 *   float64 arithmetic, so 1e-9), and against the whole pipeline in float64 within the phi tolerance
 *   propagated through the score's derivative.
 * - auditPrivatizer on the privacy module's clipAndNoise (100 canaries, 50 steps, sample rate 0.2,
 *   canary norm 10, 20 + 20 guesses): without noise every guess is right and the bound is
 *   `maxCertifiableEpsilon` (each canary's score counts its clipped contributions); with noise
 *   calibrated to epsilon 2 the bound stays below the RDP accountant's epsilon, while the same audit
 *   of an aggregation that does not clip exceeds it.
 * - outOfDistributionCanaries and insertCanaries on GPU tensors: shapes, labels and rows.
 * - No leaks (membershipScores, gradientNormScores, liraScores, auditPrivatizer).
 *
 * Measured agreement with float64: at most 4e-7 relative on both backends (float32 on SwiftShader),
 * far inside `backendTolerance` (1e-3 webgl, 1e-5 webgpu), which the tests use as the project's
 * stated GPU precision. Measured run time (tests only): webgl 16-19 s, webgpu 10-11 s.
 *
 * Labels given as tensors are computed on the GPU (`gpuLabels`): a synchronous read of such a tensor
 * returns zeros on webgpu, so these tests would catch a `dataSync` on the labels path.
 */
import erfc from '@stdlib/math-base-special-erfc';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import {
  auditPrivatizer, gradientNormScores, insertCanaries, liraScores, membershipScores, oneRunEpsilonLowerBound, outOfDistributionCanaries,
  type GradientPrivatizer,
} from '../../src/audit/index.js';
import { seededRng } from '../../src/core/rng.js';
import { clipAndNoise, gaussianEvent, getNoiseMultiplier, poissonSampledEvent, RdpAccountant, selfComposedEvent } from '../../src/privacy/index.js';
import { backendTolerance, describeBackends, shapeUniformsOnWebgl } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';

const KERNEL = [0.5, -1.2, 0.3, 0.8, 0.1, -0.4, -0.7, 0.9, 1.1, 0.2, -0.3, 0.6]; // [4, 3]
const BIAS = [0.1, -0.2, 0.05];
const X = [
  [0.2, -1, 0.5, 1.5], [1, 0.3, -0.7, 0.2], [-0.5, 0.8, 1.2, -1], [0.9, 0.9, 0.1, 0.4], [-1.3, 0.2, 0.6, 0.7], [0.4, -0.6, -1.1, 0.3],
];
const Y = [0, 2, 1, 1, 0, 2];
const N = X.length;

/** Logits `x W + b` of every row of X in float64. */
function logits64(kernel: readonly number[], bias: readonly number[]): number[][] {
  return X.map((row) => [0, 1, 2].map((j) => bias[j]! + row.reduce((s, v, i) => s + v * kernel[i * 3 + j]!, 0)));
}

function logSumExp(values: readonly number[]): number {
  const m = Math.max(...values);
  return m + Math.log(values.reduce((s, v) => s + Math.exp(v - m), 0));
}

/** LiRA's phi = log(p_y / (1 - p_y)) = z_y - logsumexp of the other logits, in float64. */
const phi64 = (z: readonly number[], y: number): number => z[y]! - logSumExp(z.filter((_, k) => k !== y));

function expectClose(actual: ArrayLike<number>, expected: readonly number[], tolerance: number, what: string): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => {
    expect(Math.abs((actual[i] as number) - e), `${what} ${i}: ${actual[i]} vs ${e}`).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(e)));
  });
}

/** Class indices as an int32 tensor computed on the GPU (see the file comment). */
function gpuLabels(y: readonly number[]): tf.Tensor1D {
  return tf.tidy(() => tf.cast(tf.add(tf.tensor1d(y.slice(), 'float32'), tf.zeros([y.length])), 'int32') as tf.Tensor1D);
}

/** A Dense 4 -> 3 LayersModel with KERNEL and BIAS. */
function denseModel(activation: 'linear' | 'softmax'): tfl.LayersModel {
  const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 3, inputShape: [4], activation })] });
  const weights = [tf.tensor2d(KERNEL, [4, 3]), tf.tensor1d(BIAS)];
  model.setWeights(weights);
  tf.dispose(weights);
  return model;
}

describeBackends('audit in the browser', (backend) => {
  const tol = backendTolerance(backend);

  it('membershipScores: loss, confidence and logitConfidence match float64 formulas (LayersModel and function model)', async () => {
    expect(tf.getBackend()).toBe(backend);
    const z = logits64(KERNEL, BIAS);
    const logPy = z.map((row, i) => row[Y[i]!]! - logSumExp(row));
    const expected = { loss: logPy, confidence: logPy.map(Math.exp), logitConfidence: z.map((row, i) => phi64(row, Y[i]!)) };
    const logitsModel = denseModel('linear');
    const probsModel = denseModel('softmax'); // declares probabilities: scored through the log of its outputs
    const w = tf.tensor2d(KERNEL, [4, 3]);
    const b = tf.tensor1d(BIAS);
    const fnModel = (t: tf.Tensor): tf.Tensor => tf.add(tf.matMul(t, w), b);
    const x = tf.tensor2d(X);
    const yGpu = gpuLabels(Y);
    for (const score of ['loss', 'confidence', 'logitConfidence'] as const) {
      expectClose(await membershipScores(logitsModel, x, Y, { score }), expected[score], tol, `logits LayersModel ${score}`);
      expectClose(await membershipScores(probsModel, x, Y, { score }), expected[score], tol, `softmax LayersModel ${score}`);
      expectClose(await membershipScores(fnModel, x, yGpu, { score, batchSize: 4 }), expected[score], tol, `function model ${score}`);
    }
    tf.dispose([w, b, x, yGpu]);
    logitsModel.dispose();
    probsModel.dispose();
  });

  it('gradientNormScores: minus the norm of tf.grads on each example alone, and the float64 closed form', async () => {
    const model = denseModel('linear');
    const x = tf.tensor2d(X);
    const yGpu = gpuLabels(Y);
    const scores = await gradientNormScores(model, x, yGpu, { batchSize: 4 });
    const [kernel, bias] = model.getWeights() as [tf.Tensor2D, tf.Tensor1D];
    const reference: number[] = [];
    for (let i = 0; i < N; i++) {
      const norm = tf.tidy(() => {
        const xi = tf.tensor2d([X[i]!]);
        const yi = tf.oneHot(tf.tensor1d([Y[i]!], 'int32'), 3);
        const loss = (kw: tf.Tensor, bw: tf.Tensor): tf.Scalar =>
          tf.losses.softmaxCrossEntropy(yi, tf.add(tf.matMul(xi, kw as tf.Tensor2D), bw), undefined, undefined, tf.Reduction.SUM) as tf.Scalar;
        const [gw, gb] = tf.grads(loss)([kernel, bias]);
        return tf.sqrt(tf.add(tf.sum(tf.square(gw!)), tf.sum(tf.square(gb!))));
      });
      reference.push(-(await norm.data())[0]!);
      norm.dispose();
    }
    expectClose(scores, reference, tol, 'against tf.grads');
    const closedForm = logits64(KERNEL, BIAS).map((z, i) => {
      const p = z.map((v) => Math.exp(v - logSumExp(z)));
      const r2 = p.reduce((s, v, k) => s + (v - (k === Y[i] ? 1 : 0)) ** 2, 0);
      return -Math.sqrt((X[i]!.reduce((s, v) => s + v * v, 0) + 1) * r2);
    });
    expectClose(scores, closedForm, tol, 'against the closed form');
    // A function model reading tf.Variables gives the same scores.
    const wv = tf.variable(tf.tensor2d(KERNEL, [4, 3]));
    const bv = tf.variable(tf.tensor1d(BIAS));
    const fnModel = (t: tf.Tensor): tf.Tensor => tf.add(tf.matMul(t, wv), bv);
    expectClose(await gradientNormScores(fnModel, x, Y, { variables: [wv, bv] }), closedForm, tol, 'function model');
    tf.dispose([x, yGpu, wv, bv]);
    model.dispose();
  });

  describe('liraScores', () => {
    // Target and 4 shadows: linear logit models x W_k + b_k with fixed weights drawn once from a seeded rng.
    const rng = seededRng('audit-browser-lira');
    const weights = Array.from({ length: 5 }, () => ({
      kernel: Array.from({ length: 12 }, () => rng.next() * 3 - 1.5),
      bias: Array.from({ length: 3 }, () => rng.next() - 0.5),
    }));
    // Shadow k trained on row i where included[k][i] = 1: every row has >= 1 IN and >= 1 OUT shadow,
    // unevenly (row 4: 1 IN, 3 OUT; row 5: 3 IN, 1 OUT), in the three accepted mask forms.
    const included: ArrayLike<number | boolean>[] = [
      [1, 0, 1, 0, 1, 1],
      Uint8Array.from([0, 1, 0, 1, 0, 1]),
      [true, true, false, false, false, true],
      [0, 0, 1, 1, 0, 0],
    ];
    const isIn = (k: number, i: number): boolean => included[k]![i] === 1 || included[k]![i] === true;

    /** Maximum-likelihood Gaussians per side with one pooled deviation (LiRA's fixed variance). */
    function fitPooled(phis: readonly (ArrayLike<number>)[], side: boolean): { mean: number[]; std: number } {
      const mean: number[] = [];
      let squares = 0;
      let count = 0;
      for (let i = 0; i < N; i++) {
        const v = phis.map((p) => p[i]!).filter((_, k) => isIn(k, i) === side);
        const m = v.reduce((a, c) => a + c, 0) / v.length;
        mean.push(m);
        squares += v.reduce((a, c) => a + (c - m) ** 2, 0);
        count += v.length;
      }
      return { mean, std: Math.sqrt(squares / count) };
    }
    const logPdf = (v: number, m: number, s: number): number => -0.5 * ((v - m) / s) ** 2 - Math.log(s * Math.sqrt(2 * Math.PI));
    const logCdf = (v: number, m: number, s: number): number => Math.log(0.5 * erfc(-(v - m) / (s * Math.SQRT2)));

    /** Online and offline LiRA scores (fixed variance) of the target's phi against the shadows' phi. */
    function direct(target: ArrayLike<number>, shadows: readonly (ArrayLike<number>)[]): { online: number[]; offline: number[] } {
      const inside = fitPooled(shadows, true);
      const out = fitPooled(shadows, false);
      return {
        online: Array.from({ length: N }, (_, i) => logPdf(target[i]!, inside.mean[i]!, inside.std) - logPdf(target[i]!, out.mean[i]!, out.std)),
        offline: Array.from({ length: N }, (_, i) => logCdf(target[i]!, out.mean[i]!, out.std)),
      };
    }

    it('online and offline with fixedVariance match a direct Gaussian computation', async () => {
      const tensors = weights.map((w) => [tf.tensor2d(w.kernel, [4, 3]), tf.tensor1d(w.bias)] as const);
      const models = tensors.map(([w, b]) => (t: tf.Tensor): tf.Tensor => tf.add(tf.matMul(t, w), b));
      const x = tf.tensor2d(X);
      const yGpu = gpuLabels(Y);
      const shadows = { models: models.slice(1), included };
      const online = await liraScores(models[0]!, x, yGpu, { shadows, mode: 'online', fixedVariance: true });
      const offline = await liraScores(models[0]!, x, Y, { shadows, mode: 'offline', fixedVariance: true, batchSize: 4 });
      expect(Array.from(online.inCounts)).toEqual([2, 2, 2, 2, 1, 3]);
      expect(Array.from(online.outCounts)).toEqual([2, 2, 2, 2, 3, 1]);
      expect(Array.from(offline.inCounts)).toEqual(Array.from(online.inCounts));

      // 1. The Gaussian step alone: from this backend's own scaled logits, only float64 arithmetic differs.
      const phisHere = await Promise.all(models.map((m) => membershipScores(m, x, Y, { score: 'logitConfidence' })));
      const fromHere = direct(phisHere[0]!, phisHere.slice(1));
      expectClose(online.scores, fromHere.online, 1e-9, 'online from backend phi');
      expectClose(offline.scores, fromHere.offline, 1e-9, 'offline from backend phi');

      // 2. The whole pipeline against float64: each phi within tol * max(1, |phi|) of its float64
      // value, and the scores within that error propagated to first order (central differences of
      // the direct computation, summed in absolute value over all 25 phis), doubled for curvature.
      const phis64 = weights.map((w) => logits64(w.kernel, w.bias).map((z, i) => phi64(z, Y[i]!)));
      phisHere.forEach((p, k) => expectClose(p, phis64[k]!, tol, `phi of model ${k}`));
      const exact = direct(phis64[0]!, phis64.slice(1));
      const slack = { online: new Array<number>(N).fill(0), offline: new Array<number>(N).fill(0) };
      for (let k = 0; k < phis64.length; k++) {
        for (let j = 0; j < N; j++) {
          const h = 1e-6;
          const bumped = (sign: number): { online: number[]; offline: number[] } => {
            const p = phis64.map((row) => row.slice());
            p[k]![j]! += sign * h;
            return direct(p[0]!, p.slice(1));
          };
          const [up, down] = [bumped(1), bumped(-1)];
          const err = tol * Math.max(1, Math.abs(phis64[k]![j]!));
          for (let i = 0; i < N; i++) {
            slack.online[i]! += (Math.abs(up.online[i]! - down.online[i]!) / (2 * h)) * err;
            slack.offline[i]! += (Math.abs(up.offline[i]! - down.offline[i]!) / (2 * h)) * err;
          }
        }
      }
      for (let i = 0; i < N; i++) {
        expect(Math.abs(online.scores[i]! - exact.online[i]!), `online ${i}: ${online.scores[i]} vs ${exact.online[i]}`).toBeLessThanOrEqual(2 * slack.online[i]! + 1e-9);
        expect(Math.abs(offline.scores[i]! - exact.offline[i]!), `offline ${i}: ${offline.scores[i]} vs ${exact.offline[i]}`).toBeLessThanOrEqual(2 * slack.offline[i]! + 1e-9);
      }
      await expectNoLeaks(() => liraScores(models[0]!, x, yGpu, { shadows, fixedVariance: true, batchSize: 4 }));
      tf.dispose([x, yGpu, ...tensors.flat()]);
    });
  });

  describe('auditPrivatizer on clipAndNoise', () => {
    const CANARIES = 100;
    const STEPS = 50;
    const Q = 0.2;
    const DELTA = 1e-5;
    // 20 + 20 guesses: all right certify 2.55, above the accountant's 2 (the default 10 + 10 would cap
    // the bound at 1.82 and the epsilon-2 comparison would hold whatever the privatizer does).
    const GUESSES = 20;
    const BATCH = 10; // expected batch size: about 50 included canaries sampled at 0.2
    const ROWS = 40; // batches are padded to this many rows (the largest of these runs: 20, with the zero row)
    const base = { canaries: CANARIES, steps: STEPS, sampleRate: Q, canaryNorm: 10, delta: DELTA, positiveGuesses: GUESSES, negativeGuesses: GUESSES };
    const sigma = getNoiseMultiplier({ targetEpsilon: 2, delta: DELTA, sampleRate: Q, steps: STEPS });
    const epsilon = new RdpAccountant().compose(selfComposedEvent(poissonSampledEvent(Q, gaussianEvent(sigma)), STEPS)).getEpsilon(DELTA);
    const privatizer = (noiseMultiplier: number, seed: string): GradientPrivatizer => {
      const rng = seededRng(seed);
      return async (g) => {
        // Zero rows up to a fixed batch: they add nothing, and every step then runs clipAndNoise on one
        // shape (webgl compiles a program per op and input shape; see below).
        const padded = tf.pad(g, [[0, Math.max(0, ROWS - g.shape[0]!)], [0, 0]]);
        try {
          return (await clipAndNoise([padded], { maxGradNorm: 1, noiseMultiplier, expectedBatchSize: BATCH, rng })).gradients;
        } finally {
          padded.dispose();
        }
      };
    };

    // Every step's batch has its own size, and webgl compiles a program per op and input shape: on
    // SwiftShader the noiseless run took 16 s unpadded with the default flags (webgpu: 2 s), 7.8 s with
    // shapes passed as uniforms (tfjs's WEBGL_USE_SHAPES_UNIFORMS), 3.3 s padded as well. The flag is
    // restored afterwards.
    shapeUniformsOnWebgl(backend);

    it('without noise every guess is right and the bound is the most the audit can certify', async () => {
      const r = await auditPrivatizer(privatizer(0, 'exact'), { ...base, rng: seededRng('exact-audit') });
      expect([r.guesses, r.correct]).toEqual([2 * GUESSES, 2 * GUESSES]);
      expect(r.epsilonLowerBound).toBe(r.maxCertifiableEpsilon);
      expect(r.epsilonLowerBound).toBeCloseTo(oneRunEpsilonLowerBound({ canaries: CANARIES, guesses: 2 * GUESSES, correct: 2 * GUESSES, delta: DELTA }), 12);
      // Each sampled canary adds its clipped gradient (norm 10 -> 1) over the expected batch: score * BATCH
      // counts the steps it was sampled in, up to float32 rounding (measured 6e-5 on both backends).
      r.scores.forEach((s, i) => {
        if (r.included[i] === 0) expect(s, `excluded canary ${i}`).toBe(0);
        else {
          expect(Math.round(s * BATCH), `included canary ${i}`).toBeGreaterThanOrEqual(1);
          expect(Math.abs(s * BATCH - Math.round(s * BATCH)), `included canary ${i}: ${s}`).toBeLessThan(1e-3);
        }
      });
    });

    it('noise calibrated to epsilon 2: the lower bound stays below the accountant\'s epsilon', async () => {
      expect(epsilon).toBeLessThanOrEqual(2 + 1e-9);
      const r = await auditPrivatizer(privatizer(sigma, 'noisy'), { ...base, epsilon, rng: seededRng('noisy-audit') });
      expect(r.maxCertifiableEpsilon, 'the audit could certify more than the accountant reports').toBeGreaterThan(epsilon);
      // Measured 0.46 (30 of 40 right) on both backends.
      expect(r.exceedsReported, `lower bound ${r.epsilonLowerBound} (${r.correct}/${r.guesses}), accountant ${epsilon}`).toBe(false);
      expect(r.epsilonLowerBound).toBeLessThan(epsilon);
      expect(r.epsilonLowerBound).toBeGreaterThanOrEqual(0);
      expect(r.reportedEpsilon).toBe(epsilon);
    });

    it('the same audit catches an aggregation that forgets to clip', async () => {
      const rng = seededRng('no-clip');
      const noClip: GradientPrivatizer = (g) =>
        tf.tidy(() => tf.div(tf.add(tf.sum(g, 0), tf.mul(tf.randomNormal([g.shape[1]!], 0, 1, 'float32', rng.nextUint32()), sigma)), BATCH));
      // Canaries of norm 100 (a clip would bring them to 1): measured 40/40 right, bound 2.55 on both
      // backends (norm 10 gave 39/40 and 2.06, too close to the accountant's 2.00 to be a sturdy test).
      const r = await auditPrivatizer(noClip, { ...base, canaryNorm: 100, epsilon, rng: seededRng('no-clip-audit') });
      expect(r.exceedsReported, `lower bound ${r.epsilonLowerBound} (${r.correct}/${r.guesses}), accountant ${epsilon}`).toBe(true);
    });

    it('leaves no tensors behind', async () => {
      // Unpadded clipAndNoise (the webgl flag above keeps it quick), and the padded privatizer.
      const rng = seededRng('leak-noise');
      await expectNoLeaks(() => auditPrivatizer(
        async (g) => (await clipAndNoise([g], { maxGradNorm: 1, noiseMultiplier: 1, rng })).gradients,
        { canaries: 20, dimension: 100, steps: 5, sampleRate: 0.5, canaryNorm: 10, rng: seededRng('leak') },
      ));
      await expectNoLeaks(() => auditPrivatizer(privatizer(1, 'leak-padded'), { ...base, steps: 5, rng: seededRng('leak') }));
    });
  });

  it('outOfDistributionCanaries and insertCanaries on GPU tensors: shapes, labels and rows', async () => {
    const canaries = outOfDistributionCanaries({ count: 16, shape: [4], numClasses: 3, low: 5, high: 6, rng: seededRng('ood') });
    expect(canaries.x.shape).toEqual([16, 4]);
    expect(canaries.y).toBeInstanceOf(Int32Array);
    expect(canaries.y.every((v) => v >= 0 && v < 3)).toBe(true);
    const canaryRows = (await canaries.x.array()) as number[][];
    expect(canaryRows.flat().every((v) => v >= 5 && v < 6)).toBe(true);
    const x = tf.tensor2d(X);
    const yGpu = gpuLabels(Y);
    for (const keepOrder of [false, true]) {
      const t = await insertCanaries(x, yGpu, canaries, { rng: seededRng(`insert-${keepOrder}`), keepOrder });
      const inCount = t.included.reduce((a, c) => a + c, 0);
      expect(t.x.shape).toEqual([N + inCount, 4]);
      expect(t.y.length).toBe(N + inCount);
      const rows = (await t.x.array()) as number[][];
      t.x.dispose();
      const seen = new Set<number>();
      t.canaryRows.forEach((row, c) => {
        if (t.included[c] === 0) {
          expect(row, `left-out canary ${c}`).toBe(-1);
          return;
        }
        expect(rows[row], `canary ${c}`).toEqual(canaryRows[c]);
        expect(t.y[row], `label of canary ${c}`).toBe(canaries.y[c]);
        seen.add(row);
      });
      // Every other row is a data row with its own label (rows of X are distinct and below 5).
      const dataRows = rows.map((r, j) => [r, j] as const).filter(([, j]) => !seen.has(j));
      expect(dataRows.length).toBe(N);
      const sources = dataRows.map(([r, j]) => {
        const src = X.findIndex((xr) => xr.every((v, f) => Math.abs(v - r[f]!) < 1e-6));
        expect(src, `row ${j} is a row of x`).toBeGreaterThanOrEqual(0);
        expect(t.y[j], `label of row ${j}`).toBe(Y[src]);
        return src;
      });
      expect(new Set(sources).size).toBe(N);
      if (keepOrder) expect(sources).toEqual(X.map((_, i) => i));
    }
    // Examples of rank 3 keep their shape.
    const images = outOfDistributionCanaries({ count: 5, shape: [2, 2, 1], numClasses: 2, rng: seededRng('img') });
    const xImages = tf.zeros([3, 2, 2, 1]);
    const t = await insertCanaries(xImages, [0, 1, 0], images, { rng: seededRng('img-insert') });
    expect(images.x.shape).toEqual([5, 2, 2, 1]);
    expect(t.x.shape).toEqual([3 + t.included.reduce((a, c) => a + c, 0), 2, 2, 1]);
    tf.dispose([canaries.x, images.x, x, yGpu, xImages, t.x]);
  });

  it('membershipScores and gradientNormScores leave no tensors behind', async () => {
    const model = denseModel('linear');
    const x = tf.tensor2d(X);
    const yGpu = gpuLabels(Y);
    await expectNoLeaks(() => membershipScores(model, x, yGpu, { score: 'logitConfidence', batchSize: 4 }));
    await expectNoLeaks(() => membershipScores((t) => model.apply(t) as tf.Tensor, x, Y, { score: 'loss' }));
    await expectNoLeaks(() => gradientNormScores(model, x, yGpu, { batchSize: 4 }));
    tf.dispose([x, yGpu]);
    model.dispose();
  });
});

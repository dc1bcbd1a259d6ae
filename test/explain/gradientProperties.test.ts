/**
 * Properties of the gradient methods that hold for any model: the integration rules (Captum's
 * definitions), convergence of integrated gradients on a smooth model, exact results on linear
 * models given as plain functions, single-unit (binary) models, and the noise tunnel's
 * bookkeeping (copies, forwarded options, smoothing) with noise switched off or known.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { seededRng } from '../../src/core/index.js';
import {
  gradientShap, integratedGradients, inputXGradient, noiseTunnel, saliency,
  type AttributionMethod, type IntegrationMethod,
} from '../../src/explain/index.js';
import { gaussLegendre, linspaceFloat32, pathRule } from '../../src/explain/gradient/quadrature.js';
import { describeBackends } from '../helpers/backends.js';
import { adultModel } from './fixtures.js';

const ALL_METHODS: readonly IntegrationMethod[] = ['riemannLeft', 'riemannRight', 'riemannMiddle', 'riemannTrapezoid', 'gaussLegendre'];

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

describe('integration rules (Captum: approximation_methods.py)', () => {
  it('Gauss-Legendre: known nodes, and exact for polynomials up to degree 2n - 1', () => {
    const three = gaussLegendre(3);
    expect(Array.from(three.nodes)).toEqual([-Math.sqrt(3 / 5), 0, Math.sqrt(3 / 5)].map((v) => expect.closeTo(v, 15)));
    expect(Array.from(three.weights)).toEqual([5 / 9, 8 / 9, 5 / 9].map((v) => expect.closeTo(v, 15)));
    for (const n of [1, 2, 7, 20, 50, 128]) {
      const { nodes, weights } = gaussLegendre(n);
      for (let degree = 0; degree <= 2 * n - 1; degree += Math.max(1, Math.floor(n / 4))) {
        let integral = 0;
        nodes.forEach((x, i) => { integral += weights[i]! * x ** degree; });
        const exact = degree % 2 === 1 ? 0 : 2 / (degree + 1);
        expect(Math.abs(integral - exact), `n=${n} degree=${degree}`).toBeLessThan(1e-13);
      }
      // Ascending nodes strictly inside (-1, 1).
      for (let i = 1; i < n; i++) expect(nodes[i]!).toBeGreaterThan(nodes[i - 1]!);
      expect(nodes[0]!).toBeGreaterThan(-1);
    }
  });

  it("Riemann rules: float32 linspace points, weights 1/n, Captum's trapezoid weights adding up to 1 - 1/n", () => {
    const n = 10;
    const f = Math.fround;
    expect(Array.from(pathRule('riemannLeft', n).alphas)).toEqual(Array.from(linspaceFloat32(0, 1 - 1 / n, n)));
    expect(pathRule('riemannLeft', n).alphas[0]).toBe(0);
    expect(pathRule('riemannLeft', n).alphas[n - 1]).toBe(f(0.9));
    expect(pathRule('riemannRight', n).alphas[0]).toBe(f(0.1));
    expect(pathRule('riemannRight', n).alphas[n - 1]).toBe(1);
    expect(pathRule('riemannMiddle', n).alphas[0]).toBe(f(0.05));
    expect(pathRule('riemannMiddle', n).alphas[n - 1]).toBe(f(0.95));
    const trapezoid = pathRule('riemannTrapezoid', n);
    expect(trapezoid.alphas[0]).toBe(0);
    expect(trapezoid.alphas[n - 1]).toBe(1);
    expect(trapezoid.weights[0]).toBe(f(0.05));
    expect(trapezoid.weights[1]).toBe(f(0.1));
    expect(trapezoid.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1 - 1 / n, 6);
    for (const m of ['riemannLeft', 'riemannRight', 'riemannMiddle', 'gaussLegendre'] as const) {
      expect(pathRule(m, 33).weights.reduce((a, b) => a + b, 0), m).toBeCloseTo(1, 6);
    }
    // torch.linspace's symmetric formula: exact ends, float32 points.
    const points = linspaceFloat32(1 / 7, 1 - 1 / 7, 7);
    expect(points[0]).toBe(f(1 / 7));
    expect(points[6]).toBe(f(1 - 1 / 7));
    for (const v of points) expect(v).toBe(f(v));
  });
});

describeBackends('gradient method properties', () => {
  /** A smooth two-layer tanh network given as a plain function (not a LayersModel). */
  function smoothNet(): { model: (x: tf.Tensor) => tf.Tensor; weights: tf.Tensor[] } {
    const w1 = tf.randomNormal([6, 12], 0, 0.8, 'float32', 1);
    const w2 = tf.randomNormal([12, 3], 0, 0.8, 'float32', 2);
    return { model: (x) => tf.matMul(tf.tanh(tf.matMul(x as tf.Tensor2D, w1)), w2), weights: [w1, w2] };
  }

  it('integrated gradients: the convergence delta shrinks as the steps grow, for every rule (a smooth function model)', async () => {
    const { model, weights } = smoothNet();
    const x = tf.randomUniform([16, 6], -1, 1, 'float32', 3);
    const baselines = tf.randomUniform([16, 6], -1, 1, 'float32', 4);
    for (const method of ALL_METHODS) {
      const gaps: number[] = [];
      for (const steps of [2, 4, 8, 16, 32]) {
        const { attributions, convergenceDelta } = await integratedGradients(model, x, { baselines, steps, method, returnConvergenceDelta: true, target: new Int32Array(16).fill(1) });
        gaps.push(tf.tidy(() => tf.mean(tf.abs(convergenceDelta!)).dataSync()[0]!));
        tf.dispose([attributions, convergenceDelta!]);
      }
      // Each doubling shrinks the gap (down to float32 round-off, ~1e-6 here).
      for (let i = 1; i < gaps.length; i++) expect(gaps[i]!, `${method}: ${gaps.join(', ')}`).toBeLessThanOrEqual(Math.max(0.8 * gaps[i - 1]!, 2e-6));
      expect(gaps[gaps.length - 1]!, method).toBeLessThan(gaps[0]! / 4);
    }
    tf.dispose([x, baselines, ...weights]);
  });

  it("linear function model: IG is (x - b)·w exactly, Captum's trapezoid (1 - 1/n) of it, and saliency / input × gradient follow", async () => {
    const w = tf.tensor2d([[1, -2], [0.5, 3], [-1, 0.25], [2, 1]]);
    const model = (x: tf.Tensor): tf.Tensor => tf.matMul(x as tf.Tensor2D, w);
    const x = tf.tensor2d([[1, 2, 3, 4], [-1, 0.5, 0, 2]]);
    const b = tf.tensor1d([0.5, 0.5, -0.5, 1]);
    const target = [0, 1];
    const expected = tf.tidy(() => tf.mul(tf.sub(x, b), tf.transpose(tf.gather(w, target, 1))));
    for (const method of ALL_METHODS) {
      const steps = 8;
      const { attributions, convergenceDelta } = await integratedGradients(model, x, { target, baselines: b, method, steps, returnConvergenceDelta: true });
      const scale = method === 'riemannTrapezoid' ? 1 - 1 / steps : 1;
      const scaled = tf.mul(expected, scale);
      expect(maxAbsDiff(attributions, scaled), method).toBeLessThan(1e-5);
      // delta = Σ attr - (f(x) - f(b)): 0, or -(f(x) - f(b))/n for Captum's trapezoid.
      const change = tf.tidy(() => tf.sum(expected, 1));
      const expectedDelta = tf.mul(change, scale - 1);
      expect(maxAbsDiff(convergenceDelta!, expectedDelta), method).toBeLessThan(1e-5);
      tf.dispose([attributions, convergenceDelta!, scaled, change, expectedDelta]);
    }
    const sal = await saliency(model, x, { target, abs: false });
    const salAbs = await saliency(model, x, { target });
    const ixg = await inputXGradient(model, x, { target });
    const gradients = tf.tidy(() => tf.transpose(tf.gather(w, target, 1)));
    expect(maxAbsDiff(sal.attributions, gradients)).toBe(0);
    expect(maxAbsDiff(salAbs.attributions, tf.abs(gradients))).toBe(0);
    expect(maxAbsDiff(ixg.attributions, tf.mul(x, gradients))).toBeLessThan(1e-6);
    tf.dispose([w, x, b, expected, sal.attributions, salAbs.attributions, ixg.attributions, gradients]);
  });

  it('single-unit models: class 0 explains 1 - p (probabilities) or -z (logits), class 1 the unit', async () => {
    const adult = adultModel();
    const x = tf.randomUniform([6, 10], 0, 1, 'float32', 5);
    const ones = new Int32Array(6).fill(1);
    const zeros = new Int32Array(6);
    const one = await integratedGradients(adult, x, { target: ones, steps: 20, returnConvergenceDelta: true });
    const zero = await integratedGradients(adult, x, { target: zeros, steps: 20, returnConvergenceDelta: true });
    expect(maxAbsDiff(one.attributions, tf.neg(zero.attributions))).toBeLessThan(1e-7);
    // Completeness in probability units: Σ attr ≈ p(x) - p(0) for class 1.
    const p = tf.tidy(() => tf.sub(tf.reshape(adult.predict(x) as tf.Tensor, [-1]), tf.reshape(adult.predict(tf.zerosLike(x)) as tf.Tensor, [-1])));
    const sums = tf.sum(one.attributions, 1);
    expect(maxAbsDiff(sums, p)).toBeLessThan(1e-4);
    expect(maxAbsDiff(tf.sub(sums, p), one.convergenceDelta!)).toBeLessThan(1e-6);
    const s1 = await saliency(adult, x, { target: ones, abs: false });
    const s0 = await saliency(adult, x, { target: zeros, abs: false });
    expect(maxAbsDiff(s1.attributions, tf.neg(s0.attributions))).toBeLessThan(1e-7);
    // A logit unit as a function: class 1 of z = x·w + c from a zero baseline is x ⊙ w exactly.
    const w = tf.tensor2d([[0.5], [-1], [2], [0], [1], [-0.5], [0.25], [3], [-2], [1]]);
    const logit = (input: tf.Tensor): tf.Tensor => tf.add(tf.matMul(input as tf.Tensor2D, w), 0.3);
    const l1 = await integratedGradients(logit, x, { target: ones, steps: 5 });
    const l0 = await integratedGradients(logit, x, { target: zeros, steps: 5, modelOutput: 'logits' });
    const exact = tf.mul(x, tf.reshape(w, [1, 10]));
    expect(maxAbsDiff(l1.attributions, exact)).toBeLessThan(1e-6);
    expect(maxAbsDiff(l0.attributions, tf.neg(exact))).toBeLessThan(1e-6);
    // 'predicted' on a logit unit: class 1 where z > 0.
    const predicted = await inputXGradient(logit, x);
    const z = tf.tidy(() => tf.reshape(logit(x), [-1]));
    const sign = tf.tidy(() => tf.where(tf.greater(z, 0), tf.onesLike(z), tf.neg(tf.onesLike(z))));
    expect(maxAbsDiff(predicted.attributions, tf.mul(exact, tf.reshape(sign, [-1, 1])))).toBeLessThan(1e-6);
    tf.dispose([x, one.attributions, one.convergenceDelta!, zero.attributions, zero.convergenceDelta!, p, sums, s1.attributions, s0.attributions,
      w, l1.attributions, l0.attributions, exact, predicted.attributions, z, sign]);
    adult.dispose();
  });

  it('inputs of any rank: a [batch, 2, 3, 2] function model', async () => {
    const model = (x: tf.Tensor): tf.Tensor => tf.stack([tf.sum(tf.square(x), [1, 2, 3]), tf.sum(x, [1, 2, 3])], 1);
    const x = tf.randomUniform([3, 2, 3, 2], -1, 1, 'float32', 6);
    const { attributions, convergenceDelta } = await integratedGradients(model, x, { target: [0, 0, 0], steps: 16, returnConvergenceDelta: true });
    // f = Σ x²: IG from 0 is x² exactly for a rule exact on linear integrands (Gauss-Legendre).
    expect(attributions.shape).toEqual([3, 2, 3, 2]);
    expect(maxAbsDiff(attributions, tf.square(x))).toBeLessThan(1e-6);
    expect(tf.max(tf.abs(convergenceDelta!)).dataSync()[0]).toBeLessThan(1e-5);
    tf.dispose([x, attributions, convergenceDelta!]);
  });
});

describeBackends('noise tunnel and GradientSHAP bookkeeping', () => {
  const w = (): tf.Tensor2D => tf.tensor2d([[1, -1], [2, 0.5], [-0.5, 1], [0, 2]]);

  it('with stdevs 0 the tunnel returns the method itself (smoothgrad, smoothgradSq) and a zero vargrad, forwarding its options', async () => {
    const weights = w();
    const net = (x: tf.Tensor): tf.Tensor => tf.matMul(tf.tanh(x as tf.Tensor2D), weights);
    const x = tf.randomUniform([5, 4], -1, 1, 'float32', 7);
    const baselines = tf.randomUniform([5, 4], -1, 1, 'float32', 8);
    const target = [0, 1, 0, 1, 1];
    const ig = await integratedGradients(net, x, { target, baselines, steps: 7, method: 'riemannMiddle', returnConvergenceDelta: true });
    for (const samplesBatchSize of [undefined, 2]) {
      const sg = await noiseTunnel(integratedGradients, net, x, {
        type: 'smoothgrad', samples: 3, stdevs: 0, samplesBatchSize, target, baselines, steps: 7, method: 'riemannMiddle', returnConvergenceDelta: true,
      });
      expect(maxAbsDiff(sg.attributions, ig.attributions)).toBeLessThan(1e-6);
      // One delta per copy, example-major: copy k of example i at i·3 + k.
      const repeatedDelta = tf.tidy(() => tf.reshape(tf.tile(tf.reshape(ig.convergenceDelta!, [5, 1]), [1, 3]), [-1]));
      expect(sg.convergenceDelta!.shape).toEqual([15]);
      expect(maxAbsDiff(sg.convergenceDelta!, repeatedDelta)).toBeLessThan(1e-6);
      tf.dispose([sg.attributions, sg.convergenceDelta!, repeatedDelta]);
    }
    const sq = await noiseTunnel(integratedGradients, net, x, { type: 'smoothgradSq', samples: 4, stdevs: 0, target, baselines, steps: 7, method: 'riemannMiddle' });
    const squared = tf.square(ig.attributions);
    expect(maxAbsDiff(sq.attributions, squared)).toBeLessThan(1e-6);
    const vg = await noiseTunnel(saliency, net, x, { type: 'vargrad', samples: 4, stdevs: 0, target, abs: false });
    expect(tf.max(tf.abs(vg.attributions)).dataSync()[0]).toBeLessThan(1e-6);
    tf.dispose([weights, x, baselines, ig.attributions, ig.convergenceDelta!, sq.attributions, squared, vg.attributions]);
  });

  it("a user's method sees the noisy copies, repeated targets and per-example options; noise has the asked sd", async () => {
    const x = tf.tensor2d([[0, 1, 2, 3], [10, 20, 30, 40]]);
    const perExample = tf.tensor2d([[1, 1, 1, 1], [2, 2, 2, 2]]);
    const oneExample = tf.tensor1d([5, 5, 5, 5]);
    const seen: { rows: number; target: number[]; perExample: number[]; oneExample: number[]; extra: unknown }[] = [];
    // Attribution = the noisy input itself: smoothgrad estimates x, vargrad the noise variance.
    const identity: AttributionMethod<{ target?: number[] | Int32Array; perExample?: tf.Tensor; oneExample?: tf.Tensor; extra?: string }> = async (_m, input, o) => {
      seen.push({
        rows: input.shape[0]!, target: Array.from(o!.target as Int32Array), perExample: Array.from(await o!.perExample!.data()),
        oneExample: Array.from(await o!.oneExample!.data()), extra: o!.extra,
      });
      return { attributions: tf.clone(input) };
    };
    const model = (input: tf.Tensor): tf.Tensor => tf.stack([tf.sum(input, 1), tf.neg(tf.sum(input, 1))], 1);
    const samples = 2000;
    const smooth = await noiseTunnel(identity, model, x, {
      samples, stdevs: 0.5, samplesBatchSize: 1500, rng: seededRng(11), target: [1, 0], perExample, oneExample, extra: 'kept',
    });
    expect(seen.map((s) => s.rows)).toEqual([3000, 1000]);
    expect(seen[1]!.target).toEqual([...new Array<number>(500).fill(1), ...new Array<number>(500).fill(0)]);
    expect(seen[1]!.perExample.slice(0, 4)).toEqual([1, 1, 1, 1]);
    expect(seen[1]!.perExample.slice(-4)).toEqual([2, 2, 2, 2]);
    expect(seen[1]!.perExample.length).toBe(4000);
    expect(seen[1]!.oneExample).toEqual([5, 5, 5, 5]);
    expect(seen[1]!.extra).toBe('kept');
    // Mean of 2000 copies: within 5 standard errors (0.5 / √2000 ≈ 0.011) of x.
    expect(maxAbsDiff(smooth.attributions, x)).toBeLessThan(5 * 0.5 / Math.sqrt(samples));
    const variance = await noiseTunnel(identity, model, x, { type: 'vargrad', samples, stdevs: 0.5, rng: seededRng(12), target: [1, 0], perExample, oneExample });
    const v = await variance.attributions.data();
    // Population variance of 2000 normal draws: sd of the estimate ≈ 0.25·√(2/2000) ≈ 0.008.
    for (const value of v) expect(Math.abs(value - 0.25)).toBeLessThan(0.05);
    // The same seed gives the same noise.
    const again = await noiseTunnel(identity, model, x, { samples, stdevs: 0.5, samplesBatchSize: 1500, rng: seededRng(11), target: [1, 0], perExample, oneExample });
    expect(maxAbsDiff(again.attributions, smooth.attributions)).toBe(0);
    tf.dispose([x, perExample, oneExample, smooth.attributions, variance.attributions, again.attributions]);
  });

  it('GradientSHAP: exact on a linear model ((x - b̄)·w with one baseline), zero deltas, reproducible from a seed', async () => {
    const weights = w();
    const linear = (x: tf.Tensor): tf.Tensor => tf.matMul(x as tf.Tensor2D, weights);
    const x = tf.randomUniform([3, 4], -1, 1, 'float32', 9);
    const one = tf.tensor2d([[0.5, -0.5, 1, 0]]);
    const target = [0, 1, 1];
    const { attributions, convergenceDelta } = await gradientShap(linear, x, { baselines: one, samples: 7, target, rng: seededRng(1), returnConvergenceDelta: true });
    const expected = tf.tidy(() => tf.mul(tf.sub(x, one), tf.transpose(tf.gather(weights, target, 1))));
    expect(maxAbsDiff(attributions, expected)).toBeLessThan(1e-6);
    expect(convergenceDelta!.shape).toEqual([21]);
    expect(tf.max(tf.abs(convergenceDelta!)).dataSync()[0]).toBeLessThan(1e-5);
    // Several baselines, noise, chunks: the same seed gives the same attributions whatever the chunking.
    const set = tf.randomUniform([5, 4], -1, 1, 'float32', 10);
    const net = (input: tf.Tensor): tf.Tensor => tf.matMul(tf.tanh(input as tf.Tensor2D), weights);
    const a = await gradientShap(net, x, { baselines: set, samples: 9, stdevs: 0.1, rng: seededRng(2) });
    const b = await gradientShap(net, x, { baselines: set, samples: 9, stdevs: 0.1, rng: seededRng(2), internalBatchSize: 4 });
    expect(maxAbsDiff(a.attributions, b.attributions)).toBeLessThan(1e-6);
    // Under the tunnel: the method's deltas of every copy, example-major: 3 examples · 2 copies · 5
    // samples (gradientShap's default: the tunnel's own `samples` is not passed on).
    const tunnelled = await noiseTunnel(gradientShap, linear, x, { samples: 2, stdevs: 0.1, baselines: one, target, rng: seededRng(3), returnConvergenceDelta: true });
    expect(tunnelled.convergenceDelta!.shape).toEqual([30]);
    expect(tf.max(tf.abs(tunnelled.convergenceDelta!)).dataSync()[0]).toBeLessThan(1e-5);
    tf.dispose([weights, x, one, attributions, convergenceDelta!, expected, set, a.attributions, b.attributions, tunnelled.attributions, tunnelled.convergenceDelta!]);
  });
});

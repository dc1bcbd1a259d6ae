/**
 * lime and the two surrogate solvers under lime and kernelShap: the weighted minimum-norm least
 * squares (scikit-learn's LinearRegression) and the weighted Lasso (scikit-learn's Lasso), checked
 * against their optimality conditions; Captum's exponential similarity kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { seededRng } from '../../src/core/rng.js';
import { lime } from '../../src/explain/index.js';
import { weightedLasso } from '../../src/explain/perturbation/lasso.js';
import { centredScaled, weightedLinearRegression, type RegressionData } from '../../src/explain/perturbation/leastSquares.js';
import { limeKernelWeights } from '../../src/explain/perturbation/lime.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';
import { adultModel, expectCloseToReference, referenceInputs } from './fixtures.js';
import { adultTrainMean } from './perturbationCases.js';

/** A random regression problem with binary features and positive weights. */
function problem(rows: number, features: number, seed: number): RegressionData & { design: Uint8Array } {
  const rng = seededRng(seed);
  const design = new Uint8Array(rows * features).map(() => (rng.next() < 0.5 ? 1 : 0));
  const targets = Float64Array.from({ length: rows }, (_, i) => {
    let y = 0.3;
    for (let j = 0; j < features; j++) y += (j % 3 - 1) * 0.7 * design[i * features + j]!;
    return y + 0.1 * (rng.next() - 0.5);
  });
  const weights = Float64Array.from({ length: rows }, () => 0.1 + rng.next());
  return { rows, features, design, targets, weights };
}

/** Gradient of ½ Σ_i (scaled residual_i)² with respect to β, on the centred, √w-scaled data: Aᵀ(b - Aβ). */
function correlations(data: RegressionData, beta: Float64Array, scale = 1): number[] {
  const { columns, target } = centredScaled(data, scale);
  const residual = Float64Array.from(target, (t, i) => t - columns.reduce((s, c, j) => s + c[i]! * beta[j]!, 0));
  return columns.map((c) => c.reduce((s, v, i) => s + v * residual[i]!, 0));
}

describeBackends('lime', () => {
  it('weighted least squares: zero gradient when full rank; minimum norm when singular', () => {
    const data = problem(200, 6, 1);
    const beta = weightedLinearRegression(data);
    for (const g of correlations(data, beta)) expect(Math.abs(g)).toBeLessThan(1e-9);
    // A duplicated column: the minimum-norm solution splits its coefficient equally.
    const twin = { ...data, features: 7, design: new Uint8Array(200 * 7).map((_, k) => data.design[Math.floor(k / 7) * 6 + Math.min(k % 7, 5)]!) };
    const betaTwin = weightedLinearRegression(twin);
    expect(betaTwin[5]).toBeCloseTo(betaTwin[6]!, 9);
    expect(betaTwin[5]! + betaTwin[6]!).toBeCloseTo(beta[5]!, 9);
    // Fewer samples than features: an exact fit, and the solution lies in the row space of the
    // centred design (orthogonal to its null space), i.e. it has minimum norm.
    const wide = problem(4, 9, 3);
    const betaWide = weightedLinearRegression(wide);
    for (const g of correlations(wide, betaWide)) expect(Math.abs(g)).toBeLessThan(1e-9);
    const { columns } = centredScaled(wide);
    // Null-space check: β = Aᵀ y for some y, so the component of β outside span(rows of A) is 0.
    const rows = Array.from({ length: 4 }, (_, i) => columns.map((c) => c[i]!));
    const projected = projectOnto(rows, Array.from(betaWide));
    projected.forEach((v, j) => expect(v).toBeCloseTo(betaWide[j]!, 9));
  });

  it('weighted Lasso: the KKT conditions of 1/(2 Σw) Σ w (y - b - xβ)² + α‖β‖₁ hold', () => {
    for (const alpha of [0.001, 0.01, 0.05]) {
      const data = problem(300, 8, 7);
      const beta = weightedLasso(data, alpha);
      const n = data.rows;
      const total = Array.from(data.weights).reduce((a, b) => a + b, 0);
      // With weights rescaled to sum to n: (1/n) A_jᵀ(b - Aβ) = α sign(β_j), or |.| <= α at 0.
      const g = correlations(data, beta, n / total).map((v) => v / n);
      let zeros = 0;
      beta.forEach((b, j) => {
        if (b === 0) {
          zeros++;
          expect(Math.abs(g[j]!)).toBeLessThanOrEqual(alpha + 1e-10);
        } else {
          expect(g[j]!).toBeCloseTo(alpha * Math.sign(b), 9);
        }
      });
      if (alpha === 0.05) expect(zeros, 'a strong penalty zeroes the weak features').toBeGreaterThan(0);
    }
  });

  it("Captum's exponential kernel on the cosine or Euclidean distance to the perturbed input", () => {
    const input = [3, 4, 0, 1];
    const baseline = [0, 0, 1, 1];
    const featureOf = [0, 0, 1, 2];
    const coalitions = Uint8Array.from([1, 1, 1, 0, 1, 0, 1, 0, 1]);
    const cosine = limeKernelWeights(input, baseline, featureOf, coalitions, 3, 3, 'cosine', 0.5);
    const euclid = limeKernelWeights(input, baseline, featureOf, coalitions, 3, 3, 'euclidean', 2);
    const z = [[3, 4, 0, 1], [0, 0, 0, 1], [3, 4, 1, 1]];
    const norm = (v: number[]): number => Math.hypot(...v);
    z.forEach((zs, s) => {
      const cos = zs.reduce((a, v, e) => a + v * input[e]!, 0) / (norm(zs) * norm(input));
      expect(cosine[s]).toBeCloseTo(Math.exp(-((1 - cos) ** 2) / (2 * 0.25)), 12);
      const d = norm(zs.map((v, e) => v - input[e]!));
      expect(euclid[s]).toBeCloseTo(Math.exp(-(d * d) / 8), 12);
    });
    // An all-zero perturbed input has cosine similarity 0 (torch clamps the norm at 1e-8).
    expect(limeKernelWeights([1, 2], [0, 0], [0, 0], Uint8Array.from([0]), 1, 1, 'cosine', 1)[0]).toBeCloseTo(Math.exp(-0.5), 12);
  });

  it('is exact for a model linear in the features with alpha 0 (any kernel weights)', async () => {
    const w = tf.tensor2d([[1, -1], [2, 0.5], [-3, 1], [0.5, 2]]);
    const model = (x: tf.Tensor): tf.Tensor => tf.matMul(x, w);
    const x = tf.tensor2d([[1, 2, 3, 4], [-1, 0.5, 2, -2]]);
    const { attributions } = await lime(model, x, { featureMask: [0, 1, 1, 2], alpha: 0, samples: 30, target: [0, 1], baseline: 0.5, rng: seededRng(4) });
    const wv = (await w.array()) as number[][];
    const xv = (await x.array()) as number[][];
    const group = (i: number, members: number[]): number => members.reduce((s, e) => s + wv[e]![i]! * (xv[i]![e]! - 0.5), 0);
    const expected = [0, 1].flatMap((i) => [group(i, [0]), group(i, [1, 2]), group(i, [1, 2]), group(i, [3])]);
    expectCloseToReference(await attributions.data(), expected, { atol: 1e-5, rtol: 1e-5, rows: 2 });
    tf.dispose([w, x, attributions]);
  });

  it('fits a Lasso on the Adult groups: alpha shrinks, alpha → 0 is the least-squares fit, a huge alpha gives 0', async () => {
    const model = adultModel();
    const x = referenceInputs('adult');
    const mask = [0, 1, 2, 3, 4, 5, 5, 6, 6, 6];
    const run = async (alpha: number): Promise<Float32Array> => {
      const { attributions } = await lime(model, x, { featureMask: mask, baseline: adultTrainMean(), samples: 200, alpha, rng: seededRng(9) });
      const v = (await attributions.data()) as Float32Array;
      attributions.dispose();
      return v;
    };
    const [ls, tiny, lasso, huge] = [await run(0), await run(1e-9), await run(0.01), await run(10)];
    expectCloseToReference(tiny, Array.from(ls), { atol: 1e-5, rtol: 1e-4 });
    expect(huge.every((v) => v === 0)).toBe(true);
    const l1 = (v: Float32Array): number => v.reduce((s, a) => s + Math.abs(a), 0);
    expect(l1(lasso)).toBeLessThan(l1(ls));
    await expectNoLeaks(() => lime(model, x, { featureMask: mask, samples: 30, internalBatchSize: 256, rng: seededRng(1) }));
    tf.dispose(x);
    model.dispose();
  });
});

/** Orthogonal projection of `v` onto the span of `rows` (Gram–Schmidt). */
function projectOnto(rows: number[][], v: number[]): number[] {
  const basis: number[][] = [];
  for (const r of rows) {
    const u = r.slice();
    for (const b of basis) {
      const d = b.reduce((s, x, j) => s + x * u[j]!, 0);
      b.forEach((x, j) => (u[j] = u[j]! - d * x));
    }
    const n = Math.hypot(...u);
    if (n > 1e-12) basis.push(u.map((x) => x / n));
  }
  const out = new Array(v.length).fill(0);
  for (const b of basis) {
    const d = b.reduce((s, x, j) => s + x * v[j]!, 0);
    b.forEach((x, j) => (out[j] += d * x));
  }
  return out;
}

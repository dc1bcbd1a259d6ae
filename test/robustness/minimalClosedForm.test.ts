/**
 * The minimal-perturbation attacks on hand-built linear models, where the answer is known in closed
 * form: DeepFool reaches an affine classifier's boundary in one step, at distance |f| / ||w||_2
 * (L2) or |f| / ||w||_1 (L-inf); C&W's paper variants (margin, binary search over c, kappa,
 * targets) against the geometry of the same models; and the Adam update against torch's formulas
 * evaluated in double precision.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { carliniWagnerL2, deepFool, minimalPerturbation } from '../../src/robustness/minimal/index.js';
import { adamInit, adamUpdate } from '../../src/robustness/minimal/adam.js';
import { describeBackends } from '../helpers/backends.js';

/** Inputs of the affine tests: 4 rows of 3 features, well inside [-10, 10]. */
const X = [[0.5, -1, 2], [-1.5, 0.25, 0.75], [2, 1, -0.5], [0.1, 0.2, 0.3]];
const W1 = [0.8, -1.2, 0.5];
const B1 = 0.3;
const WIDE = { clipMin: -10, clipMax: 10 };

/** z = x . w + b, a single-logit binary model. */
function affineBinary(w: number[], b: number): (x: tf.Tensor) => tf.Tensor {
  return (x) => tf.tidy(() => tf.add(tf.matMul(x as tf.Tensor2D, tf.tensor2d(w, [w.length, 1])), b));
}

/** z = x W + b with W `[features, classes]`. */
function affine(W: number[][], b: number[]): (x: tf.Tensor) => tf.Tensor {
  return (x) => tf.tidy(() => tf.add(tf.matMul(x as tf.Tensor2D, tf.tensor2d(W)), tf.tensor1d(b)));
}

const dot = (a: number[], b: number[]): number => a.reduce((s, v, i) => s + v * b[i]!, 0);
const norm2 = (a: number[]): number => Math.sqrt(dot(a, a));
const norm1 = (a: number[]): number => a.reduce((s, v) => s + Math.abs(v), 0);

function expectRowsClose(got: number[][], want: number[][], tol: number): void {
  got.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - want[i]![j]!), `[${i}, ${j}]`).toBeLessThanOrEqual(tol)));
}

describeBackends('minimal-perturbation attacks: closed forms', () => {
  it('DeepFool L2 on an affine binary classifier: one step to the boundary, at distance |f| / ||w||', async () => {
    const model = affineBinary(W1, B1);
    const x = tf.tensor2d(X);
    const oneStep = await deepFool(model, x, undefined, { steps: 1, overshoot: 0, ...WIDE });
    const f = X.map((r) => dot(r, W1) + B1);
    const want = X.map((r, i) => r.map((v, j) => v - (f[i]! * W1[j]!) / dot(W1, W1)));
    expectRowsClose(await oneStep.array() as number[][], want, 1e-5);
    // Exactly on the boundary: the logit is 0 up to float32 rounding.
    const z = await (model(oneStep) as tf.Tensor).data();
    for (const v of z) expect(Math.abs(v)).toBeLessThan(1e-5);
    // More steps add nothing measurable (the row sits on the boundary), and the distance is exact.
    const full = await deepFool(model, x, undefined, { overshoot: 0, ...WIDE });
    const summary = await minimalPerturbation(x, full);
    summary.l2.forEach((d, i) => expect(d).toBeCloseTo(Math.abs(f[i]!) / norm2(W1), 5));
    // With the overshoot the step is 1.02 times as long and crosses: every row is fooled.
    const over = await deepFool(model, x, undefined, { steps: 1, overshoot: 0.02, ...WIDE });
    const yPred = f.map((v) => (v > 0 ? 1 : 0));
    const s2 = await minimalPerturbation(x, over, { model, y: yPred });
    s2.l2.forEach((d, i) => expect(d).toBeCloseTo((1.02 * Math.abs(f[i]!)) / norm2(W1), 5));
    expect(s2.success).toEqual([true, true, true, true]);
    tf.dispose([x, oneStep, full, over]);
  });

  it('DeepFool L-inf on an affine binary classifier: the sign step, at L-inf distance |f| / ||w||_1', async () => {
    const model = affineBinary(W1, B1);
    const x = tf.tensor2d(X);
    const adv = await deepFool(model, x, undefined, { steps: 1, overshoot: 0, norm: 'linf', ...WIDE });
    const f = X.map((r) => dot(r, W1) + B1);
    const want = X.map((r, i) => r.map((v, j) => v - (f[i]! / norm1(W1)) * Math.sign(W1[j]!)));
    expectRowsClose(await adv.array() as number[][], want, 1e-5);
    const summary = await minimalPerturbation(x, adv);
    summary.linf.forEach((d, i) => expect(d).toBeCloseTo(Math.abs(f[i]!) / norm1(W1), 5));
    tf.dispose([x, adv]);
  });

  it('DeepFool on a 3-class affine model moves to the nearest linearised boundary, exactly', async () => {
    const W = [[1, -0.5, 0.2], [0.3, 0.9, -1], [-0.4, 0.1, 0.6]];
    const b = [0.1, -0.2, 0.05];
    const model = affine(W, b);
    const x = tf.tensor2d(X);
    const adv = await deepFool(model, x, undefined, { steps: 1, overshoot: 0, ...WIDE });
    const col = (k: number): number[] => W.map((r) => r[k]!);
    const want = X.map((r) => {
      const z = [0, 1, 2].map((k) => dot(r, col(k)) + b[k]!);
      const y = z.indexOf(Math.max(...z));
      let best = { d: Infinity, f: 0, w: [0, 0, 0] };
      for (let k = 0; k < 3; k++) {
        if (k === y) continue;
        const w = col(k).map((v, j) => v - col(y)[j]!);
        const f = z[k]! - z[y]!;
        if (Math.abs(f) / norm2(w) < best.d) best = { d: Math.abs(f) / norm2(w), f, w };
      }
      return r.map((v, j) => v + (Math.abs(best.f) * best.w[j]!) / dot(best.w, best.w));
    });
    expectRowsClose(await adv.array() as number[][], want, 1e-5);
    // The same model returning probabilities is attacked through its log-probabilities, whose
    // differences are the logits': the same steps.
    const probabilities = (t: tf.Tensor): tf.Tensor => tf.softmax(model(t));
    const advP = await deepFool(probabilities, x, undefined, { steps: 1, overshoot: 0, modelOutput: 'probabilities', ...WIDE });
    expectRowsClose(await advP.array() as number[][], want, 1e-4);
    tf.dispose([x, adv, advP]);
  });

  it('DeepFool on a single-unit sigmoid LayersModel equals DeepFool on its logit', async () => {
    const layer = tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: [3], activation: 'sigmoid' })] });
    layer.setWeights([tf.tensor2d(W1, [3, 1]), tf.tensor1d([B1])]);
    const x = tf.tensor2d(X);
    const y = [1, 0, 1, 0];
    const a = await deepFool(layer, x, y, { ...WIDE });
    const b = await deepFool(affineBinary(W1, B1), x, y, { ...WIDE });
    expectRowsClose(await a.array() as number[][], await b.array() as number[][], 1e-4);
    layer.dispose();
    tf.dispose([x, a, b]);
  });

  // z0 = x0 - 5, z1 = -x0 - 5, z2 = x1 - 5.5: every logit is negative near the inputs.
  const negative = affine([[1, -1, 0], [0, 0, 1]], [-5, -5, -5.5]);
  const XN = [[0.2, 0], [-0.3, 0.1]];
  const UNIT = { clipMin: -1, clipMax: 1 };

  it('C&W: torchattacks\' zero masking gives no gradient when every logit is negative; the paper\'s margin does', async () => {
    const x = tf.tensor2d(XN);
    const y = [0, 1];
    const quirk = await carliniWagnerL2(negative, x, y, { c: 10, steps: 200, ...UNIT });
    const paper = await carliniWagnerL2(negative, x, y, { c: 10, steps: 200, margin: 'paper', ...UNIT });
    const sq = await minimalPerturbation(x, quirk, { model: negative, y });
    const sp = await minimalPerturbation(x, paper, { model: negative, y });
    expect(sq.l2).toEqual([0, 0]); // never fooled: x itself
    expect(sp.success).toEqual([true, true]);
    // The nearest boundary is x0 = 0 (distances 0.2 and 0.3); the best iterate lies just past it.
    sp.l2.forEach((d, i) => {
      expect(d).toBeGreaterThanOrEqual(Math.abs(XN[i]![0]!) - 1e-6);
      expect(d).toBeLessThanOrEqual(Math.abs(XN[i]![0]!) + 0.03);
    });
    tf.dispose([x, quirk, paper]);
  });

  it('C&W binary search over c: a c too small to cross is raised per row until the row is fooled', async () => {
    const model = affineBinary([1, 0], 0);
    const x = tf.tensor2d([[0.3, 0], [-0.1, 0.2]]);
    const y = [1, 0];
    const fixed = await carliniWagnerL2(model, x, y, { c: 1e-3, steps: 200, ...{ clipMin: -1, clipMax: 1 } });
    expect((await minimalPerturbation(x, fixed)).l2).toEqual([0, 0]);
    const searched = await carliniWagnerL2(model, x, y, { c: 1e-3, steps: 200, binarySearchSteps: 6, clipMin: -1, clipMax: 1 });
    const s = await minimalPerturbation(x, searched, { model, y });
    expect(s.success).toEqual([true, true]);
    // Distances to the boundary x0 = 0 are 0.3 and 0.1; the found points lie just past it.
    expect(s.l2[0]).toBeGreaterThanOrEqual(0.3 - 1e-6);
    expect(s.l2[0]).toBeLessThan(0.34);
    expect(s.l2[1]).toBeGreaterThanOrEqual(0.1 - 1e-6);
    expect(s.l2[1]).toBeLessThan(0.14);
    tf.dispose([x, fixed, searched]);
  });

  // Positive logits: z0 = x0 + 5, z1 = -x0 + 5, z2 = x1 + 4.5.
  const positive = affine([[1, -1, 0], [0, 0, 1]], [5, 5, 4.5]);

  it('C&W targeted: rows reach their target class, with both margins', async () => {
    const x = tf.tensor2d(XN);
    const targets = [2, 2];
    for (const [model, margin] of [[positive, 'torchattacks'], [negative, 'paper'], [positive, 'paper']] as const) {
      const adv = await carliniWagnerL2(model, x, targets, { targeted: true, c: 10, steps: 300, margin, ...UNIT });
      const s = await minimalPerturbation(x, adv, { model, y: targets, targeted: true });
      expect(s.success, margin).toEqual([true, true]);
      tf.dispose(adv);
    }
    x.dispose();
  });

  it('C&W kappa: the paper variant returns only points past the boundary by kappa; torchattacks\' ignores kappa there', async () => {
    const x = tf.tensor2d(XN);
    const y = [0, 1];
    const kappa = 0.2;
    const margins = async (adv: tf.Tensor): Promise<number[]> => {
      const z = await (positive(adv) as tf.Tensor).array() as number[][];
      return z.map((r, i) => Math.max(...r.filter((_, j) => j !== y[i])) - r[y[i]!]!);
    };
    const paper = await carliniWagnerL2(positive, x, y, { c: 10, kappa, steps: 300, margin: 'paper', ...UNIT });
    for (const m of await margins(paper)) expect(m).toBeGreaterThan(kappa);
    const quirk = await carliniWagnerL2(positive, x, y, { c: 10, kappa, steps: 300, ...UNIT });
    for (const m of await margins(quirk)) {
      expect(m).toBeGreaterThan(0);
      expect(m).toBeLessThan(kappa);
    }
    tf.dispose([x, paper, quirk]);
  });

  it('C&W on a single-unit model uses the paper margin and fools it; refuses torchattacks\' margin there', async () => {
    const layer = tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: [3], activation: 'sigmoid' })] });
    layer.setWeights([tf.tensor2d(W1, [3, 1]), tf.tensor1d([B1])]);
    const x = tf.tensor2d(X.map((r) => r.map((v) => v / 4)));
    const y = tf.tensor2d([[1], [0], [1], [0]]);
    const labels = (await (layer.predict(x) as tf.Tensor).data()).map((p) => (p > 0.5 ? 1 : 0));
    const adv = await carliniWagnerL2(layer, x, Array.from(labels), { c: 10, steps: 300, ...UNIT });
    const s = await minimalPerturbation(x, adv, { model: layer, y: Array.from(labels) });
    expect(s.success).toEqual([true, true, true, true]);
    await expect(carliniWagnerL2(layer, x, y, { margin: 'torchattacks', ...UNIT }))
      .rejects.toMatchObject({ name: 'InvalidArgumentError', argument: 'options.margin' });
    layer.dispose();
    tf.dispose([x, y, adv]);
  });

  it('Adam matches torch\'s update (bias correction in double precision, epsilon 1e-8)', () => {
    const grads = [[0.5, -1e-3, 2e-9, 0], [0.4, 1e-3, -3e-9, 0], [-0.1, 2e-3, 1e-9, 0], [0.7, -5e-4, 0, 0], [0.2, 0, 4e-9, 0]];
    let p: tf.Tensor = tf.tensor1d([0.1, -0.2, 0.3, Number.NEGATIVE_INFINITY]);
    let state = adamInit(p);
    const ref = { p: [0.1, -0.2, 0.3, Number.NEGATIVE_INFINITY], m: [0, 0, 0, 0], v: [0, 0, 0, 0] };
    grads.forEach((g, t) => {
      const step = t + 1;
      const gT = tf.tensor1d(g);
      const next = tf.tidy(() => {
        const r = adamUpdate(p, gT, state, 0.01);
        return [r.param, r.state.m, r.state.v];
      });
      tf.dispose([p, state.m, state.v, gT]);
      p = next[0]!;
      state = { m: next[1]!, v: next[2]!, step };
      for (let i = 0; i < 4; i++) {
        ref.m[i] = 0.9 * ref.m[i]! + 0.1 * g[i]!;
        ref.v[i] = 0.999 * ref.v[i]! + 0.001 * g[i]! * g[i]!;
        const denom = Math.sqrt(ref.v[i]!) / Math.sqrt(1 - 0.999 ** step) + 1e-8;
        ref.p[i] = ref.p[i]! - (0.01 / (1 - 0.9 ** step)) * (ref.m[i]! / denom);
      }
    });
    const got = p.dataSync();
    for (let i = 0; i < 3; i++) expect(Math.abs(got[i]! - ref.p[i]!)).toBeLessThanOrEqual(1e-7 * Math.max(1, Math.abs(ref.p[i]!)));
    expect(got[3]).toBe(Number.NEGATIVE_INFINITY); // a saturated input stays put
    // The tiny gradients are damped by epsilon: entry 2 moved by far less than the learning rate.
    expect(Math.abs(got[2]! - 0.3)).toBeLessThan(0.01);
    tf.dispose([p, state.m, state.v]);
  });
});

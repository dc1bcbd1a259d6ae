import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { seededRng } from '../../src/core/rng.js';
import { DISTILLATION_DEFAULTS, distillationLoss, perExampleDistillationLoss } from '../../src/sustainability/distillation/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectInvalidArgument } from '../helpers/errors.js';
import { expectNoLeaks } from '../helpers/leaks.js';

// Float64 reference of Hinton, Vinyals and Dean 2015 (arXiv:1503.02531), written from the formula:
// loss_n = alpha T^2 KL(softmax(t_n/T) || softmax(s_n/T)) + (1 - alpha) (-log softmax(s_n)[y_n]).
function logSoftmax64(z: readonly number[], T = 1): number[] {
  const u = z.map((v) => v / T);
  const m = Math.max(...u);
  const lse = m + Math.log(u.reduce((a, v) => a + Math.exp(v - m), 0));
  return u.map((v) => v - lse);
}
function refPerExample(s: number[][], t: number[][], y: number[] | undefined, T: number, alpha: number): number[] {
  return s.map((row, n) => {
    const lq = logSoftmax64(row, T);
    const lp = logSoftmax64(t[n]!, T);
    const kl = lp.reduce((a, v, k) => a + Math.exp(v) * (v - lq[k]!), 0);
    const ce = y === undefined ? 0 : -logSoftmax64(row)[y[n]!]!;
    return alpha * T * T * kl + (alpha < 1 ? (1 - alpha) * ce : 0);
  });
}
const refLoss = (s: number[][], t: number[][], y: number[] | undefined, T: number, alpha: number): number => {
  const per = refPerExample(s, t, y, T, alpha);
  return per.reduce((a, v) => a + v, 0) / per.length;
};
function randomLogits(rng: ReturnType<typeof seededRng>, rows: number, cols: number, scale: number): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => scale * (2 * rng.next() - 1)));
}
const close = (actual: number, expected: number, rel = 2e-5): void => {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(expected)));
};

describeBackends('distillationLoss', () => {
  const rng = seededRng(17);
  const S = randomLogits(rng, 5, 4, 3);
  const Tl = randomLogits(rng, 5, 4, 3);
  const Y = [0, 3, 1, 2, 3];

  it('equals the float64 formula for several temperatures and alphas (alpha 0 and 1 included)', async () => {
    const s = tf.tensor2d(S);
    const t = tf.tensor2d(Tl);
    for (const T of [1, 2.5, 4, 10]) {
      for (const alpha of [0, 0.3, 0.9, 1]) {
        const l = distillationLoss(s, t, alpha === 1 ? undefined : Y, { temperature: T, alpha });
        close((await l.data())[0]!, refLoss(S, Tl, alpha === 1 ? undefined : Y, T, alpha));
        l.dispose();
      }
    }
    const per = perExampleDistillationLoss(s, t, Y, { temperature: 3, alpha: 0.6 });
    expect(per.shape).toEqual([5]);
    Array.from(await per.data()).forEach((v, i) => close(v, refPerExample(S, Tl, Y, 3, 0.6)[i]!));
    tf.dispose([s, t, per]);
  });

  it('uses temperature 4 and alpha 0.9 by default; one-hot labels give the same value as indices', async () => {
    expect(DISTILLATION_DEFAULTS).toEqual({ temperature: 4, alpha: 0.9 });
    const s = tf.tensor2d(S);
    const t = tf.tensor2d(Tl);
    const oneHot = tf.oneHot(tf.tensor1d(Y, 'int32'), 4);
    const a = distillationLoss(s, t, Y);
    const b = distillationLoss(s, t, oneHot);
    close((await a.data())[0]!, refLoss(S, Tl, Y, 4, 0.9));
    close((await b.data())[0]!, (await a.data())[0]!);
    tf.dispose([s, t, oneHot, a, b]);
  });

  it('stays finite and exact for large logits (log-softmax, no overflow)', async () => {
    const Sl = [[90, -80, 0], [-100, 100, 50]];
    const Tll = [[-90, 85, 3], [100, -100, 0]];
    const l = distillationLoss(tf.tensor2d(Sl), tf.tensor2d(Tll), [1, 0], { temperature: 1, alpha: 0.5 });
    const v = (await l.data())[0]!;
    expect(Number.isFinite(v)).toBe(true);
    close(v, refLoss(Sl, Tll, [1, 0], 1, 0.5), 1e-5);
    l.dispose();
  });

  it('reads a single logit z as the two logits [0, z]', async () => {
    const z = tf.tensor2d([[1.5], [-0.5]]);
    const w = tf.tensor2d([[0.2], [2]]);
    const l = distillationLoss(z, w, [1, 0], { temperature: 2, alpha: 0.7 });
    close((await l.data())[0]!, refLoss([[0, 1.5], [0, -0.5]], [[0, 0.2], [0, 2]], [1, 0], 2, 0.7));
    tf.dispose([z, w, l]);
  });

  it('gradient w.r.t. the student logits: float64 central differences and the closed form', async () => {
    const s = tf.tensor2d(S);
    const t = tf.tensor2d(Tl);
    const h = 1e-5;
    for (const [T, alpha] of [[1, 0.5], [4, 0.9], [10, 1], [2, 0]] as const) {
      const y = alpha === 1 ? undefined : Y;
      const g = tf.grad((x: tf.Tensor) => distillationLoss(x, t, y, { temperature: T, alpha }))(s);
      const got = (await g.array()) as number[][];
      g.dispose();
      const B = S.length;
      for (let n = 0; n < B; n++) {
        const q = logSoftmax64(S[n]!, T).map(Math.exp);
        const p = logSoftmax64(Tl[n]!, T).map(Math.exp);
        const sm = logSoftmax64(S[n]!).map(Math.exp);
        for (let k = 0; k < 4; k++) {
          const plus = S.map((r) => [...r]);
          const minus = S.map((r) => [...r]);
          plus[n]![k]! += h;
          minus[n]![k]! -= h;
          const fd = (refLoss(plus, Tl, y, T, alpha) - refLoss(minus, Tl, y, T, alpha)) / (2 * h);
          const closed = (alpha * T * (q[k]! - p[k]!) + (1 - alpha) * (sm[k]! - (y !== undefined && y[n] === k ? 1 : 0))) / B;
          expect(Math.abs(closed - fd)).toBeLessThan(1e-7);
          expect(Math.abs(got[n]![k]! - fd), `T ${T} alpha ${alpha} [${n}, ${k}]`).toBeLessThan(2e-6);
        }
      }
    }
    tf.dispose([s, t]);
  });

  it('T^2 keeps the soft gradient at one scale: about (s - t) / K for large T (Hinton et al. 2015, eq. 3)', async () => {
    const s = tf.tensor2d(S);
    const t = tf.tensor2d(Tl);
    const K = 4;
    const B = S.length;
    const centred = (r: number[]): number[] => {
      const m = r.reduce((a, v) => a + v, 0) / r.length;
      return r.map((v) => v - m);
    };
    // Hinton et al.'s high-temperature limit with zero-mean logits: dL/ds_nk -> (s_nk - t_nk) / (K B).
    const limit = S.flatMap((r, n) => centred(r).map((v, k) => (v - centred(Tl[n]!)[k]!) / (K * B)));
    const limitNorm = Math.hypot(...limit);
    const norms: number[] = [];
    for (const T of [20, 50, 200]) {
      const g = tf.grad((x: tf.Tensor) => distillationLoss(x, t, undefined, { temperature: T, alpha: 1 }))(s);
      const v = Array.from(await g.data());
      g.dispose();
      norms.push(Math.hypot(...v));
      // Relative distance to the limit shrinks like 1/T (here the logits are within +-3).
      expect(Math.hypot(...v.map((x, i) => x - limit[i]!)) / limitNorm).toBeLessThan(6 / T);
    }
    // Without the T^2 factor these norms would differ by (200/20)^2 = 100.
    expect(norms[2]! / norms[0]!).toBeGreaterThan(0.9);
    expect(norms[2]! / norms[0]!).toBeLessThan(1.1);
    tf.dispose([s, t]);
  });

  it('leaks no tensors (value and gradient)', async () => {
    const s = tf.tensor2d(S);
    const t = tf.tensor2d(Tl);
    await expectNoLeaks(() => distillationLoss(s, t, Y, { temperature: 3, alpha: 0.5 }));
    await expectNoLeaks(() => perExampleDistillationLoss(s, t, Y));
    await expectNoLeaks(() => tf.grad((x: tf.Tensor) => distillationLoss(x, t, Y))(s));
    tf.dispose([s, t]);
  });

  it('typed errors: temperature, alpha, shapes, missing labels', () => {
    const s = tf.tensor2d(S);
    const t = tf.tensor2d(Tl);
    const t3 = tf.zeros([5, 3]);
    const t6 = tf.zeros([6, 4]);
    const fn = 'distillationLoss';
    expectInvalidArgument(() => distillationLoss(s, t, Y, { temperature: 0 }), fn, 'options.temperature', /> 0/);
    expectInvalidArgument(() => distillationLoss(s, t, Y, { temperature: -1 }), fn, 'options.temperature', /> 0/);
    expectInvalidArgument(() => distillationLoss(s, t, Y, { temperature: Number.NaN }), fn, 'options.temperature', /> 0/);
    expectInvalidArgument(() => distillationLoss(s, t, Y, { alpha: -0.1 }), fn, 'options.alpha', /\[0, 1\]/);
    expectInvalidArgument(() => distillationLoss(s, t, Y, { alpha: 1.1 }), fn, 'options.alpha', /\[0, 1\]/);
    expectInvalidArgument(() => distillationLoss(s, t3, Y), fn, 'teacherLogits', /student's shape \[5, 4\]/);
    expectInvalidArgument(() => distillationLoss(s, t6, Y), fn, 'teacherLogits', /student's shape/);
    expectInvalidArgument(() => distillationLoss(tf.zeros([5]), t, Y), fn, 'studentLogits', /\[batch, classes\]/);
    expectInvalidArgument(() => distillationLoss(s, t), fn, 'labels', /alpha < 1/);
    expectInvalidArgument(() => distillationLoss(s, t, undefined, { alpha: 0 }), fn, 'labels', /alpha < 1/);
    expectInvalidArgument(() => distillationLoss(s, t, [0, 1, 2]), fn, 'y', /5 labels/);
    expectInvalidArgument(() => distillationLoss(s, t, [0, 1, 2, 3, 4]), fn, 'y[4]', /\[0, 4\)/);
    expectInvalidArgument(() => perExampleDistillationLoss(s, t, undefined, { alpha: 0.5 }), 'perExampleDistillationLoss', 'labels', /alpha < 1/);
    expectInvalidArgument(() => distillationLoss('logits' as unknown as tf.Tensor, t, Y), fn, 'studentLogits', /tf\.Tensor/);
    tf.dispose([s, t, t3, t6]);
  });
});

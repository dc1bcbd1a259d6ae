/**
 * Properties of FAB and FAB-T beyond the torchattacks fixture: L2 (no reference run), minimum-norm
 * mode, the exact boundary of a linear binary model, single-logit and probability models, general
 * input boxes, restarts with a seeded Rng, no leaks, abort, and typed errors.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, expect, it } from 'vitest';
import digits from '../fixtures/robustness/digits_test.json';
import { AbortedError, seededRng } from '../../src/core/index.js';
import { pgd } from '../../src/robustness/index.js';
import { fab, fabTargeted } from '../../src/robustness/fab/index.js';
import { stacking } from '../../src/robustness/fab/boundary.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';
import { referenceModel } from './referenceModels.js';

const N = 100;
const D = 64;
const labels = digits.labels.slice(0, N);

function inputs(n = N): tf.Tensor2D {
  return tf.tensor2d(digits.x.slice(0, n * D), [n, D]);
}

interface Outcome {
  readonly broken: boolean[];
  readonly l2: number[];
  readonly linf: number[];
}

const numbers = async (t: tf.Tensor): Promise<number[]> => Array.from(await t.data() as Float32Array | Int32Array);

/** Per-row perturbation norms and whether the model misclassifies each row of `adv`. */
async function outcome(model: (t: tf.Tensor) => tf.Tensor, x: tf.Tensor, adv: tf.Tensor, y: number[]): Promise<Outcome> {
  const [predT, l2T, linfT] = tf.tidy(() => {
    const d = tf.reshape(tf.sub(adv, x), [x.shape[0], -1]);
    return [tf.argMax(model(adv), 1), tf.norm(d, 2, 1), tf.max(tf.abs(d), 1)];
  });
  const pred = await numbers(predT!);
  const out = { broken: pred.map((p, i) => p !== y[i]), l2: await numbers(l2T!), linf: await numbers(linfT!) };
  tf.dispose([predT!, l2T!, linfT!]);
  return out;
}

/** Largest absolute difference per row. */
async function rowDiffs(a: tf.Tensor, b: tf.Tensor): Promise<number[]> {
  const t = tf.tidy(() => tf.max(tf.abs(tf.reshape(tf.sub(a, b), [a.shape[0], -1])), 1));
  const v = await numbers(t);
  t.dispose();
  return v;
}

describeBackends('FAB and FAB-T', () => {
  let mlp: tfl.Sequential;
  const logits = (t: tf.Tensor): tf.Tensor => mlp.apply(t) as tf.Tensor;
  beforeAll(() => {
    mlp = referenceModel('mlp');
  });
  afterAll(() => mlp.dispose());

  it('L2: within the budget, in the box, misclassified, and shorter than PGD-L2 on the rows both break', async () => {
    const x = inputs();
    const epsilon = 0.75;
    for (const run of [fab, fabTargeted]) {
      const adv = await run(mlp, x, labels, { norm: 'l2', epsilon });
      const f = await outcome(logits, x, adv, labels);
      const range = await tf.tidy(() => tf.stack([tf.min(adv), tf.max(adv)])).data();
      expect(range[0]).toBeGreaterThanOrEqual(0);
      expect(range[1]).toBeLessThanOrEqual(1);
      const advPgd = await pgd(mlp, x, labels, { norm: 'l2', epsilon, stepSize: epsilon / 5, steps: 20, randomStart: false });
      const p = await outcome(logits, x, advPgd, labels);
      tf.dispose([adv, advPgd]);
      for (let i = 0; i < N; i++) {
        expect(f.l2[i]!).toBeLessThanOrEqual(epsilon * (1 + 1e-6));
        // Rows FAB does not break come back as x.
        if (!f.broken[i]) expect(f.l2[i]).toBe(0);
      }
      const both = f.broken.flatMap((b, i) => (b && p.broken[i] && f.l2[i]! > 0 ? [i] : []));
      const shorter = both.filter((i) => f.l2[i]! < p.l2[i]!);
      // FAB-L2 breaks about as many rows as 20 PGD-L2 steps (91 of 100 here) ...
      expect(f.broken.filter(Boolean).length).toBeGreaterThanOrEqual(p.broken.filter(Boolean).length - 3);
      // ... with smaller perturbations: PGD's sit on the sphere of radius epsilon, FAB's near the boundary.
      expect(shorter.length).toBeGreaterThanOrEqual(0.9 * both.length);
      expect(both.length).toBeGreaterThanOrEqual(80);
    }
    x.dispose();
  });

  it('without epsilon, returns the minimum-norm points; with epsilon, exactly those within it', async () => {
    const x = inputs();
    for (const norm of ['linf', 'l2'] as const) {
      const free = await fab(mlp, x, labels, { norm });
      const f = await outcome(logits, x, free, labels);
      // Every row is broken without a budget (row 14 is misclassified already and comes back as x).
      expect(f.broken.every(Boolean)).toBe(true);
      const size = norm === 'linf' ? f.linf : f.l2;
      for (const epsilon of norm === 'linf' ? [0.03, 0.07] : [0.3, 0.6]) {
        const bounded = await fab(mlp, x, labels, { norm, epsilon });
        const expected = tf.tidy(() => tf.where(tf.reshape(tf.lessEqual(tf.tensor1d(size), epsilon), [-1, 1]), free, x));
        const diffs = await rowDiffs(bounded, expected);
        tf.dispose([bounded, expected]);
        expect(Math.max(...diffs), `${norm} ${epsilon}`).toBe(0);
        const inside = size.filter((s) => s > 0 && s <= epsilon).length;
        expect(inside).toBeGreaterThan(5);
        expect(inside).toBeLessThan(95);
      }
      free.dispose();
    }
    x.dispose();
  });

  it('finds the exact boundary of a linear single-logit model (within 2 % after 10 steps)', async () => {
    const x = inputs();
    const [w, c] = tf.tidy(() => {
      const wt = tf.randomNormal([D, 1], 0, 0.5, 'float32', 7);
      const z = tf.matMul(x, wt);
      // The bias puts the boundary halfway between the 50th and 51st logit: no row sits on it.
      const middle = tf.slice(tf.topk(tf.reshape(z, [-1]), N / 2 + 1).values, N / 2 - 1, 2);
      return [wt, tf.neg(tf.mean(middle))];
    });
    const wv = await numbers(w!);
    const cv = (await c!.data())[0]!;
    const single = (t: tf.Tensor): tf.Tensor => tf.add(tf.matMul(t as tf.Tensor2D, w!), c!);
    const twoLogits = (t: tf.Tensor): tf.Tensor => tf.tidy(() => {
      const z = single(t);
      return tf.concat([tf.zerosLike(z), z], 1);
    });
    const xv = await x.array();
    // The exact L-inf distance to z = 0 in the box: the radius λ at which moving every pixel by
    // min(λ, its room) against the sign of its weight makes the logit change sign.
    const exact = xv.map((row) => {
      const z = row.reduce((s, v, j) => s + v * wv[j]!, cv);
      const room = wv.map((wj, j) => (wj * Math.sign(z) > 0 ? row[j]! : 1 - row[j]!));
      const drop = (l: number): number => wv.reduce((s, wj, j) => s + Math.abs(wj) * Math.min(l, room[j]!), 0);
      if (drop(1) < Math.abs(z)) return Infinity;
      let [a, b] = [0, 1];
      for (let k = 0; k < 100; k++) [a, b] = drop((a + b) / 2) < Math.abs(z) ? [(a + b) / 2, b] : [a, (a + b) / 2];
      return b;
    });
    // Labels omitted: the model's own predictions (every row is then correctly classified).
    const adv = await fab(single, x, undefined, {});
    const predicted = xv.map((row) => (row.reduce((s, v, j) => s + v * wv[j]!, cv) > 0 ? 1 : 0));
    const o = await outcome(twoLogits, x, adv, predicted);
    let reached = 0;
    for (let i = 0; i < N; i++) {
      if (!Number.isFinite(exact[i]!)) continue;
      reached++;
      expect(o.broken[i], `row ${i}`).toBe(true);
      expect(o.linf[i]!).toBeGreaterThanOrEqual(exact[i]! * (1 - 1e-4));
      // The first step overshoots by eta (5 %); the backward steps then shrink it to within 1 %.
      expect(o.linf[i]!).toBeLessThanOrEqual(exact[i]! * 1.02);
    }
    expect(reached).toBeGreaterThan(N / 2);
    // The same model with logits [0, z], and as a sigmoid LayersModel (probabilities), gives the same points.
    const adv2 = await fab(twoLogits, x, predicted, {});
    expect(Math.max(...await rowDiffs(adv, adv2))).toBeLessThanOrEqual(1e-6);
    const sigmoid = tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: [D], activation: 'sigmoid' })] });
    sigmoid.setWeights([w!, tf.reshape(c!, [1])]);
    const advSigmoid = await fab(sigmoid, x, predicted, {});
    const diffs = await rowDiffs(adv, advSigmoid);
    expect(diffs.filter((d) => d > 1e-4).length).toBeLessThanOrEqual(2);
    const t1 = await fabTargeted(single, x, predicted, {});
    expect(Math.max(...await rowDiffs(adv, t1))).toBeLessThanOrEqual(1e-6);
    tf.dispose([x, w!, c!, adv, adv2, advSigmoid, t1]);
    sigmoid.dispose();
  });

  it('a probability model gives the points of its logits', async () => {
    const x = inputs();
    const probabilities = (t: tf.Tensor): tf.Tensor => tf.softmax(logits(t));
    for (const run of [fab, fabTargeted]) {
      const a = await run(logits, x, labels, { epsilon: 0.1 });
      const b = await run(probabilities, x, labels, { epsilon: 0.1, modelOutput: 'probabilities' });
      const diffs = await rowDiffs(a, b);
      tf.dispose([a, b]);
      // log-softmax differences are logit differences up to float32 rounding (and the 1e-7
      // probability floor, which only hides classes more than 16 logits behind).
      expect(diffs.filter((d) => d > 1e-4).length).toBeLessThanOrEqual(3);
    }
    x.dispose();
  });

  it('works in any input box: scaling inputs and box scales the points', async () => {
    const x = inputs();
    const scaled = tf.tidy(() => tf.sub(tf.mul(x, 3), 1));
    const unscaling = (t: tf.Tensor): tf.Tensor => logits(tf.div(tf.add(t, 1), 3));
    const a = await fab(mlp, x, labels, { epsilon: 0.08 });
    const b = await fab(unscaling, scaled, labels, { epsilon: 0.24, clipMin: -1, clipMax: 2 });
    const back = tf.tidy(() => tf.div(tf.add(b, 1), 3));
    const diffs = await rowDiffs(a, back);
    expect(diffs.filter((d) => d > 1e-4).length).toBeLessThanOrEqual(3);
    const range = await tf.tidy(() => tf.stack([tf.min(b), tf.max(b)])).data();
    expect(range[0]).toBeGreaterThanOrEqual(-1);
    expect(range[1]).toBeLessThanOrEqual(2);
    tf.dispose([x, scaled, a, b, back]);
  });

  it('restarts: reproducible with a seeded Rng; later restarts only add broken rows, all within epsilon', async () => {
    const x = inputs(40);
    const y = labels.slice(0, 40);
    for (const norm of ['linf', 'l2'] as const) {
      const epsilon = norm === 'linf' ? 0.05 : 0.4;
      const one = await fab(mlp, x, y, { norm, epsilon });
      const r1 = await fab(mlp, x, y, { norm, epsilon, restarts: 4, rng: seededRng(3) });
      const r2 = await fab(mlp, x, y, { norm, epsilon, restarts: 4, rng: seededRng(3) });
      expect(Math.max(...await rowDiffs(r1, r2))).toBe(0);
      const o1 = await outcome(logits, x, one, y);
      const o4 = await outcome(logits, x, r1, y);
      const diffs = await rowDiffs(one, r1);
      for (let i = 0; i < 40; i++) {
        // A row broken by the first run keeps that run's point.
        if (o1.broken[i]) expect(diffs[i], `row ${i}`).toBe(0);
        if (o4.broken[i]) expect(norm === 'linf' ? o4.linf[i]! : o4.l2[i]!).toBeLessThanOrEqual(epsilon * (1 + 1e-6));
        else expect(o4.l2[i]).toBe(0);
      }
      const t = await fabTargeted(mlp, x, y, { norm, epsilon, restarts: 2, rng: seededRng(3), targetClasses: 3 });
      const t2 = await fabTargeted(mlp, x, y, { norm, epsilon, restarts: 2, rng: seededRng(3), targetClasses: 3 });
      expect(Math.max(...await rowDiffs(t, t2))).toBe(0);
      tf.dispose([one, r1, r2, t, t2]);
    }
    x.dispose();
  });

  it('later restarts start from seeded random points around x (the first run starts at x)', async () => {
    const rows = 20;
    const x = inputs(rows);
    const y = new Array<number>(rows).fill(0);
    for (const norm of ['linf', 'l2'] as const) {
      const epsilon = norm === 'linf' ? 0.1 : 0.5;
      // Class 1's logit grows with the squared distance from the clean row beyond a dead zone of
      // radius epsilon / 10, where its gradient is zero: FAB started at x never moves (float32
      // rounding of its combination step stays inside the zone), while a random start at distance
      // epsilon / 2 finds the boundary, which lies at distance 0.6 epsilon (every pixel can move by
      // 0.6 epsilon in at least one direction).
      const squared = (r: number): number => (norm === 'linf' ? D * r * r : r * r);
      const [dead, boundary] = [squared(0.1 * epsilon), squared(0.6 * epsilon)];
      const model = (t: tf.Tensor): tf.Tensor => tf.tidy(() => {
        const clean = tf.tile(x, [t.shape[0]! / rows, 1]);
        const s = tf.sum(tf.square(tf.sub(t, clean)), 1, true);
        return tf.mul(tf.sub(tf.relu(tf.sub(s, dead)), boundary - dead), 1000);
      });
      const once = await fab(model, x, y, { norm, epsilon });
      expect(Math.max(...await rowDiffs(once, x))).toBe(0);
      const [a, b] = [
        await fab(model, x, y, { norm, epsilon, restarts: 3, rng: seededRng(9) }),
        await fab(model, x, y, { norm, epsilon, restarts: 3, rng: seededRng(9) }),
      ];
      expect(Math.max(...await rowDiffs(a, b))).toBe(0);
      const twoLogits = (t: tf.Tensor): tf.Tensor => tf.tidy(() => {
        const z = model(t);
        return tf.concat([tf.zerosLike(z), z], 1);
      });
      const o = await outcome(twoLogits, x, a, y);
      const size = norm === 'linf' ? o.linf : o.l2;
      expect(o.broken.filter(Boolean).length).toBeGreaterThanOrEqual(0.75 * rows);
      for (let i = 0; i < rows; i++) {
        if (!o.broken[i]) continue;
        expect(size[i]!).toBeLessThanOrEqual(epsilon * (1 + 1e-6));
        expect(size[i]!).toBeGreaterThanOrEqual(0.6 * epsilon * (1 - 1e-4));
      }
      tf.dispose([once, a, b]);
    }
    x.dispose();
  });

  it('accepts one-hot labels and any input rank (the CNN takes [8, 8, 1] images)', async () => {
    const cnn = referenceModel('cnn');
    const x = tf.tensor4d(digits.x.slice(0, 20 * D), [20, 8, 8, 1]);
    const oneHot = tf.oneHot(tf.tensor1d(labels.slice(0, 20), 'int32'), 10);
    const a = await fab(cnn, x, labels.slice(0, 20), { epsilon: 0.1, steps: 5 });
    const b = await fab(cnn, x, oneHot, { epsilon: 0.1, steps: 5 });
    expect(a.shape).toEqual([20, 8, 8, 1]);
    expect(Math.max(...await rowDiffs(a, b))).toBe(0);
    tf.dispose([x, oneHot, a, b]);
    cnn.dispose();
  });

  it('splitting the class gradients over several passes (large inputs) gives the same points', async () => {
    const x = inputs(30);
    const y = labels.slice(0, 30);
    const once = await fab(mlp, x, y, { epsilon: 0.1 });
    const saved = stacking.maxElements;
    // 30 rows of 64 features: 3 classes per pass, so 4 passes for the 10 classes.
    stacking.maxElements = 30 * 64 * 3 + 5;
    try {
      const split = await fab(mlp, x, y, { epsilon: 0.1 });
      expect(Math.max(...await rowDiffs(once, split))).toBeLessThanOrEqual(1e-6);
      const o = await outcome(logits, x, split, y);
      expect(o.broken.filter(Boolean).length).toBeGreaterThan(10);
      split.dispose();
    } finally {
      stacking.maxElements = saved;
    }
    tf.dispose([x, once]);
  });

  it('leaves no tensors behind', async () => {
    const x = inputs(12);
    const y = labels.slice(0, 12);
    await expectNoLeaks(() => fab(mlp, x, y, { epsilon: 0.05, steps: 3, restarts: 2, rng: seededRng(1) }));
    await expectNoLeaks(() => fab(mlp, x, y, { norm: 'l2', steps: 3 }));
    await expectNoLeaks(() => fabTargeted(mlp, x, y, { epsilon: 0.1, steps: 2, targetClasses: 3 }));
    await expectNoLeaks(() => fabTargeted(mlp, x, y, { norm: 'l2', epsilon: 0.5, steps: 2, restarts: 2, rng: seededRng(2) }));
    x.dispose();
  });

  it('stops on abort with an AbortedError, and leaks nothing', async () => {
    const x = inputs(20);
    const y = labels.slice(0, 20);
    const before = tf.memory().numTensors;
    for (const run of [fab, fabTargeted]) {
      const controller = new AbortController();
      let calls = 0;
      // The model aborts from inside the attack: FAB must notice at its next step boundary.
      const model = (t: tf.Tensor): tf.Tensor => {
        if (++calls === 12) controller.abort('enough');
        return logits(t);
      };
      const error = await run(model, x, y, { epsilon: 0.1, steps: 1000, signal: controller.signal }).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(AbortedError);
      expect((error as AbortedError).fn).toBe(run === fab ? 'fab' : 'fabTargeted');
      const pre = new AbortController();
      pre.abort();
      await expect(run(mlp, x, y, { epsilon: 0.1, signal: pre.signal })).rejects.toBeInstanceOf(AbortedError);
    }
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('rejects bad options with typed errors', async () => {
    const x = inputs(4);
    const y = labels.slice(0, 4);
    const bad: [Record<string, unknown>, string][] = [
      [{ targeted: true }, 'options.targeted'],
      [{ loss: () => tf.zeros([4]) }, 'options.loss'],
      [{ norm: 'l1' }, 'options.norm'],
      [{ epsilon: -0.1 }, 'options.epsilon'],
      [{ epsilon: Number.NaN }, 'options.epsilon'],
      [{ steps: 0 }, 'options.steps'],
      [{ steps: 2.5 }, 'options.steps'],
      [{ restarts: 0 }, 'options.restarts'],
      [{ restarts: 2 }, 'options.restarts'], // without a finite epsilon
      [{ alphaMax: 1.5 }, 'options.alphaMax'],
      [{ eta: 0.9 }, 'options.eta'],
      [{ beta: 1 }, 'options.beta'],
      [{ beta: 0 }, 'options.beta'],
      [{ rng: Math.random }, 'options.rng'],
      [{ clipMin: 1, clipMax: 0 }, 'options.clipMax'],
    ];
    for (const [options, argument] of bad) {
      await expect(fab(mlp, x, y, options), argument).rejects.toMatchObject({ name: 'InvalidArgumentError', argument });
      await expect(fabTargeted(mlp, x, y, options), argument).rejects.toMatchObject({ name: 'InvalidArgumentError', argument });
    }
    for (const targetClasses of [0, 10, 1.5]) {
      await expect(fabTargeted(mlp, x, y, { targetClasses })).rejects.toMatchObject({ name: 'InvalidArgumentError', argument: 'options.targetClasses' });
    }
    await expect(fab(mlp, x, [1, 2, 3], {})).rejects.toMatchObject({ name: 'InvalidArgumentError' });
    await expect(fab(mlp, tf.mul(x, 2), y, {})).rejects.toMatchObject({ name: 'InvalidArgumentError', argument: 'x' });
    await expect(fab(mlp, x, y, 'fast' as never)).rejects.toMatchObject({ name: 'InvalidArgumentError', argument: 'options' });
    x.dispose();
  });
});

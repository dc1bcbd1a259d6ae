/**
 * Square's contract: the ball and the box on every row (L-inf and L2, any input range), rows
 * returned unchanged unless broken, every model form (non-differentiable, hard-label scores,
 * single-logit and sigmoid binary models, probabilities, targets), every input rank, the query
 * budget, seeded reproducibility, abort, the event loop, leaks and error paths.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, expect, it } from 'vitest';
import digits from '../fixtures/robustness/digits_test.json';
import { AbortedError, seededRng } from '../../src/core/index.js';
import { pgd } from '../../src/robustness/index.js';
import { square, type SquareOptions } from '../../src/robustness/square/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';
import { referenceModel } from './referenceModels.js';

type Fn = (x: tf.Tensor) => tf.Tensor;

const digitsX = (n: number, shape: number[] = [64]): tf.Tensor => tf.tensor(digits.x.slice(0, n * 64), [n, ...shape]);
const digitsY = (n: number): number[] => digits.labels.slice(0, n);

/** Per row: L-inf and L2 distance to x, min and max value, and the predicted class. */
async function inspect(model: Fn, x: tf.Tensor, adv: tf.Tensor): Promise<{ linf: number[]; l2: number[]; lo: number[]; hi: number[]; pred: number[]; same: boolean[] }> {
  const n = x.shape[0] as number;
  const d = tf.reshape(tf.sub(adv, x), [n, -1]);
  const a = tf.reshape(adv, [n, -1]);
  const out = model(adv);
  const predT = out.shape[1] === 1 ? tf.cast(tf.reshape(tf.greater(out, 0), [-1]), 'int32') : tf.argMax(out, 1);
  const [linf, l2, lo, hi, pred, diff] = await Promise.all([
    tf.max(tf.abs(d), 1).array(), tf.norm(d, 'euclidean', 1).array(), tf.min(a, 1).array(), tf.max(a, 1).array(), predT.array(),
    tf.max(tf.abs(d), 1).array(),
  ]) as number[][];
  tf.dispose([d, a, out, predT]);
  return { linf: linf!, l2: l2!, lo: lo!, hi: hi!, pred: pred!, same: diff!.map((v) => v === 0) };
}

/** Checks the ball, the box, and that a row is changed only when it is misclassified. */
async function expectContract(model: Fn, x: tf.Tensor, y: number[], adv: tf.Tensor, o: { norm: 'linf' | 'l2'; epsilon: number; clipMin?: number; clipMax?: number }): Promise<number> {
  expect(adv.shape).toEqual(x.shape);
  const r = await inspect(model, x, adv);
  let broken = 0;
  y.forEach((label, i) => {
    if (o.norm === 'linf') expect(r.linf[i]).toBeLessThanOrEqual(o.epsilon + 1e-6);
    else expect(r.l2[i]).toBeLessThanOrEqual(o.epsilon * (1 + 1e-5));
    expect(r.lo[i]).toBeGreaterThanOrEqual(o.clipMin ?? 0);
    expect(r.hi[i]).toBeLessThanOrEqual(o.clipMax ?? 1);
    if (!r.same[i]) {
      expect(r.pred[i], `row ${i} changed but still classified as its label`).not.toBe(label);
      broken++;
    }
  });
  return broken;
}

describeBackends('square', () => {
  let mlp: tfl.Sequential;
  const mlpFn: Fn = (t) => mlp.predict(t) as tf.Tensor;
  beforeAll(() => {
    mlp = referenceModel('mlp');
  });

  for (const norm of ['linf', 'l2'] as const) {
    const epsilon = norm === 'linf' ? 0.1 : 1;
    it(`${norm}: ball, box and unchanged unbroken rows, on the MLP and the CNN; it breaks rows`, async () => {
      const n = 30;
      const y = digitsY(n);
      for (const name of ['mlp', 'cnn'] as const) {
        const model = referenceModel(name);
        const fn: Fn = (t) => model.predict(t) as tf.Tensor;
        const x = digitsX(n, name === 'mlp' ? [64] : [8, 8, 1]);
        const adv = await square(model, x, y, { norm, epsilon, queries: 300, rng: seededRng(1) });
        const broken = await expectContract(fn, x, y, adv, { norm, epsilon });
        expect(broken, `${name} ${norm}`).toBeGreaterThanOrEqual(10);
        tf.dispose([x, adv]);
        model.dispose();
      }
    });

    it(`${norm}: another input range ([-1, 1]) and a single row`, async () => {
      const n = 20;
      const y = digitsY(n);
      const x01 = digitsX(n);
      const x = tf.sub(tf.mul(x01, 2), 1);
      const scaled: Fn = (t) => mlp.predict(tf.div(tf.add(t, 1), 2)) as tf.Tensor;
      const o = { norm, epsilon: 2 * epsilon, clipMin: -1, clipMax: 1 };
      const adv = await square(scaled, x, y, { ...o, queries: 200, rng: seededRng(2) });
      expect(await expectContract(scaled, x, y, adv, o)).toBeGreaterThanOrEqual(5);
      const one = tf.slice(x, 0, 1);
      const advOne = await square(scaled, one, [y[0]!], { ...o, queries: 50, rng: seededRng(2) });
      await expectContract(scaled, one, [y[0]!], advOne, o);
      tf.dispose([x01, x, adv, one, advOne]);
    });
  }

  it('works on models without usable gradients, where PGD throws or does nothing', async () => {
    const n = 30;
    const x = digitsX(n);
    const y = digitsY(n);
    const hard: Fn = (t) => tf.tidy(() => tf.cast(tf.oneHot(tf.argMax(mlpFn(t), 1), 10), 'float32'));
    const quantized: Fn = (t) => tf.tidy(() => mlpFn(tf.div(tf.round(tf.mul(t, 4)), 4)));
    // Hard labels leave only the random search's luck (no score to descend): a larger ball.
    for (const [kind, model, epsilon] of [['hard', hard, 0.25], ['quantized', quantized, 0.15]] as const) {
      const clean = n - (await inspect(model, x, x)).pred.filter((p, i) => p !== y[i]).length;
      const viaPgd = await pgd(model, x, y, { epsilon, stepSize: 0.03, steps: 10, randomStart: false }).then(
        async (adv) => {
          const r = await inspect(model, x, adv);
          adv.dispose();
          return r.pred.filter((p, i) => p === y[i]).length;
        },
        () => clean, // throwing counts as breaking nothing
      );
      expect(viaPgd).toBe(clean);
      const adv = await square(model, x, y, { epsilon, queries: 300, rng: seededRng(3) });
      const broken = await expectContract(model, x, y, adv, { norm: 'linf', epsilon });
      expect(broken, `${kind}: clean ${clean}`).toBeGreaterThanOrEqual(5);
      adv.dispose();
    }
    x.dispose();
  });

  it('binary models: a single logit (function) and a sigmoid LayersModel', async () => {
    const n = 40;
    const x = digitsX(n);
    const w = tf.tensor2d(Array.from({ length: 64 }, (_, i) => Math.sin(i * 1.7)), [64, 1]);
    const logit: Fn = (t) => tf.tidy(() => tf.sub(tf.matMul(t as tf.Tensor2D, w), 0.3));
    const y = (await inspect(logit, x, x)).pred; // attack the model's own predictions
    const sigmoid = tfl.sequential({ layers: [tfl.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [64] })] });
    sigmoid.setWeights([w, tf.tensor1d([-0.3])]);
    for (const model of [logit, sigmoid]) {
      const adv = await square(model, x, y, { epsilon: 0.1, queries: 200, rng: seededRng(4) });
      expect(await expectContract(logit, x, y, adv, { norm: 'linf', epsilon: 0.1 })).toBeGreaterThanOrEqual(10);
      adv.dispose();
    }
    const advL2 = await square(logit, x, tf.tensor1d(y, 'int32'), { norm: 'l2', epsilon: 0.8, queries: 200, rng: seededRng(4) });
    expect(await expectContract(logit, x, y, advL2, { norm: 'l2', epsilon: 0.8 })).toBeGreaterThanOrEqual(10);
    tf.dispose([x, w, advL2]);
    sigmoid.dispose();
  });

  it('probability outputs, one-hot labels and omitted labels attack the same problem', async () => {
    const n = 20;
    const x = digitsX(n);
    const y = digitsY(n);
    const probs: Fn = (t) => tf.tidy(() => tf.softmax(mlpFn(t)));
    const o: SquareOptions = { epsilon: 0.1, queries: 100 };
    const byIndex = await square(mlp, x, y, { ...o, rng: seededRng(5) });
    const oneHot = tf.oneHot(tf.tensor1d(y, 'int32'), 10);
    const byOneHot = await square(mlp, x, oneHot, { ...o, rng: seededRng(5) });
    expect(await byOneHot.array()).toEqual(await byIndex.array());
    const viaProbs = await square(probs, x, y, { ...o, modelOutput: 'probabilities', rng: seededRng(5) });
    const a = await inspect(mlpFn, x, viaProbs);
    const b = await inspect(mlpFn, x, byIndex);
    expect(Math.abs(a.same.filter(Boolean).length - b.same.filter(Boolean).length)).toBeLessThanOrEqual(2);
    await expectContract(mlpFn, x, y, viaProbs, { norm: 'linf', epsilon: 0.1 });
    // Omitted labels: the model's predictions (here equal to y on the clean-correct rows).
    const own = await square(mlp, x, undefined, { ...o, rng: seededRng(5) });
    await expectContract(mlpFn, x, (await inspect(mlpFn, x, x)).pred, own, { norm: 'linf', epsilon: 0.1 });
    tf.dispose([x, byIndex, oneHot, byOneHot, viaProbs, own]);
  });

  it('targeted: rows that reach their target carry it, the others come back unchanged', async () => {
    const n = 30;
    const x = digitsX(n);
    const targets = digitsY(n).map((l) => (l + 1) % 10);
    for (const loss of ['margin', 'ce'] as const) {
      const adv = await square(mlp, x, targets, { epsilon: 0.2, queries: 300, targeted: true, loss, rng: seededRng(6) });
      const r = await inspect(mlpFn, x, adv);
      let reached = 0;
      targets.forEach((t, i) => {
        expect(r.linf[i]).toBeLessThanOrEqual(0.2 + 1e-6);
        if (!r.same[i]) {
          expect(r.pred[i]).toBe(t);
          reached++;
        }
      });
      expect(reached, loss).toBeGreaterThanOrEqual(5);
      adv.dispose();
    }
    x.dispose();
  });

  it('windows over every input rank: 1 x n feature rows, [batch, h, w] and multi-channel NHWC', async () => {
    const x10 = tf.tensor2d(Array.from({ length: 200 }, (_, i) => (Math.sin(i) + 1) / 2), [20, 10]);
    const w10 = tf.tensor2d(Array.from({ length: 30 }, (_, i) => Math.cos(i * 2.3)), [10, 3]);
    const lin10: Fn = (t) => tf.matMul(t as tf.Tensor2D, w10);
    const x3 = digitsX(20, [8, 8]);
    const flat: Fn = (t) => mlpFn(tf.reshape(t, [-1, 64]));
    const xc = tf.tensor4d(Array.from({ length: 20 * 90 }, (_, i) => (Math.cos(i * 0.37) + 1) / 2), [20, 6, 5, 3]);
    const wc = tf.tensor2d(Array.from({ length: 90 * 4 }, (_, i) => Math.sin(i * 0.91)), [90, 4]);
    const linC: Fn = (t) => tf.matMul(tf.reshape(t, [-1, 90]), wc);
    for (const [model, x] of [[lin10, x10], [flat, x3], [linC, xc]] as const) {
      const y = (await inspect(model, x, x)).pred;
      for (const norm of ['linf', 'l2'] as const) {
        const epsilon = norm === 'linf' ? 0.15 : 0.6;
        const adv = await square(model, x, y, { norm, epsilon, queries: 150, rng: seededRng(7) });
        expect(await expectContract(model, x, y, adv, { norm, epsilon }), `${x.shape} ${norm}`).toBeGreaterThanOrEqual(3);
        adv.dispose();
      }
    }
    tf.dispose([x10, w10, x3, xc, wc]);
  });

  it('query budget: one clean query, then at most `queries` per row and restart, only rows still searching', async () => {
    const n = 5;
    const x = digitsX(n);
    const log: number[] = [];
    // Always class 0 by a wide margin: no row ever breaks, so every row spends its whole budget.
    const stubborn: Fn = (t) => {
      log.push(t.shape[0] as number);
      return tf.tidy(() => tf.add(tf.mul(tf.sum(t, 1, true), 0), tf.tensor2d([[50, 0, 0]])));
    };
    const zeros = new Array<number>(n).fill(0);
    (await square(stubborn, x, zeros, { epsilon: 0.1, queries: 7, restarts: 2, rng: seededRng(8) })).dispose();
    // One row probes the output size, n rows for the clean query, then 2 restarts of 7 queries.
    expect(log).toEqual([1, n, ...new Array<number>(14).fill(n)]);
    // On the MLP rows drop out as they break; the batches shrink and the total stays in budget.
    log.length = 0;
    const counted: Fn = (t) => {
      log.push(t.shape[0] as number);
      return mlpFn(t);
    };
    const m = 30;
    const xm = digitsX(m);
    (await square(counted, xm, digitsY(m), { epsilon: 0.1, queries: 200, rng: seededRng(8) })).dispose();
    const run = log.slice(2);
    expect(run.length).toBeLessThanOrEqual(200);
    for (let i = 1; i < run.length; i++) expect(run[i]!).toBeLessThanOrEqual(run[i - 1]!);
    expect(run.reduce((a, b) => a + b, 0)).toBeLessThan(run[0]! * 200);
    expect(run[run.length - 1]!).toBeLessThan(run[0]!);
    tf.dispose([x, xm]);
  });

  it('seeded runs are reproducible; other seeds differ', async () => {
    const x = digitsX(20);
    const y = digitsY(20);
    for (const norm of ['linf', 'l2'] as const) {
      const o: SquareOptions = { norm, epsilon: norm === 'linf' ? 0.1 : 1, queries: 60 };
      const a = await square(mlp, x, y, { ...o, rng: seededRng('a') });
      const b = await square(mlp, x, y, { ...o, rng: seededRng('a') });
      const c = await square(mlp, x, y, { ...o, rng: seededRng('c') });
      expect(await a.data()).toEqual(await b.data());
      expect(await a.data()).not.toEqual(await c.data());
      tf.dispose([a, b, c]);
    }
    x.dispose();
  });

  it('epsilon 0 returns a copy of x', async () => {
    const x = digitsX(4);
    const adv = await square(mlp, x, digitsY(4), { epsilon: 0 });
    expect(await adv.data()).toEqual(await x.data());
    expect(adv).not.toBe(x);
    tf.dispose([x, adv]);
  });

  it('leaves no tensors behind (L-inf, L2, restarts, and a model that fails mid-run)', async () => {
    const x = digitsX(10);
    const y = digitsY(10);
    for (const norm of ['linf', 'l2'] as const) {
      await expectNoLeaks(() => square(mlp, x, y, { norm, epsilon: norm === 'linf' ? 0.1 : 1, queries: 30, restarts: 2, rng: seededRng(9) }));
    }
    let calls = 0;
    const failing: Fn = (t) => {
      if (++calls === 12) throw new Error('model failed');
      return mlpFn(t);
    };
    const before = tf.memory().numTensors;
    await expect(square(failing, x, y, { epsilon: 0.1, queries: 30 })).rejects.toThrow('model failed');
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('stops on abort with AbortedError, leaving nothing behind, and yields to timers meanwhile', async () => {
    const x = digitsX(20);
    const y = digitsY(20);
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    let ticks = 0;
    const timer = setInterval(() => {
      ticks++;
    }, 5);
    setTimeout(() => controller.abort(), 150);
    await expect(square(mlp, x, y, { epsilon: 0.01, queries: 1_000_000, signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
    clearInterval(timer);
    expect(ticks).toBeGreaterThanOrEqual(5);
    expect(tf.memory().numTensors).toBe(before);
    await expect(square(mlp, x, y, { epsilon: 0.1, signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('rejects bad arguments with typed errors', async () => {
    const x = digitsX(3);
    const y = digitsY(3);
    const bad: Array<[Partial<SquareOptions> | Record<string, unknown>, string]> = [
      [{ epsilon: -0.1 }, 'options.epsilon'],
      [{ epsilon: undefined }, 'options.epsilon'],
      [{ norm: 'l1' }, 'options.norm'],
      [{ queries: 0 }, 'options.queries'],
      [{ queries: 2.5 }, 'options.queries'],
      [{ pInit: 0 }, 'options.pInit'],
      [{ pInit: 1.5 }, 'options.pInit'],
      [{ restarts: 0 }, 'options.restarts'],
      [{ loss: 'dlr' }, 'options.loss'],
      [{ loss: (l: tf.Tensor) => l }, 'options.loss'],
      [{ rescaleSchedule: 'yes' }, 'options.rescaleSchedule'],
      [{ windowPositions: 'last' }, 'options.windowPositions'],
      [{ rng: Math.random }, 'options.rng'],
      [{ clipMax: 0.5 }, 'x'],
      [{ modelOutput: 'scores' }, 'options.modelOutput'],
    ];
    for (const [o, argument] of bad) {
      await expect(square(mlp, x, y, { epsilon: 0.1, ...o } as SquareOptions), argument).rejects.toMatchObject({ name: 'InvalidArgumentError', argument });
    }
    await expect(square(mlp, x, undefined, { epsilon: 0.1, targeted: true })).rejects.toMatchObject({ name: 'InvalidArgumentError', argument: 'y' });
    await expect(square(mlp, x, [1, 2], { epsilon: 0.1 })).rejects.toMatchObject({ name: 'InvalidArgumentError', argument: 'y' });
    const x5 = tf.zeros([2, 2, 2, 2, 2]);
    await expect(square((t) => tf.zeros([t.shape[0] as number, 3]), x5, [0, 1], { epsilon: 0.1 })).rejects.toMatchObject({ name: 'InvalidArgumentError', argument: 'x' });
    const wrong: Fn = (t) => tf.zeros([t.shape[0] as number, 10, 1]);
    await expect(square(wrong, x, tf.oneHot(tf.tensor1d(y, 'int32'), 10), { epsilon: 0.1 })).rejects.toMatchObject({ name: 'InvalidArgumentError', argument: 'model' });
    await expect(square(mlp, x, y, null as unknown as SquareOptions)).rejects.toMatchObject({ name: 'InvalidArgumentError', argument: 'options' });
    tf.dispose([x, x5]);
  });
});

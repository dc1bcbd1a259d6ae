import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { insertCanaries, mislabelledCanaries, outOfDistributionCanaries } from '../../src/audit/index.js';
import { seededRng } from '../../src/core/rng.js';
import { describeBackends } from '../helpers/backends.js';
import { expectInvalidArgument } from '../helpers/errors.js';
import { expectNoLeaks } from '../helpers/leaks.js';

describeBackends('canaries', () => {
  const x = (): tf.Tensor2D => tf.tensor2d(Array.from({ length: 20 * 3 }, (_, i) => i), [20, 3]);
  const y = Int32Array.from({ length: 20 }, (_, i) => i % 4);

  it('mislabelledCanaries copies distinct rows and gives each a label other than its own', async () => {
    const xs = x();
    const c = await mislabelledCanaries(xs, y, { count: 12, numClasses: 4, rng: seededRng('m') });
    expect(new Set(c.sourceRows).size).toBe(12);
    const rows = (await c.x.array()) as number[][];
    c.sourceRows!.forEach((src, i) => {
      expect(rows[i]).toEqual([src * 3, src * 3 + 1, src * 3 + 2]);
      expect(c.y[i]).not.toBe(y[src]);
      expect(c.y[i]).toBeGreaterThanOrEqual(0);
      expect(c.y[i]).toBeLessThan(4);
    });
    c.x.dispose();
    xs.dispose();
  });

  it('mislabelled labels are uniform over the other classes', async () => {
    const xs = tf.zeros([4000, 1]);
    const c = await mislabelledCanaries(xs, new Int32Array(4000), { count: 4000, numClasses: 5, rng: seededRng('u') });
    const counts = [0, 0, 0, 0, 0];
    c.y.forEach((v) => counts[v]!++);
    expect(counts[0]).toBe(0);
    // 1000 expected per class; 4 standard deviations is about 110.
    for (const k of [1, 2, 3, 4]) expect(Math.abs(counts[k]! - 1000)).toBeLessThan(110);
    c.x.dispose();
    xs.dispose();
  });

  it('outOfDistributionCanaries: uniform in [low, high), seeded, the same on every backend', async () => {
    const a = outOfDistributionCanaries({ count: 50, shape: [4, 2], numClasses: 3, low: -2, high: 2, rng: seededRng('o') });
    const b = outOfDistributionCanaries({ count: 50, shape: [4, 2], numClasses: 3, low: -2, high: 2, rng: seededRng('o') });
    expect(a.x.shape).toEqual([50, 4, 2]);
    const va = await a.x.data();
    expect(Array.from(va)).toEqual(Array.from(await b.x.data()));
    expect(Math.min(...va)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...va)).toBeLessThan(2);
    expect(Math.min(...va)).toBeLessThan(-1.5);
    expect(new Set(a.y).size).toBe(3);
    tf.dispose([a.x, b.x]);
  });

  it('insertCanaries includes each canary with probability 1/2 and records where it went', async () => {
    const xs = x();
    const c = outOfDistributionCanaries({ count: 400, shape: [3], numClasses: 4, low: 100, high: 101, rng: seededRng('c') });
    const t = await insertCanaries(xs, y, c, { rng: seededRng('i') });
    const inCount = t.included.reduce((a, b) => a + b, 0);
    // Binomial(400, 1/2): mean 200, sd 10.
    expect(Math.abs(inCount - 200)).toBeLessThan(40);
    expect(t.x.shape).toEqual([20 + inCount, 3]);
    expect(t.y.length).toBe(20 + inCount);
    const rows = (await t.x.array()) as number[][];
    const cx = (await c.x.array()) as number[][];
    t.canaryRows.forEach((row, i) => {
      expect(row >= 0).toBe(t.included[i] === 1);
      if (row >= 0) {
        expect(rows[row]).toEqual(cx[i]);
        expect(t.y[row]).toBe(c.y[i]);
      }
    });
    // The data rows are all there with their labels (values < 100 identify them).
    const dataRows = rows.map((r, j) => [r, t.y[j]] as const).filter(([r]) => r[0]! < 100);
    expect(dataRows.map(([r, l]) => [r[0]! / 3, l]).sort((a, b) => a[0]! - b[0]!)).toEqual(Array.from({ length: 20 }, (_, i) => [i, i % 4]));
    // The order is shuffled (canaries are not all at the end).
    expect(t.canaryRows.filter((r) => r >= 0 && r < 20).length).toBeGreaterThan(0);
    tf.dispose([xs, c.x, t.x]);
  });

  it('the same seed gives the same inclusion and order; keepOrder keeps the data first', async () => {
    const xs = x();
    const c = outOfDistributionCanaries({ count: 30, shape: [3], numClasses: 4, rng: seededRng('c') });
    const a = await insertCanaries(xs, y, c, { rng: seededRng('s') });
    const b = await insertCanaries(xs, y, c, { rng: seededRng('s') });
    expect(Array.from(a.included)).toEqual(Array.from(b.included));
    expect(Array.from(a.canaryRows)).toEqual(Array.from(b.canaryRows));
    const k = await insertCanaries(xs, y, c, { rng: seededRng('s'), keepOrder: true });
    expect(Array.from(k.y.slice(0, 20))).toEqual(Array.from(y));
    tf.dispose([xs, c.x, a.x, b.x, k.x]);
  });

  it('leaves no tensors behind', async () => {
    const xs = x();
    const yTensor = tf.tensor1d(y, 'int32');
    await expectNoLeaks(async () => {
      const c = await mislabelledCanaries(xs, yTensor, { count: 5, numClasses: 4, rng: seededRng(1) });
      const o = outOfDistributionCanaries({ count: 5, shape: [3], numClasses: 4, rng: seededRng(2) });
      const t = await insertCanaries(xs, y, c, { rng: seededRng(3) });
      return [c.x, o.x, t.x];
    });
    tf.dispose([xs, yTensor]);
  });

  it('rejects bad input with typed errors', async () => {
    const xs = x();
    await expect(mislabelledCanaries(xs, y, { count: 0, numClasses: 4 })).rejects.toThrow(/options\.count/);
    await expect(mislabelledCanaries(xs, y, { count: 21, numClasses: 4 })).rejects.toThrow(/at most the 20 rows/);
    await expect(mislabelledCanaries(xs, y, { count: 2, numClasses: 1 })).rejects.toThrow(/options\.numClasses/);
    await expect(mislabelledCanaries(xs, y, { count: 2, numClasses: 3 })).rejects.toThrow(/y\[3\]/);
    await expect(mislabelledCanaries(xs, y.slice(0, 5), { count: 2, numClasses: 4 })).rejects.toThrow(/20 labels/);
    expectInvalidArgument(() => outOfDistributionCanaries({ count: 0.5, shape: [3], numClasses: 4 }), 'outOfDistributionCanaries', 'options.count', /integer/);
    expectInvalidArgument(() => outOfDistributionCanaries({ count: 2, shape: [], numClasses: 4 }), 'outOfDistributionCanaries', 'options.shape', /non-empty/);
    expectInvalidArgument(() => outOfDistributionCanaries({ count: 2, shape: [3], numClasses: 4, low: 1, high: 1 }), 'outOfDistributionCanaries', 'options.high', /greater than options\.low/);
    const c = outOfDistributionCanaries({ count: 2, shape: [4], numClasses: 4 });
    await expect(insertCanaries(xs, y, c)).rejects.toThrow(/examples of shape \[3\]/);
    await expect(insertCanaries(xs, y, { x: c.x, y: new Int32Array(3), kind: 'custom' })).rejects.toThrow(/2 labels/);
    await expect(insertCanaries(xs, y, {} as never)).rejects.toThrow(/CanarySet/);
    tf.dispose([xs, c.x]);
  });
});

/**
 * Square's building blocks: the window-size schedule, window sides, the image geometry of each
 * input rank, the window patterns (worked by hand from torchattacks' `eta_rectangles` / `eta`),
 * the corner draw (every position, or torchattacks' which skips the last), the L-inf stripe start
 * and the L2 tile start.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { imageShape, squareGeometry } from '../../src/robustness/square/geometry.js';
import { linfStripes } from '../../src/robustness/square/linf.js';
import { l2Start } from '../../src/robustness/square/l2.js';
import { centredBump, splitPattern, startTiles } from '../../src/robustness/square/patterns.js';
import { SCHEDULE_BREAKPOINTS, windowFraction, windowSides } from '../../src/robustness/square/schedule.js';
import { corners, placePatterns, windowMask } from '../../src/robustness/square/windows.js';
import { describeBackends } from '../helpers/backends.js';
import { expectInvalidArgument } from '../helpers/errors.js';

const G8 = { height: 8, width: 8, channels: 1 };

it('p halves once the rescaled iteration passes 10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000', () => {
  expect(SCHEDULE_BREAKPOINTS).toEqual([10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000]);
  // On the 10,000 scale (queries = 10000) the index is the iteration itself.
  const at = (i: number): number => windowFraction(i, 10000, 0.8, true);
  expect(at(0)).toBe(0.8);
  expect(at(10)).toBe(0.8);
  expect(at(11)).toBe(0.4);
  expect(at(50)).toBe(0.4);
  expect(at(51)).toBe(0.2);
  const divisors = SCHEDULE_BREAKPOINTS.map((b) => 0.8 / at(b + 1));
  expect(divisors).toEqual([2, 4, 8, 16, 32, 64, 128, 256, 512]);
  expect(SCHEDULE_BREAKPOINTS.map((b) => 0.8 / at(b))).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256]);
  expect(at(9999)).toBe(0.8 / 512);
});

it('the rescaled schedule maps iteration i of a budget to floor(i / queries * 10000)', () => {
  // 1000 queries: i' = 10 i, so p halves after iterations 1, 5, 20, 50, 100, 200, 400, 600, 800.
  const p = (i: number): number => windowFraction(i, 1000, 0.8, true);
  expect([0, 1, 2, 5, 6, 20, 21, 50, 51, 100, 101, 800, 801, 999].map((i) => 0.8 / p(i)))
    .toEqual([1, 1, 2, 2, 4, 4, 8, 8, 16, 16, 32, 256, 512, 512]);
  // 5000 queries: i' = 2 i.
  expect(windowFraction(5, 5000, 0.8, true)).toBe(0.8);
  expect(windowFraction(6, 5000, 0.8, true)).toBe(0.4);
  // Without rescaling the breakpoints are absolute iterations, whatever the budget.
  expect(windowFraction(11, 1000, 0.5, false)).toBe(0.25);
  expect(windowFraction(999, 1000, 0.5, false)).toBe(0.5 / 16);
});

it('window sides: round(sqrt(p h w)), at least 1 (L-inf) or at least 3 and odd (L2)', () => {
  const ps = [0.8, 0.4, 0.2, 0.1, 0.05, 0.025, 0.0125];
  expect(ps.map((p) => windowSides(p, G8, 'linf')[0])).toEqual([7, 5, 4, 3, 2, 1, 1]);
  expect(ps.map((p) => windowSides(p, G8, 'l2')[0])).toEqual([7, 5, 5, 3, 3, 3, 3]);
  expect(windowSides(1, G8, 'linf')).toEqual([8, 8]);
  expect(windowSides(1, G8, 'l2')).toEqual([8, 8]); // 9 capped to the image
  // A 1 x n row of features: runs of about p n consecutive features.
  expect(windowSides(0.8, { height: 1, width: 10, channels: 1 }, 'linf')).toEqual([1, 8]);
  expect(windowSides(0.1, { height: 1, width: 10, channels: 1 }, 'linf')).toEqual([1, 1]);
  expect(windowSides(0.4, { height: 1, width: 10, channels: 1 }, 'l2')).toEqual([1, 5]);
  expect(windowSides(0.8, { height: 20, width: 2, channels: 3 }, 'linf')).toEqual([16, 2]);
  expect(windowSides(0.1, { height: 20, width: 2, channels: 3 }, 'linf')).toEqual([2, 2]);
});

it('window patterns: the nested rectangles of torchattacks\' eta, worked by hand for s = 3', () => {
  // eta_rectangles(1, 3): ring 0 adds 1 at the centre, ring 1 adds 1/4 to the whole row.
  const n1 = Math.sqrt(0.25 ** 2 * 2 + 1.25 ** 2);
  expect(Array.from(centredBump(1, 3))).toEqual([0.25 / n1, 1.25 / n1, 0.25 / n1].map((v) => expect.closeTo(v, 12)));
  // eta_rectangles(2, 3): centre at (1, 1); ring 1 covers rows 0..1 and columns 0..2.
  const n2 = Math.sqrt(0.25 ** 2 * 5 + 1.25 ** 2);
  expect(Array.from(centredBump(2, 3))).toEqual([0.25, 0.25, 0.25, 0.25, 1.25, 0.25].map((v) => expect.closeTo(v / n2, 12)));
  // eta(3): top row +eta_rectangles(1, 3), bottom rows -eta_rectangles(2, 3), over sqrt(2).
  const rows = Array.from(splitPattern(3, 3, true));
  const expected = [...Array.from(centredBump(1, 3)), ...Array.from(centredBump(2, 3)).map((v) => -v)].map((v) => v / Math.SQRT2);
  rows.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
  // Split across columns: the transpose for a square window.
  const cols = Array.from(splitPattern(3, 3, false));
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) expect(cols[r * 3 + c]).toBeCloseTo(rows[c * 3 + r]!, 7);
  // Unit norm, both signs, for every size used on 8x8 images; one sign for a 1-row split.
  for (const s of [1, 3, 5, 7]) {
    const p = Array.from(splitPattern(s, s, true));
    expect(Math.hypot(...p)).toBeCloseTo(1, 6);
    if (s > 1) expect(Math.min(...p) < 0 && Math.max(...p) > 0).toBe(true);
  }
  expect(Math.max(...Array.from(splitPattern(1, 4, true)))).toBeLessThan(0);
});

it('L2 start tiles on 8x8: 1x1 tiles on rows and columns 1..7 (torchattacks\' grid)', () => {
  const t = startTiles(G8);
  expect(t.tiles).toBe(49);
  for (let r = 0; r < 8; r++) {
    for (let c = 0; c < 8; c++) {
      const inside = r >= 1 && c >= 1;
      expect(t.tileOf[r * 8 + c]).toBe(inside ? (r - 1) * 7 + c - 1 : 49);
      expect(Math.abs(t.alongRows[r * 8 + c]!)).toBe(inside ? 1 : 0);
    }
  }
  // 32x32 (CIFAR): tiles of 6 from 1: 1..30 along each axis.
  const big = startTiles({ height: 32, width: 32, channels: 3 });
  expect(big.tiles).toBe(25);
  expect(big.tileOf[0]).toBe(25);
  expect(big.tileOf[1 * 32 + 1]).toBe(0);
  expect(big.tileOf[30 * 32 + 30]).toBe(24);
  expect(big.tileOf[31 * 32 + 31]).toBe(25);
});

describeBackends('square building blocks', () => {
  it('geometry: NHWC, one-channel images, square feature rows as k x k, others as 1 x n', () => {
    const g = (shape: number[]): unknown => {
      const t = tf.zeros(shape);
      try {
        return squareGeometry('square', t);
      } finally {
        t.dispose();
      }
    };
    expect(g([2, 8, 8, 1])).toEqual(G8);
    expect(g([2, 5, 7, 3])).toEqual({ height: 5, width: 7, channels: 3 });
    expect(g([2, 4, 6])).toEqual({ height: 4, width: 6, channels: 1 });
    expect(g([2, 64])).toEqual(G8);
    expect(g([2, 1])).toEqual({ height: 1, width: 1, channels: 1 });
    expect(g([2, 10])).toEqual({ height: 1, width: 10, channels: 1 });
    expect(imageShape(3, G8)).toEqual([3, 8, 8, 1]);
    expectInvalidArgument(() => g([1, 2, 2, 2, 2]), 'square', 'x', /rank 2/);
  });

  it('corners: every position 0..dim-side, or torchattacks\' 0..dim-side-1', async () => {
    const u = tf.tensor1d(Array.from({ length: 1000 }, (_, i) => i / 1000));
    const all = new Set(await corners(u, 8, 3, 'all').data());
    const ta = new Set(await corners(u, 8, 3, 'torchattacks').data());
    expect([...all].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect([...ta].sort()).toEqual([0, 1, 2, 3, 4]);
    // s = 7 on 8: torchattacks always picks 0, so the last row and column stay out of every window.
    expect([...new Set(await corners(u, 8, 7, 'torchattacks').data())]).toEqual([0]);
    expect([...new Set(await corners(u, 8, 8, 'torchattacks').data())]).toEqual([0]);
    // A uniform that rounds up to 1 in float32 still gives the last position, not one past it.
    expect(Array.from(await corners(tf.tensor1d([0.99999999]), 8, 3, 'all').data())).toEqual([5]);
    u.dispose();
  });

  it('window masks and placed patterns land at each row\'s own corner', async () => {
    const vh = tf.tensor1d([0, 5]);
    const vw = tf.tensor1d([6, 1]);
    const mask = windowMask(vh, vw, [3, 2], G8);
    expect(mask.shape).toEqual([2, 8, 8, 1]);
    const m = await mask.array() as number[][][][];
    for (let i = 0; i < 2; i++) {
      for (let r = 0; r < 8; r++) {
        for (let c = 0; c < 8; c++) {
          const [h0, w0] = i === 0 ? [0, 6] : [5, 1];
          const inside = r >= h0 && r < h0 + 3 && c >= w0 && c < w0 + 2;
          expect(m[i]![r]![c]![0]).toBe(inside ? 1 : 0);
        }
      }
    }
    const pattern = tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [2, 3, 2]);
    const placed = await placePatterns(vh, vw, pattern, G8).array() as number[][][][];
    expect([placed[0]![0]![6]![0], placed[0]![2]![7]![0], placed[1]![5]![1]![0], placed[1]![7]![2]![0], placed[1]![0]![0]![0]])
      .toEqual([1, 6, 7, 12, 0]);
    tf.dispose([vh, vw, mask, pattern]);
  });

  it('L-inf start: vertical stripes x ± eps, one sign per row, column and channel, clipped', async () => {
    const x = tf.fill([6, 5, 7, 2], 0.5);
    const start = await linfStripes(x, 0.1, 0, 1, 42).array() as number[][][][];
    const signs = new Set<string>();
    for (let i = 0; i < 6; i++) {
      for (let c = 0; c < 7; c++) {
        for (let k = 0; k < 2; k++) {
          const column = start[i]!.map((row) => row[c]![k]!);
          expect(new Set(column).size).toBe(1);
          expect(Math.abs(column[0]! - 0.5)).toBeCloseTo(0.1, 6);
          signs.add(`${i}:${column[0]! > 0.5}`);
        }
      }
    }
    expect(signs.size).toBe(12); // both signs in every row
    // Clipping to the box: at 0 a stripe is 0 or eps.
    const z = tf.zeros([50, 8, 8, 1]);
    const clipped = new Set(Array.from(await linfStripes(z, 0.1, 0, 1, 7).data()).map((v) => Math.round(v * 1e6)));
    expect([...clipped].sort((a, b) => a - b)).toEqual([0, 100000]);
    tf.dispose([x, z]);
  });

  it('L2 start: norm eps, zero on row and column 0 of 8x8, ±eps/7 on the 49 tiles before clipping', async () => {
    const x = tf.fill([4, 8, 8, 1], 0.5);
    const start = l2Start(x, 0.7, 0, 1, startTiles(G8), G8, 3);
    const d = await tf.sub(start, x).array() as number[][][][];
    for (const row of d) {
      let sq = 0;
      const values = new Set<number>();
      row.forEach((line, r) => line.forEach(([v], c) => {
        sq += v! * v!;
        if (r === 0 || c === 0) expect(v).toBe(0);
        else values.add(Math.round(v! * 1e5));
      }));
      expect(Math.sqrt(sq)).toBeCloseTo(0.7, 5);
      expect([...values].sort((a, b) => a - b)).toEqual([-10000, 10000]);
    }
    tf.dispose([x, start]);
  });
});

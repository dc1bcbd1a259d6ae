import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/index.js';
import { dominates, fixedWeights, lagrangian, mgda, normalizedWeights, paretoFront, paretoSweep, weightGrid } from '../../src/objectives/index.js';

describe('Pareto front', () => {
  const obj = { acc: 'max', gap: 'min' } as const;

  it('keeps exactly the non-dominated points', () => {
    const pts = [
      { acc: 0.85, gap: 0.2 }, // front
      { acc: 0.8, gap: 0.05 }, // front
      { acc: 0.79, gap: 0.1 }, // dominated by 1
      { acc: 0.85, gap: 0.25 }, // dominated by 0 (equal acc, worse gap)
      { acc: 0.7, gap: 0.01 }, // front
      { acc: 0.8, gap: 0.05 }, // duplicate of 1: kept
    ];
    expect(paretoFront(pts, obj)).toEqual([0, 1, 4, 5]);
    expect(dominates(pts[1]!, pts[2]!, obj)).toBe(true);
    expect(dominates(pts[1]!, pts[5]!, obj)).toBe(false);
    expect(paretoFront([], obj)).toEqual([]);
  });

  it('agrees with a brute-force definition on a 3-objective grid', () => {
    const pts: Record<string, number>[] = [];
    for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) pts.push({ a, b, c: (a * 7 + b * 3) % 5 });
    const o = { a: 'min', b: 'max', c: 'min' } as const;
    const front = paretoFront(pts, o);
    const brute = pts.map((p, i) => i).filter((i) => !pts.some((q) => q.a! <= pts[i]!.a! && q.b! >= pts[i]!.b! && q.c! <= pts[i]!.c! && (q.a! < pts[i]!.a! || q.b! > pts[i]!.b! || q.c! < pts[i]!.c!)));
    expect(front).toEqual(brute);
  });

  it('front points are mutually non-dominated and dominate every other point (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ acc: fc.integer({ min: 0, max: 5 }), gap: fc.integer({ min: 0, max: 5 }) }), { maxLength: 25 }), (pts) => {
        const front = paretoFront(pts, obj);
        const inFront = new Set(front);
        for (const i of front) for (const j of front) expect(dominates(pts[i]!, pts[j]!, obj)).toBe(false);
        pts.forEach((p, i) => {
          if (!inFront.has(i)) expect(front.some((f) => dominates(pts[f]!, p, obj))).toBe(true);
        });
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  it('sweeps a weight grid and returns its front', async () => {
    const grid = weightGrid({ w: [0, 1, 2], v: [0, 1] });
    expect(grid).toHaveLength(6);
    expect(grid[1]).toEqual({ w: 0, v: 1 });
    const seen: number[] = [];
    const { points, front } = await paretoSweep({
      grid,
      run: async (weights) => ({ acc: 0.9 - 0.05 * weights.w! - 0.01 * weights.v!, gap: 0.3 / (1 + weights.w!) + 0.01 * weights.v! }),
      objectives: obj,
      onPoint: (_p, i) => {
        seen.push(i);
      },
    });
    expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
    expect(points).toHaveLength(6);
    // v = 1 costs accuracy and adds gap: dominated; every w with v = 0 is on the front.
    expect(front.map((p) => p.weights)).toEqual([{ w: 0, v: 0 }, { w: 1, v: 0 }, { w: 2, v: 0 }]);
  });

  it('rejects bad inputs with typed errors', async () => {
    expect(() => paretoFront([{ acc: Number.NaN, gap: 0 }], obj)).toThrow("argument 'points[0].acc' must be a finite number");
    expect(() => paretoFront([{ acc: 1 }], obj)).toThrow(/points\[0\].gap/);
    expect(() => paretoFront([], {})).toThrow(InvalidArgumentError);
    expect(() => paretoFront([], { acc: 'up' as 'max' })).toThrow(/one of "min", "max"/);
    expect(() => weightGrid({ w: [] })).toThrow(/non-empty/);
    expect(() => weightGrid({ w: [-1] })).toThrow("weightGrid: argument 'candidates.w[0]' must be a finite number >= 0, got -1");
    await expect(paretoSweep({ grid: [], run: async () => ({}), objectives: obj })).rejects.toThrow(/non-empty array/);
    await expect(paretoSweep({ grid: [{}], run: async () => ({ acc: 1 }), objectives: obj })).rejects.toThrow(/every objective/);
  });
});

describe('strategy constructors', () => {
  it('validate their settings', () => {
    expect(fixedWeights({ a: 1 }).weights).toEqual({ a: 1 });
    expect(() => fixedWeights({ a: -1 })).toThrow("fixedWeights: argument 'weights.a' must be a finite number >= 0, got -1");
    expect(() => normalizedWeights({ minMagnitude: 0 })).toThrow(/minMagnitude/);
    expect(() => lagrangian({ bounds: {} })).toThrow(/at least one bounded term/);
    expect(() => lagrangian({ bounds: { dp: -0.1 } })).toThrow("lagrangian: argument 'options.bounds.dp' must be a finite number >= 0, got -0.1");
    expect(() => lagrangian({ bounds: { dp: 0.1 }, multiplierLearningRate: 0 })).toThrow(/multiplierLearningRate/);
    expect(() => lagrangian({ bounds: { dp: 0.1 }, initialMultipliers: { other: 1 } })).toThrow(/bounded term/);
    expect(() => lagrangian({ bounds: { dp: 0.1 }, weights: { dp: 1 } })).toThrow(/either bounded or weighted/);
    expect(() => mgda({ normalization: 'max' as 'l2' })).toThrow(InvalidArgumentError);
    expect(mgda().normalization).toBe('none');
  });
});

import { describe, expect, it } from 'vitest';
import { sampleClients } from '../../src/federated/algorithms/sampleClients.js';
import { seededRng } from '../../src/core/rng.js';
import { expectInvalidArgument } from '../helpers/errors.js';

/** |count - T p| within z binomial standard deviations. */
function expectBinomial(count: number, trials: number, p: number, z = 5.5): void {
  const sd = Math.sqrt(trials * p * (1 - p));
  expect(Math.abs(count - trials * p), `count ${count}, expected ${trials * p} +- ${z * sd}`).toBeLessThanOrEqual(z * sd);
}

function expectSortedDistinct(ids: Int32Array, n: number): void {
  for (let i = 0; i < ids.length; i++) {
    expect(ids[i]).toBeGreaterThanOrEqual(0);
    expect(ids[i]).toBeLessThan(n);
    if (i > 0) expect(ids[i]).toBeGreaterThan(ids[i - 1]!);
  }
}

describe('sampleClients uniform', () => {
  it('returns exactly clientsPerRound sorted distinct ids, each included with frequency k/n', () => {
    const rng = seededRng(1);
    const n = 20, k = 5, trials = 20000;
    const counts = new Array<number>(n).fill(0);
    for (let t = 0; t < trials; t++) {
      const ids = sampleClients({ numClients: n, method: 'uniform', clientsPerRound: k, rng });
      expect(ids).toBeInstanceOf(Int32Array);
      expect(ids.length).toBe(k);
      expectSortedDistinct(ids, n);
      for (const i of ids) counts[i]!++;
    }
    counts.forEach((c) => expectBinomial(c, trials, k / n));
  });

  it('makes every subset equally likely (n = 5, k = 2: ten subsets)', () => {
    const rng = seededRng(2);
    const trials = 30000;
    const seen = new Map<string, number>();
    for (let t = 0; t < trials; t++) {
      const key = sampleClients({ numClients: 5, method: 'uniform', clientsPerRound: 2, rng }).join(',');
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    expect(seen.size).toBe(10);
    for (const c of seen.values()) expectBinomial(c, trials, 0.1);
  });

  it('handles k = n, k = 1 and a huge population in O(k)', () => {
    const rng = seededRng(3);
    expect(Array.from(sampleClients({ numClients: 4, method: 'uniform', clientsPerRound: 4, rng }))).toEqual([0, 1, 2, 3]);
    expect(sampleClients({ numClients: 1, method: 'uniform', clientsPerRound: 1, rng })).toEqual(new Int32Array([0]));
    const start = performance.now();
    const ids = sampleClients({ numClients: 2147483647, method: 'uniform', clientsPerRound: 1000, rng });
    expect(performance.now() - start).toBeLessThan(500);
    expect(ids.length).toBe(1000);
    expectSortedDistinct(ids, 2147483647);
  });

  it('is reproducible with a seeded rng', () => {
    const a = sampleClients({ numClients: 1000, method: 'uniform', clientsPerRound: 10, rng: seededRng('x') });
    const b = sampleClients({ numClients: 1000, method: 'uniform', clientsPerRound: 10, rng: seededRng('x') });
    expect(a).toEqual(b);
  });
});

describe('sampleClients poisson', () => {
  it('includes each client independently with probability sampleRate', () => {
    const rng = seededRng(4);
    const n = 50, q = 0.3, trials = 20000;
    const counts = new Array<number>(n).fill(0);
    let total = 0;
    let sumSq = 0;
    for (let t = 0; t < trials; t++) {
      const ids = sampleClients({ numClients: n, method: 'poisson', sampleRate: q, rng });
      expectSortedDistinct(ids, n);
      for (const i of ids) counts[i]!++;
      total += ids.length;
      sumSq += ids.length ** 2;
    }
    counts.forEach((c) => expectBinomial(c, trials, q));
    // Round sizes are Binomial(n, q): mean n q, variance n q (1 - q).
    const meanSize = total / trials;
    expect(Math.abs(meanSize - n * q)).toBeLessThan(5.5 * Math.sqrt((n * q * (1 - q)) / trials));
    expect(sumSq / trials - meanSize ** 2).toBeCloseTo(n * q * (1 - q), 0);
  });

  it('is correct and fast for sampleRate 1e-6 over a million clients (geometric skips)', () => {
    const rng = seededRng(5);
    const n = 1_000_000, q = 1e-6, trials = 20000;
    let total = 0;
    let idSum = 0;
    const start = performance.now();
    for (let t = 0; t < trials; t++) {
      const ids = sampleClients({ numClients: n, method: 'poisson', sampleRate: q, rng });
      expectSortedDistinct(ids, n);
      total += ids.length;
      for (const i of ids) idSum += i;
    }
    expect(performance.now() - start).toBeLessThan(5000);
    // Total picks ~ Binomial(n * trials, q), about Poisson(20000).
    expectBinomial(total, n * trials, q);
    // Picked ids are uniform over [0, n): their mean is n/2 with sd n / sqrt(12 * total).
    expect(Math.abs(idSum / total - (n - 1) / 2)).toBeLessThan((5.5 * n) / Math.sqrt(12 * total));
  });

  it('handles sampleRate 1 and tiny rates over the largest population', () => {
    const rng = seededRng(6);
    expect(Array.from(sampleClients({ numClients: 5, method: 'poisson', sampleRate: 1, rng }))).toEqual([0, 1, 2, 3, 4]);
    const ids = sampleClients({ numClients: 2147483647, method: 'poisson', sampleRate: 1e-300, rng });
    expect(ids.length).toBe(0);
    const some = sampleClients({ numClients: 2147483647, method: 'poisson', sampleRate: 1e-7, rng });
    expectSortedDistinct(some, 2147483647);
    expect(some.length).toBeGreaterThan(100);
    expect(some.length).toBeLessThan(500);
  });

  it('refuses bad options', () => {
    const rng = seededRng(7);
    const f = 'sampleClients';
    expectInvalidArgument(() => sampleClients({ numClients: 0, method: 'uniform', clientsPerRound: 1, rng }), f, 'options.numClients', /integer >= 1/);
    expectInvalidArgument(() => sampleClients({ numClients: 2 ** 31, method: 'uniform', clientsPerRound: 1, rng }), f, 'options.numClients', /2147483647/);
    expectInvalidArgument(() => sampleClients({ numClients: 5, method: 'shuffle' as 'uniform', clientsPerRound: 1, rng }), f, 'options.method', /one of/);
    expectInvalidArgument(() => sampleClients({ numClients: 5, method: 'uniform', clientsPerRound: 6, rng }), f, 'options.clientsPerRound', /\[1, 5\]/);
    expectInvalidArgument(() => sampleClients({ numClients: 5, method: 'uniform', clientsPerRound: 1.5, rng }), f, 'options.clientsPerRound', /integer/);
    expectInvalidArgument(() => sampleClients({ numClients: 5, method: 'poisson', sampleRate: 0, rng }), f, 'options.sampleRate', /\(0, 1\]/);
    expectInvalidArgument(() => sampleClients({ numClients: 5, method: 'poisson', sampleRate: 1.1, rng }), f, 'options.sampleRate', /\(0, 1\]/);
    expectInvalidArgument(() => sampleClients({ numClients: 5, method: 'poisson', sampleRate: Number.NaN, rng }), f, 'options.sampleRate', /\(0, 1\]/);
    expectInvalidArgument(() => sampleClients({ numClients: 5, method: 'poisson', sampleRate: 0.5 } as never), f, 'options.rng', /Rng/);
    expectInvalidArgument(() => sampleClients({ numClients: 5, method: 'poisson', sampleRate: 0.5, rng: {} as never }), f, 'options.rng', /Rng/);
  });
});

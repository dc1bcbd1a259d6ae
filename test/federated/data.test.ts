import { describe, expect, it } from 'vitest';
import { dirichletPartition } from '../../src/federated/data/dirichletPartition.js';
import { dirichletLogWeights, logGammaSample, normaliseLogWeights } from '../../src/federated/data/gammaSampling.js';
import { iidPartition } from '../../src/federated/data/iidPartition.js';
import { seededRng } from '../../src/core/rng.js';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { expectInvalidArgument } from '../helpers/errors.js';

/** 10 classes, 200 examples each, interleaved. */
const labels = Int32Array.from({ length: 2000 }, (_, i) => i % 10);

function expectEveryIndexOnce(parts: Int32Array[], n: number): void {
  const seen = new Uint8Array(n);
  for (const p of parts) for (const i of p) seen[i]!++;
  expect(seen.every((c) => c === 1)).toBe(true);
}

/** Mean over clients of the entropy (nats) of their label distribution. */
function meanLabelEntropy(parts: Int32Array[]): number {
  let total = 0;
  for (const p of parts) {
    const counts = new Map<number, number>();
    for (const i of p) counts.set(labels[i]!, (counts.get(labels[i]!) ?? 0) + 1);
    let h = 0;
    for (const c of counts.values()) h -= (c / p.length) * Math.log(c / p.length);
    total += h;
  }
  return total / parts.length;
}

describe('gamma and Dirichlet sampling', () => {
  it('Gamma(a) draws have mean a and variance a (Marsaglia–Tsang, boosted below 1)', () => {
    const rng = seededRng(1);
    const draws = 40000;
    for (const a of [0.1, 0.5, 1, 3.7, 50]) {
      let s = 0, s2 = 0;
      for (let i = 0; i < draws; i++) {
        const g = Math.exp(logGammaSample(a, rng));
        s += g;
        s2 += g * g;
      }
      const mean = s / draws;
      const variance = s2 / draws - mean * mean;
      // sd of the sample mean is sqrt(a / draws); the variance estimate is looser (heavy tail for small a).
      expect(Math.abs(mean - a), `mean for a = ${a}`).toBeLessThan(5 * Math.sqrt(a / draws));
      expect(Math.abs(variance / a - 1), `variance for a = ${a}`).toBeLessThan(a < 1 ? 0.15 : 0.05);
    }
  });

  it('Dirichlet components have mean alpha_i / sum(alpha) and stay finite for alpha 1e-3', () => {
    const rng = seededRng(2);
    const alphas = [0.2, 1, 3];
    const sums = [0, 0, 0];
    const draws = 20000;
    for (let t = 0; t < draws; t++) normaliseLogWeights(dirichletLogWeights(alphas, rng)).forEach((p, i) => { sums[i]! += p; });
    sums.forEach((s, i) => expect(Math.abs(s / draws - alphas[i]! / 4.2)).toBeLessThan(0.01));
    for (let t = 0; t < 100; t++) {
      const p = normaliseLogWeights(dirichletLogWeights([1e-3, 1e-3, 1e-3, 1e-3], rng));
      expect(p.every(Number.isFinite)).toBe(true);
      expect(p.reduce((a, b) => a + b)).toBeCloseTo(1, 12);
    }
  });
});

describe('dirichletPartition', () => {
  it('assigns every index exactly once, for every option combination', () => {
    for (const alpha of [0.05, 0.5, 5, 1e4]) {
      for (const selfBalancing of [false, true]) {
        for (const shuffle of [false, true]) {
          const parts = dirichletPartition({ labels, numClients: 17, alpha, rng: seededRng(`${alpha}${selfBalancing}${shuffle}`), selfBalancing, shuffle, minPartitionSize: 0 });
          expect(parts.length).toBe(17);
          parts.forEach((p) => expect(p).toBeInstanceOf(Int32Array));
          expectEveryIndexOnce(parts, labels.length);
        }
      }
    }
  });

  it('honours minPartitionSize (redrawing) and says so when it cannot', () => {
    const parts = dirichletPartition({ labels, numClients: 20, alpha: 0.3, rng: seededRng(3), minPartitionSize: 20, maxAttempts: 200 });
    expect(Math.min(...parts.map((p) => p.length))).toBeGreaterThanOrEqual(20);
    expectEveryIndexOnce(parts, labels.length);
    let error: unknown;
    try {
      dirichletPartition({ labels, numClients: 50, alpha: 0.01, rng: seededRng(4), minPartitionSize: 39, maxAttempts: 3 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).argument).toBe('options.minPartitionSize');
    expect((error as Error).message).toMatch(/after 3 Dirichlet draws/);
  });

  it('smaller alpha gives more label skew (lower mean per-client label entropy)', () => {
    const entropy = (alpha: number): number => {
      let h = 0;
      for (let s = 0; s < 5; s++) h += meanLabelEntropy(dirichletPartition({ labels, numClients: 10, alpha, rng: seededRng(s), minPartitionSize: 0 }));
      return h / 5;
    };
    const hs = [0.05, 0.3, 1, 10, 1e4].map(entropy);
    for (let i = 1; i < hs.length; i++) expect(hs[i]).toBeGreaterThan(hs[i - 1]!);
    expect(hs[0]).toBeLessThan(0.5 * Math.log(10));
    // Huge alpha: close to IID, every client sees all 10 classes almost equally.
    expect(hs[4]).toBeGreaterThan(0.99 * Math.log(10));
  });

  it('with huge alpha each client gets about 1/k of every class', () => {
    const parts = dirichletPartition({ labels, numClients: 8, alpha: 1e6, rng: seededRng(5) });
    for (const p of parts) {
      expect(Math.abs(p.length - 250)).toBeLessThanOrEqual(10);
      const counts = new Array<number>(10).fill(0);
      for (const i of p) counts[labels[i]!]!++;
      counts.forEach((c) => expect(Math.abs(c - 25)).toBeLessThanOrEqual(1));
    }
  });

  it('without shuffle, a client holds its classes in label order and data order; per-client alpha works', () => {
    const parts = dirichletPartition({ labels, numClients: 4, alpha: [0.5, 1, 2, 4], rng: seededRng(6), shuffle: false });
    for (const p of parts) {
      for (let i = 1; i < p.length; i++) {
        const a = labels[p[i - 1]!]!, b = labels[p[i]!]!;
        expect(a < b || (a === b && p[i - 1]! < p[i]!)).toBe(true);
      }
    }
    // Per-client concentration sets the expected share: client j gets alpha_j / 7.5 of the data.
    const shares = [0, 0, 0, 0];
    for (let s = 0; s < 40; s++) {
      dirichletPartition({ labels, numClients: 4, alpha: [0.5, 1, 2, 4], rng: seededRng(100 + s), minPartitionSize: 0 })
        .forEach((p, j) => { shares[j]! += p.length / labels.length / 40; });
    }
    [0.5, 1, 2, 4].forEach((a, j) => expect(Math.abs(shares[j]! - a / 7.5)).toBeLessThan(0.04));
  });

  it('selfBalancing keeps clients near the mean size', () => {
    const spread = (selfBalancing: boolean): number => {
      let s = 0;
      for (let seed = 0; seed < 10; seed++) {
        const sizes = dirichletPartition({ labels, numClients: 10, alpha: 0.3, rng: seededRng(seed), selfBalancing, minPartitionSize: 0 }).map((p) => p.length);
        s += Math.max(...sizes);
      }
      return s / 10;
    };
    expect(spread(true)).toBeLessThan(spread(false));
  });

  it('scales to many clients (150k) and gives one client everything, grouped by class', () => {
    const many = Int32Array.from({ length: 150000 }, (_, i) => i % 3);
    const parts = dirichletPartition({ labels: many, numClients: 150000, alpha: 1, rng: seededRng(11), minPartitionSize: 0 });
    expectEveryIndexOnce(parts, many.length);
    const one = dirichletPartition({ labels: [2, 0, 1, 0, 2], numClients: 1, alpha: 0.1, rng: seededRng(12), shuffle: false });
    expect(Array.from(one[0]!)).toEqual([1, 3, 2, 0, 4]);
  });

  it('treats labels as values (any finite numbers), sorted numerically', () => {
    const odd = [-1, 2.5, -1, 2.5, 1e9, 1e9, -1, 2.5];
    const parts = dirichletPartition({ labels: odd, numClients: 2, alpha: 1, rng: seededRng(7), minPartitionSize: 0 });
    expectEveryIndexOnce(parts, odd.length);
  });

  it('is reproducible with a seeded rng', () => {
    const a = dirichletPartition({ labels, numClients: 5, alpha: 0.5, rng: seededRng('r') });
    const b = dirichletPartition({ labels, numClients: 5, alpha: 0.5, rng: seededRng('r') });
    expect(a).toEqual(b);
  });

  it('refuses bad options', () => {
    const rng = seededRng(8);
    const f = 'dirichletPartition';
    expectInvalidArgument(() => dirichletPartition({ labels: [], numClients: 1, alpha: 1, rng }), f, 'options.labels', /non-empty/);
    expectInvalidArgument(() => dirichletPartition({ labels: [0, Number.NaN], numClients: 1, alpha: 1, rng }), f, 'options.labels[1]', /finite/);
    expectInvalidArgument(() => dirichletPartition({ labels: [0, 1], numClients: 3, alpha: 1, rng }), f, 'options.numClients', /\[1, 2\]/);
    expectInvalidArgument(() => dirichletPartition({ labels, numClients: 2, alpha: 0, rng }), f, 'options.alpha', /> 0/);
    expectInvalidArgument(() => dirichletPartition({ labels, numClients: 2, alpha: [1], rng }), f, 'options.alpha', /array of numClients/);
    expectInvalidArgument(() => dirichletPartition({ labels, numClients: 2, alpha: [1, Infinity], rng }), f, 'options.alpha[1]', /finite/);
    expectInvalidArgument(() => dirichletPartition({ labels, numClients: 2, alpha: 1 } as never), f, 'options.rng', /Rng/);
    expectInvalidArgument(() => dirichletPartition({ labels, numClients: 2, alpha: 1, rng, minPartitionSize: 1001 }), f, 'options.minPartitionSize', /at most 1000/);
    expectInvalidArgument(() => dirichletPartition({ labels, numClients: 2, alpha: 1, rng, maxAttempts: 0 }), f, 'options.maxAttempts', /integer >= 1/);
  });
});

describe('iidPartition', () => {
  it('cuts a random permutation into parts differing by at most one', () => {
    const parts = iidPartition({ numExamples: 10, numClients: 3, rng: seededRng(0) });
    expect(parts.map((p) => p.length)).toEqual([4, 3, 3]);
    expectEveryIndexOnce(parts, 10);
    // Each example lands in client 0 with probability 4/10.
    const rng = seededRng(9);
    let inFirst = 0;
    const trials = 20000;
    for (let t = 0; t < trials; t++) if (iidPartition({ numExamples: 10, numClients: 3, rng })[0]!.includes(7)) inFirst++;
    expect(Math.abs(inFirst - trials * 0.4)).toBeLessThan(5.5 * Math.sqrt(trials * 0.24));
  });

  it('refuses bad options', () => {
    const rng = seededRng(1);
    expectInvalidArgument(() => iidPartition({ numExamples: 3, numClients: 4, rng }), 'iidPartition', 'options.numClients', /\[1, 3\]/);
    expectInvalidArgument(() => iidPartition({ numExamples: 0, numClients: 1, rng }), 'iidPartition', 'options.numExamples', /integer >= 1/);
    expectInvalidArgument(() => iidPartition({ numExamples: 3, numClients: 1 } as never), 'iidPartition', 'options.rng', /Rng/);
  });
});

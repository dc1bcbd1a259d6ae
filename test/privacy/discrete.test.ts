import { describe, expect, it } from 'vitest';
import { seededRng } from '../../src/core/rng.js';
import { RdpAccountant, discreteGaussianMechanism, discreteLaplaceMechanism } from '../../src/privacy/index.js';
import { discreteGaussianParams, sampleDiscreteGaussianCentered } from '../../src/privacy/mechanisms/samplers/centeredDiscreteGaussian.js';
import { bernoulliExp, bernoulliRational, uniformBigInt } from '../../src/privacy/mechanisms/samplers/exact.js';
import { sampleRoundedLaplace } from '../../src/privacy/mechanisms/samplers/roundedLaplace.js';
import { chiSquare, chiSquareCritical, laplaceCdf } from './stats.js';

function discreteLaplacePmf(scale: number): (k: number) => number {
  const a = Math.exp(-1 / scale);
  return (k) => ((1 - a) / (1 + a)) * Math.pow(a, Math.abs(k));
}

function discreteGaussianPmf(sigma: number): (k: number) => number {
  let z = 0;
  for (let k = -Math.ceil(40 * sigma); k <= Math.ceil(40 * sigma); k++) z += Math.exp(-(k * k) / (2 * sigma * sigma));
  return (k) => Math.exp(-(k * k) / (2 * sigma * sigma)) / z;
}

describe('discreteLaplaceMechanism (exact sampler)', () => {
  it('samples integers whose histogram passes chi-square (fixed seed) and fails for a wrong scale', () => {
    const n = 20000;
    const r = discreteLaplaceMechanism(new Array<number>(n).fill(0), { sensitivity: 2, epsilon: 0.8, rng: seededRng('dlap') });
    expect(r.scale).toBe(2.5);
    expect(r.value.every((v) => Number.isInteger(v))).toBe(true);
    const good = chiSquare(r.value, discreteLaplacePmf(2.5), -8, 8);
    expect(good.stat).toBeLessThan(chiSquareCritical(good.df));
    const bad = chiSquare(r.value, discreteLaplacePmf(2.2), -8, 8);
    expect(bad.stat).toBeGreaterThan(chiSquareCritical(bad.df));
    expect(r.secure).toBe(false);
  });

  it('adds noise to integer values, secure by default, and validates input', () => {
    const r = discreteLaplaceMechanism(100, { sensitivity: 1, epsilon: 1 });
    expect(Number.isInteger(r.value)).toBe(true);
    expect(r.secure).toBe(true);
    expect(() => discreteLaplaceMechanism(1.5, { sensitivity: 1, epsilon: 1 })).toThrow("argument 'value'");
    expect(() => discreteLaplaceMechanism([1, 0.5], { sensitivity: 1, epsilon: 1 })).toThrow("argument 'value[1]'");
    expect(() => discreteLaplaceMechanism(1, { sensitivity: 1.5, epsilon: 1 })).toThrow("argument 'options.sensitivity'");
    expect(() => discreteLaplaceMechanism(1, { sensitivity: 1, epsilon: 0 })).toThrow("argument 'options.epsilon'");
  });
});

describe('discreteGaussianMechanism (exact sampler)', () => {
  it('passes chi-square against N_Z(0, sigma^2) for integer and fractional sigma', () => {
    for (const [sigma, seed] of [
      [3, 'dg3'],
      [1.7, 'dg17'],
    ] as const) {
      const n = 15000;
      const r = discreteGaussianMechanism(new Array<number>(n).fill(0), { sigma, rng: seededRng(seed) });
      const lim = Math.ceil(2.5 * sigma);
      const good = chiSquare(r.value, discreteGaussianPmf(sigma), -lim, lim);
      expect(good.stat).toBeLessThan(chiSquareCritical(good.df));
      const bad = chiSquare(r.value, discreteGaussianPmf(sigma * 1.1), -lim, lim);
      expect(bad.stat).toBeGreaterThan(chiSquareCritical(bad.df));
    }
  });

  it('records an event the RDP accountant can compose (same zCDP as the continuous Gaussian)', () => {
    const r = discreteGaussianMechanism([5, 6], { sigma: 4, sensitivity: 2, rng: seededRng(1) });
    expect(r.event).toEqual({ kind: 'gaussian', noiseMultiplier: 2 });
    const eps = new RdpAccountant().compose(r.event!).getEpsilon(1e-6);
    expect(eps).toBeGreaterThan(0);
    expect(() => discreteGaussianMechanism(1, { sigma: 0 })).toThrow("argument 'options.sigma'");
  });
});

describe('exact sampling primitives', () => {
  const within = (count: number, n: number, p: number): void => {
    expect(Math.abs(count / n - p)).toBeLessThan(4.5 * Math.sqrt((p * (1 - p)) / n) + 1e-12);
  };

  it('bernoulliRational and bernoulliExp hit their exact probabilities, for small and huge denominators', () => {
    const rng = seededRng('bern');
    const n = 40000;
    const big = (1n << 70n) + 1n;
    for (const [num, den] of [
      [1n, 3n],
      [7n, 10n],
      [big / 3n, big],
      [(1n << 69n) + 12345n, big],
    ] as const) {
      let hits = 0;
      for (let i = 0; i < n; i++) if (bernoulliRational(rng, num, den)) hits++;
      within(hits, n, Number(num) / Number(den));
    }
    for (const [num, den] of [
      [3n, 10n],
      [17n, 10n],
      [(1n << 60n) + 7n, 1n << 61n],
      [5n * big + 1n, 2n * big],
    ] as const) {
      let hits = 0;
      for (let i = 0; i < n; i++) if (bernoulliExp(rng, num, den)) hits++;
      within(hits, n, Math.exp(-Number(num) / Number(den)));
    }
  });

  it('uniformBigInt is uniform on one-word, two-word and multi-word ranges', () => {
    const rng = seededRng('uniform');
    for (const range of [10n, 3n * (1n << 33n) + 5n, (1n << 90n) + 3n]) {
      const n = 30000;
      const counts = new Array<number>(10).fill(0);
      let outside = 0;
      for (let i = 0; i < n; i++) {
        const x = uniformBigInt(rng, range);
        if (x < 0n || x >= range) outside++;
        else counts[Number((x * 10n) / range)]!++;
      }
      expect(outside).toBe(0);
      const stat = counts.reduce((s, c) => s + (c - n / 10) ** 2 / (n / 10), 0);
      expect(stat).toBeLessThan(chiSquareCritical(9));
    }
  });
});

describe('grid samplers (floating-point-safe continuous mechanisms)', () => {
  it('sampleRoundedLaplace is round(c + Laplace(b)) exactly: chi-square against the Laplace cell masses', () => {
    // scale b = 3/2 grid steps, centre c = 0.3 (dyadic: 0.296875 = 19/64) and c = -2.5 (a tie).
    for (const [num, den, seed] of [
      [19n, 64n, 'rl1'],
      [-5n, 2n, 'rl2'],
    ] as const) {
      const c = Number(num) / Number(den);
      const n = 20000;
      const rng = seededRng(seed);
      const sample = Array.from({ length: n }, () => Number(sampleRoundedLaplace(rng, { num, den }, 3n, 2n)));
      const pmf = (k: number): number => laplaceCdf(k + 0.5 - c, 1.5) - laplaceCdf(k - 0.5 - c, 1.5);
      const good = chiSquare(sample, pmf, -8, 8);
      expect(good.stat).toBeLessThan(chiSquareCritical(good.df));
      const shifted = chiSquare(sample, (k) => pmf(k - 1), -8, 8);
      expect(shifted.stat).toBeGreaterThan(chiSquareCritical(shifted.df));
    }
  });

  it('sampleDiscreteGaussianCentered is N_Z(c, sigma^2) for a fractional centre', () => {
    const c = 0.3125; // 5/16
    const sigma2 = 2.25;
    const params = discreteGaussianParams(9n, 4n);
    const rng = seededRng('dgc');
    const n = 20000;
    const sample = Array.from({ length: n }, () => Number(sampleDiscreteGaussianCentered(rng, { num: 5n, den: 16n }, params)));
    let z = 0;
    for (let k = -60; k <= 60; k++) z += Math.exp(-((k - c) ** 2) / (2 * sigma2));
    const pmf = (k: number): number => Math.exp(-((k - c) ** 2) / (2 * sigma2)) / z;
    const good = chiSquare(sample, pmf, -4, 4);
    expect(good.stat).toBeLessThan(chiSquareCritical(good.df));
    const centred = chiSquare(sample, discreteGaussianPmf(1.5), -4, 4);
    expect(centred.stat).toBeGreaterThan(chiSquareCritical(centred.df));
  });
});

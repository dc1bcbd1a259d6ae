import { describe, expect, it } from 'vitest';
import { seededRng } from '../../src/core/rng.js';
import { RdpAccountant, discreteGaussianMechanism, discreteLaplaceMechanism } from '../../src/privacy/index.js';
import { chiSquare, chiSquareCritical } from './stats.js';

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
    expect(() => discreteLaplaceMechanism(1, { sensitivity: 1.5, epsilon: 1 })).toThrow("argument 'sensitivity'");
    expect(() => discreteLaplaceMechanism(1, { sensitivity: 1, epsilon: 0 })).toThrow("argument 'epsilon'");
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
    expect(() => discreteGaussianMechanism(1, { sigma: 0 })).toThrow("argument 'sigma'");
  });
});

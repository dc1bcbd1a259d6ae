import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, rngFromFunction, secureRng, seededRng, shuffledIndices, tensorSeed } from '../../src/core/index.js';

describe('seededRng', () => {
  it('is reproducible and labelled insecure', () => {
    const a = seededRng(42);
    const b = seededRng(42);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(a.secure).toBe(false);
    expect(a.label).toMatch(/testing only/);
    expect(seededRng(43).next()).not.toBe(xs[0]);
  });

  it('draws uniform doubles in [0, 1) with mean 1/2 and variance 1/12', () => {
    const rng = seededRng('uniform');
    const n = 200_000;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      expect(u >= 0 && u < 1).toBe(true);
      sum += u;
      sumSq += u * u;
    }
    const mean = sum / n;
    // 5 standard errors: sd of the mean is sqrt(1/12 / n) ≈ 6.5e-4.
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(sumSq / n - mean * mean - 1 / 12)).toBeLessThan(2e-3);
  });

  it('rejects a non-finite seed', () => {
    expect(() => seededRng(Number.NaN)).toThrow(InvalidArgumentError);
    expect(() => seededRng(Number.NaN)).toThrow(/seededRng: argument 'seed'/);
  });
});

describe('secureRng', () => {
  it('is secure, in range, and refills its buffer past 16,384 words', () => {
    const rng = secureRng();
    expect(rng.secure).toBe(true);
    const seen = new Set<number>();
    for (let i = 0; i < 40_000; i++) {
      const w = rng.nextUint32();
      expect(Number.isInteger(w) && w >= 0 && w < 2 ** 32).toBe(true);
      seen.add(w);
    }
    // 40,000 draws of 32 bits: a collision-free set is overwhelmingly likely (p of any repeat ≈ 0.19),
    // so require near-uniqueness rather than exactness.
    expect(seen.size).toBeGreaterThan(39_990);
  });
});

describe('rngFromFunction', () => {
  it('wraps a function and validates its outputs', () => {
    expect(rngFromFunction(() => 0.25).next()).toBe(0.25);
    expect(() => rngFromFunction(() => 1).next()).toThrow(/\[0, 1\)/);
    expect(() => rngFromFunction(42 as unknown as () => number)).toThrow(InvalidArgumentError);
  });
});

describe('shuffledIndices and tensorSeed', () => {
  it('returns a permutation and safe integer seeds', () => {
    const p = shuffledIndices(100, seededRng(1));
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect([...p]).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
    const s = tensorSeed(seededRng(2));
    expect(Number.isSafeInteger(s)).toBe(true);
    expect(tensorSeed(seededRng(2))).toBe(s);
  });
});

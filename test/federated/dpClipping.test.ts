import { describe, expect, it } from 'vitest';
import { seededRng } from '../../src/core/rng.js';
import {
  addGaussianNoise,
  clipUpdate,
  distributedNoiseStd,
  effectiveDistributedNoiseMultiplier,
  updateNorm,
} from '../../src/federated/dp/index.js';
import { expectInvalidArgument } from '../helpers/errors.js';

const f32 = (xs: number[]): Float32Array => Float32Array.from(xs);

describe('updateNorm', () => {
  it('is the float64 L2 norm', () => {
    expect(updateNorm(f32([3, 4]))).toBe(5);
    expect(updateNorm(new Float32Array(0))).toBe(0);
    const v = f32([0.1, -0.2, 0.3]);
    expect(updateNorm(v)).toBeCloseTo(Math.hypot(v[0]!, v[1]!, v[2]!), 15);
  });

  it('stays finite and accurate for entries of 3e38 (beyond float32 range as a result)', () => {
    const x = Math.fround(3e38);
    const n = updateNorm(f32([x, x, x, x]));
    expect(Number.isFinite(n)).toBe(true);
    expect(n).toBe(2 * x);
    const big = new Float32Array(1000).fill(-x);
    expect(updateNorm(big) / (x * Math.sqrt(1000))).toBeCloseTo(1, 12);
  });

  it('does not underflow for subnormal entries', () => {
    const tiny = Math.fround(1e-45);
    expect(tiny).toBeGreaterThan(0);
    expect(updateNorm(f32([tiny, tiny]))).toBeCloseTo(tiny * Math.SQRT2, 60);
    expect(updateNorm(f32([tiny]))).toBe(tiny);
  });

  it('refuses NaN and ±Infinity naming the index, and non-Float32Array input', () => {
    expectInvalidArgument(() => updateNorm(f32([1, NaN])), 'updateNorm', 'delta[1]', /finite/);
    expectInvalidArgument(() => updateNorm(f32([Infinity])), 'updateNorm', 'delta[0]', /finite/);
    expectInvalidArgument(() => updateNorm([1, 2] as unknown as Float32Array), 'updateNorm', 'delta', /Float32Array/);
  });
});

describe('clipUpdate', () => {
  it('scales down to the clip norm, as clip_by_global_norm', () => {
    const r = clipUpdate(f32([3, 4]), { clipNorm: 1 });
    expect(r.norm).toBe(5);
    expect(r.wasClipped).toBe(true);
    expect(r.update[0]).toBeCloseTo(0.6, 6);
    expect(r.update[1]).toBeCloseTo(0.8, 6);
    expect(updateNorm(r.update)).toBeLessThanOrEqual(1);
  });

  it('returns an unclipped copy when the norm is within the bound (equality counts as unclipped)', () => {
    const d = f32([3, 4]);
    const r = clipUpdate(d, { clipNorm: 5 });
    expect(r.wasClipped).toBe(false);
    expect(r.update).not.toBe(d);
    expect(Array.from(r.update)).toEqual([3, 4]);
  });

  it('never leaves a norm above clipNorm after float32 rounding (random and extreme inputs)', () => {
    const rng = seededRng('clip');
    for (let t = 0; t < 300; t++) {
      const n = 1 + Math.floor(rng.next() * 50);
      const scale = 10 ** (rng.next() * 76 - 38);
      const d = new Float32Array(n);
      for (let i = 0; i < n; i++) d[i] = (rng.next() - 0.5) * scale;
      const clipNorm = 10 ** (rng.next() * 8 - 4);
      const r = clipUpdate(d, { clipNorm });
      expect(updateNorm(r.update)).toBeLessThanOrEqual(clipNorm);
      if (r.wasClipped) expect(updateNorm(r.update)).toBeGreaterThan(clipNorm * (1 - 1e-6));
    }
    const x = Math.fround(3e38);
    const r = clipUpdate(f32([x, -x, x]), { clipNorm: 2 });
    expect(r.norm).toBeCloseTo(x * Math.sqrt(3), -30);
    expect(updateNorm(r.update)).toBeLessThanOrEqual(2);
    expect(updateNorm(r.update)).toBeGreaterThan(2 * (1 - 1e-6));
  });

  it('refuses non-finite deltas naming the index, and bad clip norms', () => {
    expectInvalidArgument(() => clipUpdate(f32([0, 1, NaN]), { clipNorm: 1 }), 'clipUpdate', 'delta[2]', /finite/);
    expectInvalidArgument(() => clipUpdate(f32([-Infinity]), { clipNorm: 1 }), 'clipUpdate', 'delta[0]', /finite/);
    for (const c of [0, -1, NaN, Infinity]) expectInvalidArgument(() => clipUpdate(f32([1]), { clipNorm: c }), 'clipUpdate', 'options.clipNorm', /> 0/);
  });
});

describe('addGaussianNoise', () => {
  it('adds N(0, std^2) noise: reproducible with a seeded rng, right moments', () => {
    const v = new Float32Array(200000).fill(1);
    const a = addGaussianNoise(v, { std: 2, rng: seededRng(1) });
    const b = addGaussianNoise(v, { std: 2, rng: seededRng(1) });
    expect(a).toEqual(b);
    let s = 0;
    let s2 = 0;
    for (const x of a) {
      s += x - 1;
      s2 += (x - 1) ** 2;
    }
    expect(s / a.length).toBeCloseTo(0, 1);
    expect(Math.sqrt(s2 / a.length)).toBeCloseTo(2, 1);
    expect(v[0]).toBe(1); // input untouched
  });

  it('defaults to the secure rng and std 0 gives a copy', () => {
    const v = f32([1, 2, 3]);
    const noised = addGaussianNoise(v, { std: 0.1 });
    expect(noised).not.toEqual(v);
    const copy = addGaussianNoise(v, { std: 0 });
    expect(copy).toEqual(v);
    expect(copy).not.toBe(v);
  });

  it('refuses bad input', () => {
    expectInvalidArgument(() => addGaussianNoise(f32([NaN]), { std: 1 }), 'addGaussianNoise', 'values[0]', /finite/);
    expectInvalidArgument(() => addGaussianNoise(f32([1]), { std: -1 }), 'addGaussianNoise', 'options.std', />= 0/);
    expectInvalidArgument(() => addGaussianNoise(f32([1]), { std: 1, rng: Math.random as never }), 'addGaussianNoise', 'options.rng', /Rng/);
  });
});

describe('distributed noise', () => {
  it('each of m clients adds z C / sqrt(m): the sum over m has the central std z C', () => {
    const std = distributedNoiseStd({ noiseMultiplier: 1.3, clipNorm: 0.2, minSurvivingClients: 50 });
    expect(std).toBeCloseTo((1.3 * 0.2) / Math.sqrt(50), 15);
    expect(Math.sqrt(50 * std * std)).toBeCloseTo(1.3 * 0.2, 15);
  });

  it('the sum of m noised zero vectors has the central noise (empirically)', () => {
    const m = 16;
    const std = distributedNoiseStd({ noiseMultiplier: 2, clipNorm: 1, minSurvivingClients: m });
    const rng = seededRng('dist');
    const sum = new Float64Array(50000);
    for (let c = 0; c < m; c++) {
      const share = addGaussianNoise(new Float32Array(sum.length), { std, rng });
      for (let i = 0; i < sum.length; i++) sum[i]! += share[i]!;
    }
    let s2 = 0;
    for (const x of sum) s2 += x * x;
    expect(Math.sqrt(s2 / sum.length)).toBeCloseTo(2, 1);
  });

  it('reports the noise the other survivors delivered, never more than planned', () => {
    const eff = (s: number): number => effectiveDistributedNoiseMultiplier({ noiseMultiplier: 1, minSurvivingClients: 100, survivingClients: s });
    expect(eff(65)).toBeCloseTo(0.8, 15); // 64 other shares of 100
    expect(eff(101)).toBe(1);
    expect(eff(400)).toBe(1); // capped: accounting never credits noise beyond the plan
    expect(eff(1)).toBe(0); // alone: its own share does not hide it
    expect(eff(0)).toBe(0);
    for (let s = 1; s < 101; s++) expect(eff(s)).toBeLessThan(eff(s + 1));
  });

  it('refuses bad options', () => {
    expectInvalidArgument(() => distributedNoiseStd({ noiseMultiplier: 1, clipNorm: 1, minSurvivingClients: 0 }), 'distributedNoiseStd', 'options.minSurvivingClients', /integer >= 1/);
    expectInvalidArgument(() => distributedNoiseStd({ noiseMultiplier: -1, clipNorm: 1, minSurvivingClients: 3 }), 'distributedNoiseStd', 'options.noiseMultiplier', />= 0/);
    expectInvalidArgument(() => distributedNoiseStd({ noiseMultiplier: 1, clipNorm: 0, minSurvivingClients: 3 }), 'distributedNoiseStd', 'options.clipNorm', /> 0/);
    expectInvalidArgument(
      () => effectiveDistributedNoiseMultiplier({ noiseMultiplier: 1, minSurvivingClients: 3, survivingClients: 1.5 }),
      'effectiveDistributedNoiseMultiplier', 'options.survivingClients', /integer >= 0/,
    );
  });
});

import { expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { seededRng } from '../../src/core/rng.js';
import { gaussianMechanism, gaussianSigma, laplaceMechanism } from '../../src/privacy/index.js';
import { fillLaplace } from '../../src/privacy/mechanisms/samplers/continuous.js';
import { toDyadic } from '../../src/privacy/mechanisms/samplers/dyadic.js';
import { quotientAtMost } from '../../src/privacy/mechanisms/samplers/grid.js';
import mech from '../fixtures/privacy/mechanisms.json';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';
import { ksStatistic, laplaceCdf, normalCdf } from './stats.js';

describeBackends('noise mechanisms', () => {
  it('laplaceMechanism: scale = sens/eps, secure by default, seeded results marked insecure', () => {
    for (const c of mech.laplace.scale.cases) {
      const r = laplaceMechanism(0, { sensitivity: c.sens, epsilon: c.eps });
      expect(r.scale).toBe(c.b);
      expect(r.secure).toBe(true);
      expect(r.rngLabel).toBe('crypto.getRandomValues');
    }
    const seeded = laplaceMechanism([1, 2, 3], { sensitivity: 1, epsilon: 1, rng: seededRng(3) });
    expect(seeded.secure).toBe(false);
    expect(seeded.rngLabel).toMatch(/testing only/);
    expect(seeded.value).toHaveLength(3);
    expect(seeded.event).toEqual({ kind: 'laplace', noiseMultiplier: 1 });
    expect(seeded.floatingPointSafe).toBe(true);
    expect(seeded.granularity).toBe(2 ** -40);
    expect([seeded.epsilon, seeded.delta]).toEqual([1, 0]);
    // reproducible with the same seed
    expect(laplaceMechanism([1, 2, 3], { sensitivity: 1, epsilon: 1, rng: seededRng(3) }).value).toEqual(seeded.value);
  });

  it('laplace noise passes a Kolmogorov–Smirnov test (fixed seed, n = 20000)', () => {
    const n = 20000;
    const r = laplaceMechanism(new Float64Array(n), { sensitivity: 2, epsilon: 0.5, rng: seededRng('ks-laplace') });
    const d = ksStatistic(r.value, (x) => laplaceCdf(x, 4));
    // 1.63/sqrt(n) is the 1% critical value
    expect(d).toBeLessThan(1.63 / Math.sqrt(n));
    // and it fails against a wrong scale (the test has power)
    expect(ksStatistic(r.value, (x) => laplaceCdf(x, 3))).toBeGreaterThan(1.63 / Math.sqrt(n));
  });

  it('gaussian noise passes a KS test at the analytic sigma', () => {
    const n = 20000;
    const r = gaussianMechanism(new Float64Array(n), { sensitivity: 1, epsilon: 1, delta: 1e-5, rng: seededRng('ks-gauss') });
    expect(r.scale).toBe(gaussianSigma({ epsilon: 1, delta: 1e-5 }));
    expect(ksStatistic(r.value, (x) => normalCdf(x / r.scale))).toBeLessThan(1.63 / Math.sqrt(n));
    expect(ksStatistic(r.value, (x) => normalCdf(x / (1.1 * r.scale)))).toBeGreaterThan(1.63 / Math.sqrt(n));
    expect(r.event).toEqual({ kind: 'gaussian', noiseMultiplier: r.scale });
    // the grid slack (2 n xi < 1e-132) vanishes in double precision
    expect([r.epsilon, r.delta, r.floatingPointSafe, r.granularity]).toEqual([1, 1e-5, true, 2 ** -38]);
    expect(gaussianMechanism(1, { sensitivity: 1, epsilon: 0.5, delta: 1e-5, method: 'classic' }).scale).toBeCloseTo(
      (Math.sqrt(2 * Math.log(1.25 / 1e-5)) * 1) / 0.5,
      12,
    );
  });

  it('adds noise to tensors without leaks; the caller owns the result', async () => {
    const x = tf.zeros([64, 8]);
    const r = await expectNoLeaks(() => laplaceMechanism(x, { sensitivity: 1, epsilon: 1, rng: seededRng(7) }).value);
    expect(r.shape).toEqual([64, 8]);
    const g = gaussianMechanism(tf.ones([100], 'int32'), { sensitivity: 1, epsilon: 1, delta: 1e-5, rng: seededRng(8) });
    expect(g.value.dtype).toBe('float32');
    const vals = Array.from((await g.value.data()) as Float32Array);
    const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
    expect(Math.abs(mean - 1)).toBeLessThan((5 * g.scale) / Math.sqrt(100));
    tf.dispose([x, g.value]);
  });

  it('outputs lie on the grid 2^(ceil(log2 scale) - 40); noise mean and variance match b and sigma', () => {
    const n = 20000;
    const lap = laplaceMechanism(new Float64Array(n).fill(0.1), { sensitivity: 3, epsilon: 2, rng: seededRng('grid-lap') });
    expect(lap.granularity).toBe(2 ** (1 - 40)); // b = 1.5
    const gau = gaussianMechanism(new Float64Array(n).fill(-7.25), { sensitivity: 2, epsilon: 0.5, delta: 1e-6, rng: seededRng('grid-gau') });
    expect(gau.granularity).toBe(2 ** (Math.ceil(Math.log2(gau.scale)) - 40));
    for (const [r, centre, variance, fourth] of [
      [lap, 0.1, 2 * 1.5 ** 2, 24 * 1.5 ** 4],
      [gau, -7.25, gau.scale ** 2, 3 * gau.scale ** 4],
    ] as const) {
      const v = r.value;
      expect(v.every((x) => Number.isInteger(x / r.granularity!))).toBe(true);
      const mean = v.reduce((a, b) => a + b, 0) / n;
      const m2 = v.reduce((a, b) => a + (b - centre) ** 2, 0) / n;
      expect(Math.abs(mean - centre)).toBeLessThan(5 * Math.sqrt(variance / n));
      expect(Math.abs(m2 - variance)).toBeLessThan(5 * Math.sqrt((fourth - variance ** 2) / n));
    }
  });

  it('works far from zero and at tiny scales (exact binary arithmetic, no overflow)', () => {
    const r = laplaceMechanism([1e6, -3e300, 5e-300], { sensitivity: 1e-3, epsilon: 1, rng: seededRng(11) });
    expect(Math.abs(r.value[0]! - 1e6)).toBeLessThan(0.05);
    expect(r.value[1]! / -3e300).toBeCloseTo(1, 12);
    expect(Math.abs(r.value[2]!)).toBeLessThan(0.05);
    const tiny = gaussianMechanism(1, { sensitivity: 1e-200, epsilon: 1, delta: 1e-5, rng: seededRng(12) });
    expect(tiny.granularity).toBe(2 ** (Math.ceil(Math.log2(tiny.scale)) - 40));
    expect(Math.abs(tiny.value - 1)).toBeLessThan(1e-190);
    expect(() => laplaceMechanism(1, { sensitivity: 1e-300, epsilon: 1e300 })).toThrow("argument 'sensitivity / epsilon'");
  });

  it('event noise multipliers are never rounded up (quotientAtMost)', () => {
    const rng = seededRng('quotient');
    const exact = (x: number): [bigint, number] => {
      const d = toDyadic(x);
      return [d.num, d.exp];
    };
    const le = ([an, ae]: [bigint, number], [bn, be]: [bigint, number]): boolean => {
      const e = Math.min(ae, be);
      return an << BigInt(ae - e) <= bn << BigInt(be - e);
    };
    for (let i = 0; i < 2000; i++) {
      const a = Math.exp(20 * rng.next() - 10);
      const b = Math.exp(20 * rng.next() - 10);
      const q = quotientAtMost(a, b);
      const [qn, qe] = exact(q);
      const [bn, be] = exact(b);
      expect(le([qn * bn, qe + be], exact(a))).toBe(true);
      expect(q === a / b || q < a / b).toBe(true);
    }
    expect(laplaceMechanism(0, { sensitivity: 1, epsilon: 3 }).event).toEqual({ kind: 'laplace', noiseMultiplier: quotientAtMost(1, 3) });
  });

  it('unsafeFloatingPoint: the old sampler, reported as carrying no guarantee', () => {
    const r = laplaceMechanism([1, 2, 3], { sensitivity: 1, epsilon: 1, rng: seededRng(5), unsafeFloatingPoint: true });
    const noise = fillLaplace(seededRng(5), 1, new Float64Array(3));
    expect(r.value).toEqual([1 + noise[0]!, 2 + noise[1]!, 3 + noise[2]!]);
    expect([r.floatingPointSafe, r.epsilon, r.delta, r.event, r.granularity]).toEqual([false, Infinity, 1, undefined, undefined]);
    expect(r.nominal).toEqual({ epsilon: 1, delta: 0, event: { kind: 'laplace', noiseMultiplier: 1 } });
    const g = gaussianMechanism(0, { sensitivity: 1, epsilon: 1, delta: 1e-5, unsafeFloatingPoint: true });
    expect([g.floatingPointSafe, g.epsilon, g.delta, g.nominal?.delta]).toEqual([false, Infinity, 1, 1e-5]);
    expect(() => laplaceMechanism(1, { sensitivity: 1, epsilon: 1, unsafeFloatingPoint: 'yes' as never })).toThrow("argument 'options.unsafeFloatingPoint'");
  });

  it('tensors: the float32 output is the double release rounded to float32; NaN and disposed tensors are typed errors', async () => {
    const xs = [0, 1, -2.5, 1000.125, 3e-8];
    const arr = gaussianMechanism(xs, { sensitivity: 1, epsilon: 1, delta: 1e-5, rng: seededRng(21) });
    const ten = gaussianMechanism(tf.tensor1d(xs), { sensitivity: 1, epsilon: 1, delta: 1e-5, rng: seededRng(21) });
    expect(Array.from((await ten.value.data()) as Float32Array)).toEqual(arr.value.map(Math.fround));
    expect(ten.floatingPointSafe).toBe(true);
    tf.dispose(ten.value);
    const bad = tf.tensor2d([
      [1, 2],
      [Number.NaN, 4],
    ]);
    expect(() => laplaceMechanism(bad, { sensitivity: 1, epsilon: 1 })).toThrow(/laplaceMechanism: argument 'value'.*NaN at flat index 2/);
    const gone = tf.ones([3]);
    gone.dispose();
    let error: unknown;
    try {
      gaussianMechanism(gone, { sensitivity: 1, epsilon: 1, delta: 1e-5 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(String(error)).toMatch(/gaussianMechanism: argument 'value'.*disposed/);
    tf.dispose(bad);
  });

  it('rejects bad input naming the argument', () => {
    expect(() => laplaceMechanism(1, { sensitivity: 0, epsilon: 1 })).toThrow("laplaceMechanism: argument 'options.sensitivity'");
    expect(() => laplaceMechanism(1, { sensitivity: 1, epsilon: Number.NaN })).toThrow("argument 'options.epsilon'");
    expect(() => laplaceMechanism(Number.NaN, { sensitivity: 1, epsilon: 1 })).toThrow("argument 'value'");
    expect(() => laplaceMechanism([1, Number.POSITIVE_INFINITY], { sensitivity: 1, epsilon: 1 })).toThrow("argument 'value[1]'");
    expect(() => gaussianMechanism(1, { sensitivity: 1, epsilon: 1, delta: 2 })).toThrow("argument 'delta'");
    expect(() => laplaceMechanism(1, { sensitivity: 1, epsilon: 1, rng: Math.random as never })).toThrow("argument 'options.rng'");
  });
});

import { expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { seededRng } from '../../src/core/rng.js';
import { gaussianMechanism, gaussianSigma, laplaceMechanism } from '../../src/privacy/index.js';
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

  it('rejects bad input naming the argument', () => {
    expect(() => laplaceMechanism(1, { sensitivity: 0, epsilon: 1 })).toThrow("laplaceMechanism: argument 'sensitivity'");
    expect(() => laplaceMechanism(1, { sensitivity: 1, epsilon: Number.NaN })).toThrow("argument 'epsilon'");
    expect(() => laplaceMechanism(Number.NaN, { sensitivity: 1, epsilon: 1 })).toThrow("argument 'value'");
    expect(() => laplaceMechanism([1, Number.POSITIVE_INFINITY], { sensitivity: 1, epsilon: 1 })).toThrow("argument 'value[1]'");
    expect(() => gaussianMechanism(1, { sensitivity: 1, epsilon: 1, delta: 2 })).toThrow("argument 'delta'");
    expect(() => laplaceMechanism(1, { sensitivity: 1, epsilon: 1, rng: Math.random as never })).toThrow("argument 'rng'");
  });
});

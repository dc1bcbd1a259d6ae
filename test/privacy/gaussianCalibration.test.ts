import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { gaussianDelta, gaussianEpsilon, gaussianSigma, laplaceDelta } from '../../src/privacy/index.js';
import mech from '../fixtures/privacy/mechanisms.json';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

describe('gaussianSigma (analytic, Balle & Wang 2018)', () => {
  it('matches the 60-digit mpmath oracle and dp_accounting to 1e-9 relative (measured <= 1e-14)', () => {
    for (const c of mech.analytic_gaussian.cases) {
      const sigma = gaussianSigma({ epsilon: c.eps, delta: c.delta, sensitivity: c.sens });
      expect(rel(sigma, c.sigma_mpmath)).toBeLessThan(1e-12);
      expect(rel(sigma, c.sigma_dpacc)).toBeLessThan(1e-9);
      // never under-noised: the exact delta at sigma is at most the target
      expect(gaussianDelta({ sigma, epsilon: c.eps, sensitivity: c.sens })).toBeLessThanOrEqual(c.delta * (1 + 1e-12));
      // the classic formula over-provisions where it is valid (eps < 1) and under-noises beyond
      if (c.eps < 1) expect(sigma).toBeLessThan(c.classic_sigma);
      else if (c.eps >= 10) expect(sigma).toBeGreaterThan(c.classic_sigma);
    }
  });

  it('scales with sensitivity', () => {
    const a = gaussianSigma({ epsilon: 2, delta: 1e-6, sensitivity: 3 });
    const b = gaussianSigma({ epsilon: 2, delta: 1e-6 });
    expect(rel(a, 3 * b)).toBeLessThan(1e-15);
  });
});

describe('gaussianSigma (classic)', () => {
  it('equals sqrt(2 ln(1.25/delta)) sens/eps where eps < 1, and refuses eps >= 1 with a typed error', () => {
    for (const c of mech.classic_gaussian.cases) {
      const call = () => gaussianSigma({ epsilon: c.eps, delta: c.delta, sensitivity: c.sens, method: 'classic' });
      if (c.theorem_valid) {
        expect(rel(call(), c.sigma)).toBeLessThan(1e-15);
        expect(gaussianDelta({ sigma: call(), epsilon: c.eps, sensitivity: c.sens })).toBeLessThan(c.delta);
      } else {
        expect(call).toThrow(InvalidArgumentError);
        expect(call).toThrow("gaussianSigma: argument 'epsilon' must be a number in (0, 1) for method 'classic'");
        expect(call).toThrow("Use method: 'analytic'");
      }
    }
  });

  it('rejects bad arguments naming them', () => {
    expect(() => gaussianSigma({ epsilon: 0, delta: 1e-5 })).toThrow("argument 'epsilon'");
    expect(() => gaussianSigma({ epsilon: Number.POSITIVE_INFINITY, delta: 1e-5 })).toThrow("argument 'epsilon'");
    expect(() => gaussianSigma({ epsilon: 1, delta: 0 })).toThrow("argument 'delta'");
    expect(() => gaussianSigma({ epsilon: 1, delta: 1 })).toThrow("argument 'delta'");
    expect(() => gaussianSigma({ epsilon: 1, delta: 1e-5, sensitivity: 0 })).toThrow("argument 'sensitivity'");
    expect(() => gaussianSigma({ epsilon: 1, delta: 1e-5, method: 'exact' as never })).toThrow("argument 'method'");
  });
});

describe('gaussianDelta / gaussianEpsilon', () => {
  it('matches the mpmath delta curve (relative 1e-9 where delta > 1e-100)', () => {
    for (const p of mech.gaussian_delta_curve.points) {
      const d = gaussianDelta({ sigma: p.sigma, epsilon: p.eps, sensitivity: p.sens });
      if (p.delta_mpmath > 1e-100) expect(rel(d, p.delta_mpmath)).toBeLessThan(1e-9);
      else expect(d).toBeLessThan(1e-100);
    }
  });

  it('inverts to epsilon at a delta, matching mpmath to 1e-9', () => {
    for (const p of mech.gaussian_delta_curve.eps_for_delta.points) {
      const e = gaussianEpsilon({ sigma: p.sigma, delta: p.delta, sensitivity: p.sens });
      expect(rel(e, p.eps_mpmath)).toBeLessThan(1e-9);
    }
  });
});

describe('laplaceDelta', () => {
  it('matches the closed form and dp_accounting', () => {
    for (const p of mech.laplace.single_delta.points) {
      const d = laplaceDelta({ scale: p.b, epsilon: p.eps, sensitivity: p.sens });
      expect(Math.abs(d - p.delta_closed_form)).toBeLessThan(1e-15);
      expect(Math.abs(d - p.delta_dpacc_privacy_loss)).toBeLessThan(1e-12);
    }
  });
});

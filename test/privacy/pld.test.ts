import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { PldAccountant, RdpAccountant } from '../../src/privacy/index.js';
import pld from '../fixtures/privacy/pld_grid.json';
import mech from '../fixtures/privacy/mechanisms.json';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);
type Case = (typeof pld.cases)[number] & Record<string, number>;
const cases = pld.cases as Case[];

describe('PldAccountant vs dp_accounting PLDAccountant (Poisson-subsampled Gaussian)', () => {
  it('matches dp_accounting at interval 1e-3 on every grid case to 1e-7 relative', () => {
    for (const c of cases) {
      const eps = new PldAccountant({ valueDiscretizationInterval: 1e-3 })
        .step({ noiseMultiplier: c.sigma, sampleRate: c.q }, c.steps)
        .getEpsilon(c.delta);
      expect(rel(eps, c['eps_pld_vdi_1e-3']!)).toBeLessThan(1e-7);
    }
  });

  it('matches dp_accounting at the default interval 1e-4 on a heavy subset', () => {
    const heavy = cases.filter((c) => c.q === 0.004 && (c.sigma === 1.1 || c.steps === 10000));
    expect(heavy.length).toBeGreaterThanOrEqual(4);
    for (const c of heavy) {
      const eps = new PldAccountant().step({ noiseMultiplier: c.sigma, sampleRate: c.q }, c.steps).getEpsilon(c.delta);
      expect(rel(eps, c['eps_pld_vdi_1e-4']!)).toBeLessThan(1e-7);
    }
  });

  it('is an upper bound: above the finer-grid value and within steps × interval of it', () => {
    for (const c of cases) {
      const eps = new PldAccountant({ valueDiscretizationInterval: 1e-3 })
        .step({ noiseMultiplier: c.sigma, sampleRate: c.q }, c.steps)
        .getEpsilon(c.delta);
      const fine = c['eps_pld_vdi_1e-5']!;
      expect(eps).toBeGreaterThanOrEqual(fine - 1e-9);
      expect(eps - fine).toBeLessThanOrEqual(c.steps * 1e-3);
      // and far tighter in practice (measured <= 0.0152 at 1e-3)
      expect(eps - fine).toBeLessThan(0.02);
      // never below Opacus' PRV lower bound, and below RDP
      expect(eps).toBeGreaterThanOrEqual(c.eps_prv_opacus_lower!);
      const rdp = new RdpAccountant().step({ noiseMultiplier: c.sigma, sampleRate: c.q }, c.steps).getEpsilon(c.delta);
      expect(eps).toBeLessThan(rdp);
    }
  });

  it('getDelta is consistent with getEpsilon', () => {
    const acc = new PldAccountant({ valueDiscretizationInterval: 1e-3 }).step({ noiseMultiplier: 1.1, sampleRate: 0.01 }, 1000);
    const eps = acc.getEpsilon(1e-5);
    expect(acc.getDelta(eps)).toBeLessThanOrEqual(1e-5 * (1 + 1e-6));
    expect(acc.getDelta(eps * 0.95)).toBeGreaterThan(1e-5);
  });
});

describe('PldAccountant on plain Gaussian and Laplace compositions', () => {
  it('k-fold Gaussian: matches dp_accounting and stays above the exact value', () => {
    for (const p of mech.gaussian_delta_curve.k_fold_composition.points) {
      const eps = new PldAccountant().compose({ kind: 'gaussian', noiseMultiplier: p.sigma }, p.k).getEpsilon(p.delta);
      expect(rel(eps, p.eps_dpacc_pld_default)).toBeLessThan(1e-8);
      expect(eps).toBeGreaterThanOrEqual(p.eps_exact_mpmath);
      expect(eps - p.eps_exact_mpmath).toBeLessThan(1e-4);
    }
  });

  it('k-fold Laplace: matches the pessimistic dp_accounting PLD and brackets the truth', () => {
    for (const p of mech.laplace.k_fold_composition.points.filter((x) => x.k <= 100)) {
      const acc = new PldAccountant().compose({ kind: 'laplace', noiseMultiplier: p.b / p.sens }, p.k);
      const eps = acc.getEpsilon(1e-5);
      expect(rel(eps, p['eps_at_delta_1e-5_pld_pessimistic_vdi_1e-4'])).toBeLessThan(1e-7);
      expect(eps).toBeGreaterThanOrEqual(p['eps_at_delta_1e-5_pld_optimistic_vdi_1e-4']);
      for (const [e, d] of Object.entries(p['delta_at_eps_pld_pessimistic_vdi_1e-4'])) {
        expect(Math.abs(acc.getDelta(Number(e)) - d)).toBeLessThan(1e-9);
      }
    }
  });
});

describe('PldAccountant robustness and API', () => {
  it('composes only new steps after an evaluation, with the same answer up to rounding', () => {
    const a = new PldAccountant({ valueDiscretizationInterval: 1e-3 });
    a.step({ noiseMultiplier: 1.1, sampleRate: 0.01 }, 500);
    a.getEpsilon(1e-5);
    a.step({ noiseMultiplier: 1.1, sampleRate: 0.01 }, 500);
    const b = new PldAccountant({ valueDiscretizationInterval: 1e-3 }).step({ noiseMultiplier: 1.1, sampleRate: 0.01 }, 1000);
    expect(a.segmentCount).toBe(1);
    // Composing in two rounds is still pessimistic; it may round up once more.
    expect(a.getEpsilon(1e-5)).toBeGreaterThanOrEqual(b.getEpsilon(1e-5) - 1e-9);
    expect(a.getEpsilon(1e-5) - b.getEpsilon(1e-5)).toBeLessThan(2e-3);
  });

  it('handles millions of steps and large epsilons', () => {
    const many = new PldAccountant({ valueDiscretizationInterval: 1e-3 }).step({ noiseMultiplier: 1.1, sampleRate: 0.004 }, 1_000_000);
    expect(many.getEpsilon(1e-5)).toBeGreaterThan(20);
    expect(many.getEpsilon(1e-5)).toBeLessThan(35);
    const large = new PldAccountant({ valueDiscretizationInterval: 1e-2 }).step({ noiseMultiplier: 0.4, sampleRate: 1 }, 10);
    const e = large.getEpsilon(1e-5);
    expect(e).toBeGreaterThan(60);
    expect(Number.isFinite(e)).toBe(true);
  });

  it('mixes subsampled Gaussian, subsampled Laplace and plain mechanisms in one history', () => {
    const acc = new PldAccountant({ valueDiscretizationInterval: 1e-3 })
      .step({ noiseMultiplier: 1, sampleRate: 0.02 }, 50)
      .compose({ kind: 'poissonSampled', sampleRate: 0.1, event: { kind: 'laplace', noiseMultiplier: 2 } }, 10)
      .compose({ kind: 'composed', events: [{ kind: 'gaussian', noiseMultiplier: 8 }, { kind: 'laplace', noiseMultiplier: 20 }] }, 3);
    const full = acc.getEpsilon(1e-5);
    const part = new PldAccountant({ valueDiscretizationInterval: 1e-3 }).step({ noiseMultiplier: 1, sampleRate: 0.02 }, 50).getEpsilon(1e-5);
    expect(full).toBeGreaterThan(part);
    expect(acc.supports({ kind: 'poissonSampled', sampleRate: 0.1, event: { kind: 'composed', events: [] } })).toBe(false);
  });

  it('refuses a grid that cannot fit, naming the interval', () => {
    const acc = new PldAccountant({ valueDiscretizationInterval: 1e-9 }).step({ noiseMultiplier: 1, sampleRate: 0.5 });
    expect(() => acc.getEpsilon(1e-5)).toThrow(InvalidArgumentError);
    expect(() => acc.getEpsilon(1e-5)).toThrow('valueDiscretizationInterval');
    expect(() => new PldAccountant({ valueDiscretizationInterval: 0 })).toThrow(InvalidArgumentError);
  });
});

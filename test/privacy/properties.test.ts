import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PldAccountant, RdpAccountant, getNoiseMultiplier, gaussianDelta, gaussianSigma } from '../../src/privacy/index.js';

const rdp = (sigma: number, q: number, steps: number): number =>
  new RdpAccountant().step({ noiseMultiplier: sigma, sampleRate: q }, steps).getEpsilon(1e-5);

const sigmaArb = fc.double({ min: 0.5, max: 10, noNaN: true });
const qArb = fc.double({ min: 1e-4, max: 0.5, noNaN: true });
const stepsArb = fc.integer({ min: 1, max: 100_000 });

describe('accountant monotonicity (fast-check)', () => {
  it('RDP epsilon grows with steps and sample rate and shrinks with noise', () => {
    fc.assert(
      fc.property(sigmaArb, qArb, stepsArb, (sigma, q, steps) => {
        const e = rdp(sigma, q, steps);
        expect(rdp(sigma, q, steps * 2)).toBeGreaterThanOrEqual(e);
        expect(rdp(sigma, Math.min(1, q * 1.5), steps)).toBeGreaterThanOrEqual(e);
        expect(rdp(sigma * 1.2, q, steps)).toBeLessThanOrEqual(e);
      }),
      { numRuns: 60, seed: 42 },
    );
  });

  it('PLD epsilon grows with steps and sample rate and shrinks with noise (coarse grid)', () => {
    const pld = (sigma: number, q: number, steps: number): number =>
      new PldAccountant({ valueDiscretizationInterval: 2e-3 }).step({ noiseMultiplier: sigma, sampleRate: q }, steps).getEpsilon(1e-5);
    fc.assert(
      fc.property(
        fc.double({ min: 0.8, max: 4, noNaN: true }),
        fc.double({ min: 1e-3, max: 0.1, noNaN: true }),
        fc.integer({ min: 1, max: 2000 }),
        (sigma, q, steps) => {
          const e = pld(sigma, q, steps);
          // up to a few bins of grid effects (the pessimistic rounding is not monotone bin by bin)
          expect(pld(sigma, q, steps * 2)).toBeGreaterThanOrEqual(e - 1e-2);
          expect(pld(sigma, q * 2, steps)).toBeGreaterThanOrEqual(e - 1e-2);
          expect(pld(sigma * 1.3, q, steps)).toBeLessThanOrEqual(e + 1e-2);
          expect(e).toBeLessThanOrEqual(rdp(sigma, q, steps) + 1e-2);
        },
      ),
      { numRuns: 12, seed: 7 },
    );
  });
});

describe('calibration (fast-check)', () => {
  it('getNoiseMultiplier meets its target within tolerance and never overshoots', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.2, max: 20, noNaN: true }), qArb, fc.integer({ min: 10, max: 50_000 }), (target, q, steps) => {
        const sigma = getNoiseMultiplier({ targetEpsilon: target, targetDelta: 1e-5, sampleRate: q, steps });
        const e = rdp(sigma, q, steps);
        expect(e).toBeLessThanOrEqual(target);
        expect(e).toBeGreaterThanOrEqual(target - 0.01);
      }),
      { numRuns: 25, seed: 3 },
    );
  });

  it('analytic gaussianSigma is the smallest sigma meeting delta', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 50, noNaN: true }), fc.double({ min: -12, max: -2, noNaN: true }), (eps, logDelta) => {
        const delta = 10 ** logDelta;
        const s = gaussianSigma({ epsilon: eps, delta });
        expect(gaussianDelta({ sigma: s, epsilon: eps })).toBeLessThanOrEqual(delta * (1 + 1e-12));
        expect(gaussianDelta({ sigma: s * (1 - 1e-9), epsilon: eps })).toBeGreaterThan(delta);
      }),
      { numRuns: 200, seed: 11 },
    );
  });
});

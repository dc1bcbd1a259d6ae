import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/errors.js';
import {
  PldAccountant,
  RdpAccountant,
  calibrate,
  gaussianEvent,
  getNoiseMultiplier,
  poissonSampledEvent,
  selfComposedEvent,
} from '../../src/privacy/index.js';
import nm from '../fixtures/privacy/noise_multiplier.json';

const rdpEps = (sigma: number, q: number, steps: number, delta: number): number =>
  new RdpAccountant().step({ noiseMultiplier: sigma, sampleRate: q }, steps).getEpsilon(delta);

describe('getNoiseMultiplier (rdp)', () => {
  it('meets every reference target within tolerance, never above, and brackets the exact root', () => {
    for (const c of nm.cases.filter((x) => x.accountant === 'rdp')) {
      const sigma = getNoiseMultiplier({ targetEpsilon: c.target_epsilon, targetDelta: c.target_delta, sampleRate: c.sample_rate, steps: c.steps });
      const eps = rdpEps(sigma, c.sample_rate, c.steps, c.target_delta);
      expect(eps).toBeLessThanOrEqual(c.target_epsilon);
      expect(eps).toBeGreaterThanOrEqual(c.target_epsilon - 0.01);
      expect(sigma).toBeGreaterThanOrEqual(c.sigma_exact_opacus_rdp! * (1 - 1e-12));
      // at least as tight as Opacus' answer (its bisection returns the upper bracket) up to the tolerance band
      expect(sigma).toBeLessThanOrEqual(c.noise_multiplier * 1.005);
    }
  });

  it('with a tight tolerance converges to the exact root', () => {
    const c = nm.cases.find((x) => x.accountant === 'rdp' && x.target_epsilon === 3)!;
    const sigma = getNoiseMultiplier({
      targetEpsilon: 3,
      targetDelta: c.target_delta,
      sampleRate: c.sample_rate,
      steps: c.steps,
      epsilonTolerance: 1e-9,
    });
    expect(Math.abs(sigma - c.sigma_exact_opacus_rdp!) / c.sigma_exact_opacus_rdp!).toBeLessThan(1e-8);
    expect(rdpEps(sigma, c.sample_rate, c.steps, c.target_delta)).toBeLessThanOrEqual(3);
  });

  it('rejects bad arguments', () => {
    const base = { targetEpsilon: 1, targetDelta: 1e-5, sampleRate: 0.01, steps: 100 };
    expect(() => getNoiseMultiplier({ ...base, targetEpsilon: -1 })).toThrow(InvalidArgumentError);
    expect(() => getNoiseMultiplier({ ...base, targetDelta: 1 })).toThrow("argument 'options.targetDelta'");
    expect(() => getNoiseMultiplier({ ...base, sampleRate: 0 })).toThrow("argument 'options.sampleRate'");
    expect(() => getNoiseMultiplier({ ...base, steps: 2.5 })).toThrow("argument 'options.steps'");
    expect(() => getNoiseMultiplier({ ...base, accountant: 'prv' as never })).toThrow("argument 'options.accountant'");
  });
});

describe('getNoiseMultiplier (pld)', () => {
  it('meets the target under PLD, below the RDP answer and Opacus PRV answer', () => {
    const c = nm.cases.find((x) => x.accountant === 'prv' && x.target_epsilon === 1 && x.epochs === 60)!;
    const sigma = getNoiseMultiplier({ targetEpsilon: 1, targetDelta: c.target_delta, sampleRate: c.sample_rate, steps: c.steps, accountant: 'pld' });
    const eps = new PldAccountant().step({ noiseMultiplier: sigma, sampleRate: c.sample_rate }, c.steps).getEpsilon(c.target_delta);
    expect(eps).toBeLessThanOrEqual(1);
    expect(eps).toBeGreaterThanOrEqual(0.99);
    expect(sigma).toBeLessThan(c.noise_multiplier);
    const rdpSigma = getNoiseMultiplier({ targetEpsilon: 1, targetDelta: c.target_delta, sampleRate: c.sample_rate, steps: c.steps });
    expect(sigma).toBeLessThan(rdpSigma);
  });
});

describe('calibrate (generic)', () => {
  it('inverts any family: steps (increasing, discrete) and noise (decreasing)', () => {
    const q = 0.01;
    const r = calibrate({
      makeEvent: (steps) => selfComposedEvent(poissonSampledEvent(q, gaussianEvent(1.1)), steps),
      targetEpsilon: 2,
      targetDelta: 1e-5,
      lowerBound: 1,
      monotonicity: 'increasing',
      discrete: true,
    });
    expect(Number.isInteger(r.parameter)).toBe(true);
    expect(rdpEps(1.1, q, r.parameter, 1e-5)).toBeLessThanOrEqual(2);
    expect(rdpEps(1.1, q, r.parameter + 1, 1e-5)).toBeGreaterThan(2);
    const s = calibrate({ makeEvent: (x) => gaussianEvent(x), targetEpsilon: 1, targetDelta: 1e-5, lowerBound: 0.5, accountant: 'pld', epsilonTolerance: 1e-4 });
    expect(s.epsilon).toBeLessThanOrEqual(1);
    expect(s.epsilon).toBeGreaterThan(1 - 1e-4);
    expect(s.evaluations).toBeLessThan(40);
  });

  it('says so when no parameter in range meets the target', () => {
    expect(() =>
      calibrate({ makeEvent: (x) => gaussianEvent(x), targetEpsilon: 0.01, targetDelta: 1e-5, lowerBound: 0.5, upperBound: 1 }),
    ).toThrow("argument 'options.upperBound'");
  });
});

describe('delta, the one name of the guarantee\'s delta', () => {
  it('getNoiseMultiplier and calibrate take delta; targetDelta stays as a deprecated alias', () => {
    const base = { targetEpsilon: 1, sampleRate: 0.01, steps: 100 };
    const a = getNoiseMultiplier({ ...base, delta: 1e-5 });
    expect(getNoiseMultiplier({ ...base, targetDelta: 1e-5 })).toBe(a);
    expect(() => getNoiseMultiplier({ ...base, delta: 1e-5, targetDelta: 1e-6 })).toThrow("argument 'options.targetDelta'");
    expect(() => getNoiseMultiplier({ ...base })).toThrow("argument 'options.delta'");
    const c = calibrate({ makeEvent: (s) => gaussianEvent(s), targetEpsilon: 1, delta: 1e-5, lowerBound: 0.1 });
    expect(calibrate({ makeEvent: (s) => gaussianEvent(s), targetEpsilon: 1, targetDelta: 1e-5, lowerBound: 0.1 }).parameter).toBe(c.parameter);
  });
});

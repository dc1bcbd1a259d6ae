import { describe, expect, it } from 'vitest';
import { seededRng } from '../../src/core/rng.js';
import {
  adaptiveNoiseMultipliers,
  createQuantileClipState,
  quantileClipIndicator,
  updateQuantileClip,
  updateQuantileClipFromNorms,
} from '../../src/federated/dp/index.js';
import { RdpAccountant, PldAccountant, composedEvent, gaussianEvent, poissonSampledEvent, selfComposedEvent } from '../../src/privacy/index.js';
import { expectInvalidArgument } from '../helpers/errors.js';
import fixture from '../fixtures/federated/dp/quantile.json';

const close = (a: number, b: number, tol = 1e-12): void => {
  expect(Math.abs(a - b), `${a} vs ${b}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));
};

describe("adaptive clipping's quantile estimate follows TFF's update rule on a deterministic sequence", () => {
  for (const seq of fixture.sequences) {
    it(`${seq.name} (numpy port of tensorflow_privacy QuantileEstimatorQuery)`, () => {
      const init = {
        initialClipNorm: seq.initialClipNorm,
        targetQuantile: seq.targetQuantile,
        learningRate: seq.learningRate,
        geometric: seq.geometric,
        expectedClientsPerRound: seq.expectedClientsPerRound,
      };
      // Three equivalent inputs: the norms with the fixed noise, the noised centred sum, and the
      // noised raw count with the number of clients.
      let fromNorms = createQuantileClipState(init);
      let fromSum = createQuantileClipState(init);
      let fromCount = createQuantileClipState(init);
      for (const r of seq.rounds) {
        const centered = r.norms.reduce((s, n) => s + quantileClipIndicator(n, fromNorms.clipNorm), 0) + r.countNoise;
        close(centered, r.centeredBelowSum);
        fromNorms = updateQuantileClipFromNorms(fromNorms, { norms: r.norms, countNoise: r.countNoise });
        fromSum = updateQuantileClip(fromSum, { centeredBelowSum: r.centeredBelowSum });
        const below = r.centeredBelowSum + 0.5 * r.norms.length;
        fromCount = updateQuantileClip(fromCount, { belowCount: below, numClients: r.norms.length });
        close(fromNorms.clipNorm, r.clipNormAfter);
        close(fromSum.clipNorm, r.clipNormAfter);
        close(fromCount.clipNorm, r.clipNormAfter);
        close(fromNorms.unclippedFraction!, r.unclippedFraction);
      }
    });
  }

  it('covers clamping of the fraction and max(clip, 0)', () => {
    const fractions = fixture.sequences.flatMap((s) => s.rounds.map((r) => r.unclippedFraction));
    expect(fractions).toContain(0);
    expect(fractions).toContain(1);
    expect(fixture.sequences.flatMap((s) => s.rounds.map((r) => r.clipNormAfter))).toContain(0);
  });
});

describe('adaptive clipping behaviour', () => {
  it('uses TFF gaussian_adaptive defaults', () => {
    const s = createQuantileClipState({ expectedClientsPerRound: 100 });
    expect(s).toEqual({ clipNorm: 0.1, targetQuantile: 0.5, learningRate: 0.2, geometric: true, expectedClientsPerRound: 100, clippedCountStddev: 5 });
    expect(Object.isFrozen(s)).toBe(true);
  });

  it('converges to the target quantile of the norms without noise', () => {
    const rng = seededRng('norms');
    let s = createQuantileClipState({ expectedClientsPerRound: 200, targetQuantile: 0.8, clippedCountStddev: 0, initialClipNorm: 0.01 });
    const draw = (): number[] => Array.from({ length: 200 }, () => -Math.log(1 - rng.next())); // Exp(1)
    for (let t = 0; t < 400; t++) s = updateQuantileClipFromNorms(s, { norms: draw() });
    // The 0.8-quantile of Exp(1) is ln 5.
    expect(Math.abs(s.clipNorm - Math.log(5))).toBeLessThan(0.15);
  });

  it('draws the count noise from the rng with clippedCountStddev', () => {
    const s = createQuantileClipState({ expectedClientsPerRound: 10, clippedCountStddev: 3 });
    const a = updateQuantileClipFromNorms(s, { norms: [1, 2], rng: seededRng(5) });
    const b = updateQuantileClipFromNorms(s, { norms: [1, 2], rng: seededRng(5) });
    const noNoise = updateQuantileClipFromNorms(s, { norms: [1, 2], countNoise: 0 });
    expect(a.clipNorm).toBe(b.clipNorm);
    expect(a.clipNorm).not.toBe(noNoise.clipNorm);
    // default rng (secure) works too
    expect(Number.isFinite(updateQuantileClipFromNorms(s, { norms: [1, 2] }).clipNorm)).toBe(true);
  });

  it('refuses bad input', () => {
    const s = createQuantileClipState({ expectedClientsPerRound: 10 });
    expectInvalidArgument(() => createQuantileClipState({ expectedClientsPerRound: 0 }), 'createQuantileClipState', 'options.expectedClientsPerRound', /> 0/);
    expectInvalidArgument(() => createQuantileClipState({ expectedClientsPerRound: 5, targetQuantile: 1.5 }), 'createQuantileClipState', 'options.targetQuantile', /\[0, 1\]/);
    expectInvalidArgument(() => createQuantileClipState({ expectedClientsPerRound: 5, initialClipNorm: 0 }), 'createQuantileClipState', 'options.initialClipNorm', /> 0/);
    expectInvalidArgument(() => updateQuantileClip(s, { centeredBelowSum: NaN }), 'updateQuantileClip', 'input.centeredBelowSum', /finite/);
    expectInvalidArgument(() => updateQuantileClip(s, { belowCount: 3, numClients: -1 }), 'updateQuantileClip', 'input.numClients', /integer >= 0/);
    expectInvalidArgument(() => updateQuantileClip({ ...s, clipNorm: -1 }, { centeredBelowSum: 0 }), 'updateQuantileClip', 'state', /QuantileClipState/);
    expectInvalidArgument(() => updateQuantileClipFromNorms(s, { norms: [1, NaN] }), 'updateQuantileClipFromNorms', 'options.norms[1]', />= 0/);
    expectInvalidArgument(() => updateQuantileClipFromNorms(s, { norms: [1], countNoise: Infinity }), 'updateQuantileClipFromNorms', 'options.countNoise', /finite/);
    expectInvalidArgument(() => quantileClipIndicator(-1, 1), 'quantileClipIndicator', 'norm', /\[0, Infinity\]/);
    expect(quantileClipIndicator(1, 1)).toBe(0.5);
    expect(quantileClipIndicator(Infinity, 1)).toBe(-0.5);
  });
});

describe('adaptiveNoiseMultipliers', () => {
  it("matches TFF's adaptive_clip_noise_params", () => {
    for (const c of fixture.noiseParams) {
      const options = {
        noiseMultiplier: c.noiseMultiplier,
        expectedClientsPerRound: c.expectedClientsPerRound,
        ...(c.clippedCountStddev !== null ? { clippedCountStddev: c.clippedCountStddev } : {}),
      };
      if (c.result === null) {
        expectInvalidArgument(() => adaptiveNoiseMultipliers(options), 'adaptiveNoiseMultipliers', 'options.clippedCountStddev', /noiseMultiplier \/ 2/);
        continue;
      }
      const r = adaptiveNoiseMultipliers(options);
      close(r.valueNoiseMultiplier, c.result.valueNoiseMultiplier);
      close(r.countNoiseStd, c.result.countNoiseStd);
      if (c.noiseMultiplier > 0) close(r.addedNoiseFactor, c.result.valueNoiseMultiplier / c.noiseMultiplier);
    }
  });

  it('values + count compose to exactly the Gaussian of the total noise multiplier (RDP and PLD)', () => {
    const { valueNoiseMultiplier, countNoiseStd } = adaptiveNoiseMultipliers({ noiseMultiplier: 1.1, expectedClientsPerRound: 50 });
    // The count has sensitivity 1/2: its noise is a Gaussian with multiplier 2 · countNoiseStd.
    const split = poissonSampledEvent(0.01, composedEvent([gaussianEvent(valueNoiseMultiplier), gaussianEvent(2 * countNoiseStd)]));
    const total = poissonSampledEvent(0.01, gaussianEvent(1.1));
    const rdp = (e: Parameters<RdpAccountant['compose']>[0]): number => new RdpAccountant().compose(selfComposedEvent(e, 500)).getEpsilon(1e-6);
    close(rdp(split), rdp(total), 1e-9);
    const one = (e: Parameters<RdpAccountant['compose']>[0]): number => new PldAccountant().compose(e).getEpsilon(1e-6);
    close(one(composedEvent([gaussianEvent(valueNoiseMultiplier), gaussianEvent(2 * countNoiseStd)])), one(gaussianEvent(1.1)), 1e-3);
  });

  it('refuses bad options', () => {
    expectInvalidArgument(() => adaptiveNoiseMultipliers({ noiseMultiplier: -1, expectedClientsPerRound: 5 }), 'adaptiveNoiseMultipliers', 'options.noiseMultiplier', />= 0/);
    expectInvalidArgument(() => adaptiveNoiseMultipliers({ noiseMultiplier: 1, expectedClientsPerRound: 0 }), 'adaptiveNoiseMultipliers', 'options.expectedClientsPerRound', /> 0/);
    expectInvalidArgument(() => adaptiveNoiseMultipliers({ noiseMultiplier: 1, expectedClientsPerRound: 5, clippedCountStddev: -2 }), 'adaptiveNoiseMultipliers', 'options.clippedCountStddev', />= 0/);
  });
});

/**
 * The white-box gradient-space audit (auditPrivatizer) against the library's own DP-SGD
 * aggregation (clipAndNoise) and accountant, and against aggregations broken on purpose.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { auditPrivatizer, oneRunEpsilonLowerBound, type GradientPrivatizer } from '../../src/audit/index.js';
import { seededRng } from '../../src/core/rng.js';
import { clipAndNoise, gaussianEvent, getNoiseMultiplier, poissonSampledEvent, RdpAccountant, selfComposedEvent } from '../../src/privacy/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';

// The digits run of the DP-SGD guide: 30 epochs of expected batch 64 on 1,447 rows.
const SAMPLE_RATE = 64 / 1447;
const STEPS = 690;
const DELTA = 1e-5;
const CANARIES = 1000;

function spentEpsilon(noiseMultiplier: number): number {
  const event = selfComposedEvent(poissonSampledEvent(SAMPLE_RATE, gaussianEvent(noiseMultiplier)), STEPS);
  return new RdpAccountant().compose(event).getEpsilon(DELTA);
}

function clipping(noiseMultiplier: number, seed: string): GradientPrivatizer {
  const rng = seededRng(seed);
  return async (g) => (await clipAndNoise([g], { maxGradNorm: 1, noiseMultiplier, expectedBatchSize: 64, rng })).gradients;
}

describeBackends('auditPrivatizer', (backend) => {
  for (const targetEpsilon of [1, 4, 8]) {
    it(`clipAndNoise calibrated to epsilon ${targetEpsilon}: the lower bound stays below the accountant's epsilon`, async () => {
      const sigma = getNoiseMultiplier({ targetEpsilon, delta: DELTA, sampleRate: SAMPLE_RATE, steps: STEPS });
      const epsilon = spentEpsilon(sigma);
      expect(epsilon).toBeLessThanOrEqual(targetEpsilon);
      const r = await auditPrivatizer(clipping(sigma, `honest-${targetEpsilon}-${backend}`), {
        canaries: CANARIES, steps: STEPS, sampleRate: SAMPLE_RATE, canaryNorm: 10, epsilon, delta: DELTA,
        positiveGuesses: 100, negativeGuesses: 100, rng: seededRng(`audit-${targetEpsilon}`),
      });
      expect(r.exceedsReported, `lower bound ${r.epsilonLowerBound} (${r.correct}/${r.guesses})`).toBe(false);
      expect(r.epsilonLowerBound).toBeLessThan(epsilon);
      // 200 guesses among 1,000 canaries certify at most 4.17: enough to refute 1 and 4, not 8.
      expect(r.canRefute).toBe(r.maxCertifiableEpsilon > epsilon);
      expect(r.canRefute).toBe(targetEpsilon < 8);
      // The audit is not blind: at epsilon 8 it finds a clearly positive bound.
      if (targetEpsilon === 8) expect(r.epsilonLowerBound).toBeGreaterThan(0.5);
    }, 60_000);
  }

  it('an aggregation that forgets to clip is caught (canaries of norm 10, noise for epsilon 1)', async () => {
    const sigma = getNoiseMultiplier({ targetEpsilon: 1, delta: DELTA, sampleRate: SAMPLE_RATE, steps: STEPS });
    const rng = seededRng('no-clip');
    const noClip: GradientPrivatizer = (g) =>
      tf.tidy(() => tf.add(tf.sum(g, 0), tf.mul(tf.randomNormal([g.shape[1]!], 0, 1, 'float32', rng.nextUint32()), sigma)));
    const r = await auditPrivatizer(noClip, {
      canaries: CANARIES, steps: STEPS, sampleRate: SAMPLE_RATE, canaryNorm: 10, epsilon: spentEpsilon(sigma), delta: DELTA,
      positiveGuesses: 100, negativeGuesses: 100, rng: seededRng('audit-no-clip'),
    });
    expect(r.exceedsReported, `lower bound ${r.epsilonLowerBound}`).toBe(true);
    expect(r.epsilonLowerBound).toBeGreaterThan(3);
  }, 60_000);

  it('noise a quarter of what the accountant assumes is caught', async () => {
    const sigma = getNoiseMultiplier({ targetEpsilon: 1, delta: DELTA, sampleRate: SAMPLE_RATE, steps: STEPS });
    const r = await auditPrivatizer(clipping(sigma / 4, 'quarter'), {
      canaries: CANARIES, steps: STEPS, sampleRate: SAMPLE_RATE, canaryNorm: 10, epsilon: spentEpsilon(sigma), delta: DELTA,
      positiveGuesses: 100, negativeGuesses: 100, rng: seededRng('audit-quarter'),
    });
    expect(r.exceedsReported, `lower bound ${r.epsilonLowerBound}`).toBe(true);
  }, 60_000);

  it('without noise every guess is right and the bound is the most the audit can certify', async () => {
    const r = await auditPrivatizer((g) => tf.sum(g, 0), {
      canaries: 200, steps: 50, sampleRate: 0.2, dimension: 300, positiveGuesses: 40, negativeGuesses: 40, delta: DELTA, rng: seededRng('exact'),
    });
    expect([r.guesses, r.correct]).toEqual([80, 80]);
    expect(r.epsilonLowerBound).toBe(r.maxCertifiableEpsilon);
    expect(r.epsilonLowerBound).toBeCloseTo(oneRunEpsilonLowerBound({ canaries: 200, guesses: 80, correct: 80, delta: DELTA }), 12);
    expect(r.reportedEpsilon).toBeUndefined();
    // An included canary's score counts the steps it was sampled in (sampleRate 0.2 of 50: about 10).
    const inScores = Array.from(r.scores).filter((_, i) => r.included[i] === 1);
    expect(Math.min(...inScores)).toBeGreaterThanOrEqual(0);
    expect(inScores.reduce((a, b) => a + b, 0) / inScores.length).toBeGreaterThan(7);
    expect(Array.from(r.scores).filter((_, i) => r.included[i] === 0).every((s) => s === 0)).toBe(true);
  });

  it('extreme canaries: norm 3e38 through clipAndNoise contributes nothing (its squared norm overflows and is zeroed), never a false alarm', async () => {
    const r = await auditPrivatizer(clipping(0.5, 'huge'), {
      canaries: 100, steps: 30, sampleRate: 0.5, canaryNorm: 3e38, epsilon: 1, positiveGuesses: 20, negativeGuesses: 20, rng: seededRng('huge'),
    });
    expect(r.exceedsReported).toBe(false);
    expect(r.epsilonLowerBound).toBe(0);
  });

  it('a privatizer whose output overflows to Infinity gets a typed error naming it, and nothing leaks', async () => {
    const before = tf.memory().numTensors;
    await expect(auditPrivatizer((g) => tf.tidy(() => tf.mul(tf.sum(g, 0), 10)), {
      canaries: 20, steps: 5, sampleRate: 1, canaryNorm: 3e38, rng: seededRng('inf'),
    })).rejects.toThrow(/privatize.*finite values/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is reproducible with a seed and leaves no tensors behind', async () => {
    const run = () => auditPrivatizer(clipping(1, 'leak'), { canaries: 20, steps: 5, sampleRate: 0.5, rng: seededRng('leak') });
    const a = await expectNoLeaks(run);
    const b = await run();
    expect(Array.from(a.included)).toEqual(Array.from(b.included));
    expect(Array.from(a.scores)).toEqual(Array.from(b.scores));
  });

  it('rejects bad input with typed errors', async () => {
    const ok = (g: tf.Tensor2D) => tf.sum(g, 0);
    const base = { canaries: 10, steps: 2, sampleRate: 0.5 };
    await expect(auditPrivatizer('x' as never, base)).rejects.toThrow(/privatize/);
    await expect(auditPrivatizer(ok, { ...base, canaries: 0 })).rejects.toThrow(/options\.canaries/);
    await expect(auditPrivatizer(ok, { ...base, steps: 1.5 })).rejects.toThrow(/options\.steps/);
    await expect(auditPrivatizer(ok, { ...base, sampleRate: 0 })).rejects.toThrow(/options\.sampleRate/);
    await expect(auditPrivatizer(ok, { ...base, canaryNorm: 1e39 })).rejects.toThrow(/options\.canaryNorm/);
    await expect(auditPrivatizer(ok, { ...base, dimension: 5 })).rejects.toThrow(/each canary needs its own coordinate/);
    await expect(auditPrivatizer(ok, { ...base, delta: 1 })).rejects.toThrow(/options\.delta/);
    await expect(auditPrivatizer(ok, { ...base, confidence: 0 })).rejects.toThrow(/options\.confidence/);
    await expect(auditPrivatizer(ok, { ...base, epsilon: -1 })).rejects.toThrow(/options\.epsilon/);
    const before = tf.memory().numTensors;
    await expect(auditPrivatizer((g) => tf.sum(g), base)).rejects.toThrow(/10 values/);
    expect(tf.memory().numTensors).toBe(before);
    const controller = new AbortController();
    controller.abort();
    await expect(auditPrivatizer(ok, { ...base, signal: controller.signal })).rejects.toThrow(/abort/i);
  });
});

import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, seededRng } from '../../src/core/index.js';
import { bootstrapMetricFrame, selectionRate, truePositiveRate } from '../../src/fairness/index.js';
import { test } from './data.js';

describe('bootstrapMetricFrame', () => {
  const base = { metrics: { selectionRate, tpr: truePositiveRate }, yTrue: test.yTrue, yPred: test.yPred, sensitiveFeatures: test.sex };

  it('gives intervals around the estimate whose width matches the binomial standard error', () => {
    const r = bootstrapMetricFrame({ ...base, numBootstrap: 200, rng: seededRng(1) });
    expect(r.quantiles).toEqual([0.025, 0.975]);
    for (const g of ['Female', 'Male']) {
      const [lo, hi] = r.byGroup[g]!.selectionRate!;
      const p = r.frame.byGroup[g]!.selectionRate!;
      const n = g === 'Female' ? 4913 : 10147; // group sizes (Fairlearn's count)
      const se = Math.sqrt((p * (1 - p)) / n);
      expect(lo! < p && p < hi!).toBe(true);
      // A 95% interval spans about 2 × 1.96 standard errors; 200 resamples estimate it within ~25%.
      expect((hi! - lo!) / (2 * 1.96 * se)).toBeGreaterThan(0.75);
      expect((hi! - lo!) / (2 * 1.96 * se)).toBeLessThan(1.25);
    }
    const [dlo, dhi] = r.difference.selectionRate!;
    expect(dlo! < r.frame.difference().selectionRate! && r.frame.difference().selectionRate! < dhi!).toBe(true);
  });

  it('is reproducible with a seeded rng and checks its options', () => {
    const a = bootstrapMetricFrame({ ...base, numBootstrap: 5, quantiles: [0.5], rng: seededRng('x') });
    const b = bootstrapMetricFrame({ ...base, numBootstrap: 5, quantiles: [0.5], rng: seededRng('x') });
    expect(a.overall).toEqual(b.overall);
    expect(() => bootstrapMetricFrame({ ...base, quantiles: [1.5] })).toThrow(InvalidArgumentError);
    expect(() => bootstrapMetricFrame({ ...base, numBootstrap: 0 })).toThrow(/'options.numBootstrap' must be an integer >= 1/);
  });

  it('handles intersectional groups that a resample may miss', () => {
    const r = bootstrapMetricFrame({
      metrics: { selectionRate },
      yTrue: [1, 0, 1, 0, 1, 0, 1],
      yPred: [1, 1, 0, 0, 1, 0, 1],
      sensitiveFeatures: { a: ['x', 'x', 'y', 'y', 'x', 'y', 'z'], b: [1, 2, 1, 2, 1, 1, 2] },
      numBootstrap: 50,
      rng: seededRng(3),
    });
    for (const q of Object.values(r.byGroup)) for (const v of q.selectionRate!) expect(Number.isNaN(v) || (v >= 0 && v <= 1)).toBe(true);
    expect(r.frame.missingGroups).toEqual(['z, 1']);
  });
});

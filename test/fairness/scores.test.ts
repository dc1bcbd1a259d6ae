import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectedCalibrationError, expectedCalibrationErrorMetric, generalizedEntropyIndex, metricFrame, rocAuc, theilIndex } from '../../src/fairness/index.js';
import { test } from './data.js';

/** The pairwise definition scikit-learn's trapezoidal ROC AUC equals (ties count one half). */
function pairwiseAuc(y: number[], s: number[], w?: number[]): number {
  let num = 0;
  let wp = 0;
  let wn = 0;
  for (let i = 0; i < y.length; i++) {
    const wi = w?.[i] ?? 1;
    if (y[i] === 1) wp += wi;
    else wn += wi;
  }
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 1) continue;
    for (let j = 0; j < y.length; j++) {
      if (y[j] !== 0) continue;
      const wij = (w?.[i] ?? 1) * (w?.[j] ?? 1);
      num += wij * (s[i]! > s[j]! ? 1 : s[i] === s[j] ? 0.5 : 0);
    }
  }
  return num / (wp * wn);
}

describe('rocAuc', () => {
  it('property: equals the weighted pairwise (Mann–Whitney) AUC with ties', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 8 }), fc.double({ min: 0.1, max: 3, noNaN: true })), { minLength: 2, maxLength: 40 }),
        (rows) => {
          const y = rows.map((r) => r[0]);
          const s = rows.map((r) => r[1] / 8);
          const w = rows.map((r) => r[2]);
          if (!y.includes(0) || !y.includes(1)) {
            expect(rocAuc(y, s, w)).toBeNaN();
            return;
          }
          expect(rocAuc(y, s, w)).toBeCloseTo(pairwiseAuc(y, s, w), 12);
          expect(rocAuc(y, s)).toBeCloseTo(pairwiseAuc(y, s), 12);
        },
      ),
      { numRuns: 300, seed: 3 },
    );
  });

  it('gives per-group AUC in a frame (scores as yPred)', () => {
    const f = metricFrame({ metrics: { auc: rocAuc, ece: expectedCalibrationError }, yTrue: test.yTrue, yPred: test.yScore, sensitiveFeatures: test.sex });
    const idx = test.sex.map((s, i) => (s === 'Female' ? i : -1)).filter((i) => i >= 0);
    const aucF = pairwiseAuc(idx.map((i) => test.yTrue[i]!), idx.map((i) => test.yScore[i]!));
    expect(f.byGroup.Female!.auc).toBeCloseTo(aucF, 10);
    expect(f.overall.auc).toBeGreaterThan(0.85);
    expect(f.byGroup.Male!.ece).toBeGreaterThanOrEqual(0);
    expect(f.byGroup.Male!.ece).toBeLessThan(0.1);
  });
});

describe('expectedCalibrationError', () => {
  it('is 0 for calibrated bins and |gap| otherwise; weights enter the bin means', () => {
    expect(expectedCalibrationError([0, 1], [0.05, 0.95])).toBeCloseTo(0.05, 12);
    expect(expectedCalibrationError([0, 1, 0, 1], [0.55, 0.55, 0.55, 0.55])).toBeCloseTo(0.05, 12);
    expect(expectedCalibrationErrorMetric({ numBins: 1 })([1, 0, 0], [0.5, 0.5, 0.5], [2, 1, 1])).toBeCloseTo(0, 12);
    expect(() => expectedCalibrationError([1], [1.5])).toThrow(/'yScore\[0\]' must be a probability in \[0, 1\]/);
  });
});

describe('generalizedEntropyIndex', () => {
  it('alpha → 1 approaches the Theil index; alpha = 0 is the mean log deviation', () => {
    const y = test.yTrue.slice(0, 500);
    const p = test.yPred.slice(0, 500);
    expect(generalizedEntropyIndex(y, p, { alpha: 1 + 1e-7 })).toBeCloseTo(theilIndex(y, p), 5);
    const yy = [1, 0, 1, 0];
    const pp = [1, 1, 1, 0];
    const b = [1, 2, 1, 1];
    const mu = 5 / 4;
    expect(generalizedEntropyIndex(yy, pp, { alpha: 0 })).toBeCloseTo(-b.reduce((a, v) => a + Math.log(v / mu), 0) / 4, 12);
  });
});

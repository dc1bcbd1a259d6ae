/**
 * Properties of the audit statistics (fast-check): interval containment and widening, monotonicity of
 * the bounds, and that the Bonferroni-corrected best never exceeds the uncorrected best.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  clopperPearson, epsilonLowerBound, epsilonLowerBoundFromScores, oneRunAudit, oneRunEpsilonLowerBound, oneRunPValue,
} from '../../src/audit/statistics/index.js';

const trialsAndSuccesses = fc.integer({ min: 1, max: 5000 }).chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n)));
const confidence = fc.double({ min: 0.5, max: 0.9999, noNaN: true });
const counts = fc.record({
  truePositives: fc.integer({ min: 0, max: 500 }),
  falsePositives: fc.integer({ min: 0, max: 500 }),
  trueNegatives: fc.integer({ min: 1, max: 500 }),
  falseNegatives: fc.integer({ min: 1, max: 500 }),
});

describe('clopperPearson properties', () => {
  it('contains the estimate and lies in [0, 1]', () => {
    fc.assert(fc.property(trialsAndSuccesses, confidence, ([k, n], c) => {
      const r = clopperPearson(k, n, { confidence: c });
      expect(r.lower).toBeGreaterThanOrEqual(0);
      expect(r.lower).toBeLessThanOrEqual(r.estimate);
      expect(r.upper).toBeGreaterThanOrEqual(r.estimate);
      expect(r.upper).toBeLessThanOrEqual(1);
    }));
  });

  it('widens as the confidence grows (up to the quantile routine\'s rounding, 1e-13 relative)', () => {
    fc.assert(fc.property(trialsAndSuccesses, confidence, confidence, ([k, n], a, b) => {
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      const narrow = clopperPearson(k, n, { confidence: lo });
      const wide = clopperPearson(k, n, { confidence: hi });
      expect(wide.lower).toBeLessThanOrEqual(narrow.lower * (1 + 1e-13));
      expect(wide.upper).toBeGreaterThanOrEqual(narrow.upper * (1 - 1e-13));
    }));
  });

  it('is symmetric: lower(k, n) = 1 − upper(n − k, n)', () => {
    fc.assert(fc.property(trialsAndSuccesses, confidence, ([k, n], c) => {
      const a = clopperPearson(k, n, { confidence: c });
      const b = clopperPearson(n - k, n, { confidence: c });
      expect(Math.abs(a.lower - (1 - b.upper))).toBeLessThanOrEqual(1e-12);
    }));
  });
});

describe('epsilonLowerBound properties', () => {
  it('is ≥ 0, shrinks as the confidence or δ grows', () => {
    fc.assert(fc.property(counts, confidence, confidence, fc.double({ min: 0, max: 0.5, noNaN: true }), (c, a, b, delta) => {
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      const loose = epsilonLowerBound(c, { confidence: lo });
      const strict = epsilonLowerBound(c, { confidence: hi });
      expect(strict.epsilon).toBeGreaterThanOrEqual(0);
      expect(strict.epsilon).toBeLessThanOrEqual(loose.epsilon + 1e-12);
      expect(epsilonLowerBound(c, { confidence: lo, delta }).epsilon).toBeLessThanOrEqual(loose.epsilon + 1e-12);
    }));
  });

  it('the threshold sweep (Bonferroni) never beats the uncorrected best threshold', () => {
    const data = fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.boolean()), { minLength: 4, maxLength: 120 })
      .filter((xs) => xs.some(([, m]) => m) && xs.some(([, m]) => !m));
    fc.assert(fc.property(data, (xs) => {
      const scores = xs.map(([s, m]) => s + (m ? 5 : 0));
      const isMember = xs.map(([, m]) => m);
      const corrected = epsilonLowerBoundFromScores(scores, isMember);
      let uncorrected = 0;
      for (const t of new Set(scores)) {
        const guess = scores.map((s) => s >= t);
        const c = {
          truePositives: guess.filter((g, i) => g && isMember[i]).length,
          falsePositives: guess.filter((g, i) => g && !isMember[i]).length,
          trueNegatives: guess.filter((g, i) => !g && !isMember[i]).length,
          falseNegatives: guess.filter((g, i) => !g && isMember[i]).length,
        };
        uncorrected = Math.max(uncorrected, epsilonLowerBound(c).epsilon);
      }
      expect(corrected.epsilon).toBeLessThanOrEqual(uncorrected);
      expect(corrected.thresholdsTried).toBe(new Set(scores).size);
    }), { numRuns: 60 });
  });

  it('the pruned sweep returns what trying every threshold at the corrected confidence returns', () => {
    const data = fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.boolean()), { minLength: 4, maxLength: 300 })
      .filter((xs) => xs.some(([, m]) => m) && xs.some(([, m]) => !m));
    const delta = fc.constantFrom(0, 1e-5, 0.01);
    fc.assert(fc.property(data, delta, fc.integer({ min: 0, max: 8 }), (xs, d, shift) => {
      const scores = xs.map(([s, m]) => s + (m ? shift : 0));
      const isMember = xs.map(([, m]) => m);
      const r = epsilonLowerBoundFromScores(scores, isMember, { delta: d });
      const thresholds = [...new Set(scores)].sort((a, b) => a - b);
      const perThreshold = 1 - 0.05 / thresholds.length;
      let best = { epsilon: -1, threshold: Number.NaN };
      for (const t of thresholds) {
        const c = {
          truePositives: scores.filter((s, i) => s >= t && isMember[i]).length,
          falsePositives: scores.filter((s, i) => s >= t && !isMember[i]).length,
          trueNegatives: scores.filter((s, i) => s < t && !isMember[i]).length,
          falseNegatives: scores.filter((s, i) => s < t && isMember[i]).length,
        };
        const e = epsilonLowerBound(c, { delta: d, confidence: perThreshold }).epsilon;
        if (e > best.epsilon) best = { epsilon: e, threshold: t };
      }
      expect(r.epsilon).toBe(best.epsilon);
      expect(r.threshold).toBe(best.threshold);
    }), { numRuns: 80 });
  });
});

describe('one-run audit properties', () => {
  const outcome = fc.integer({ min: 1, max: 400 }).chain((r) =>
    fc.tuple(fc.constant(r), fc.integer({ min: 0, max: r }), fc.integer({ min: 0, max: r }), fc.integer({ min: 0, max: 1000 })));

  it('the bound is non-decreasing in the number of correct guesses', () => {
    fc.assert(fc.property(outcome, fc.constantFrom(0, 1e-5, 1e-3), ([r, a, b, extra], delta) => {
      const [v1, v2] = a <= b ? [a, b] : [b, a];
      const m = r + extra;
      const e1 = oneRunEpsilonLowerBound({ canaries: m, guesses: r, correct: v1, delta });
      const e2 = oneRunEpsilonLowerBound({ canaries: m, guesses: r, correct: v2, delta });
      expect(e1).toBeLessThanOrEqual(e2 * (1 + 1e-12) + 1e-15);
    }), { numRuns: 60 });
  });

  it('the p-value is non-decreasing in ε at δ = 0 (the bisection relies on it)', () => {
    fc.assert(fc.property(outcome, fc.double({ min: 0, max: 8, noNaN: true }), fc.double({ min: 0, max: 8, noNaN: true }), ([r, v, , extra], a, b) => {
      const [e1, e2] = a <= b ? [a, b] : [b, a];
      const args = { canaries: r + extra, guesses: r, correct: v };
      expect(oneRunPValue({ ...args, epsilon: e1 })).toBeLessThanOrEqual(oneRunPValue({ ...args, epsilon: e2 }) * (1 + 1e-12));
    }), { numRuns: 100 });
  });

  it('the Bonferroni-corrected grid bound never exceeds the uncorrected best over the same grid', () => {
    const audit = fc.array(fc.tuple(fc.integer({ min: -3, max: 3 }), fc.boolean()), { minLength: 20, maxLength: 200 });
    fc.assert(fc.property(audit, fc.constantFrom(0, 1e-5), (xs, delta) => {
      const scores = xs.map(([s, inc]) => s + (inc ? 4 : 0));
      const included = xs.map(([, inc]) => inc);
      const m = scores.length;
      const positives = [1, 5, 10].filter((k) => k <= m / 2);
      const negatives = [0, 5, 10].filter((k) => k <= m / 2);
      const corrected = oneRunAudit(scores, included, { positiveGuesses: positives, negativeGuesses: negatives, delta });
      let uncorrected = 0;
      for (const kp of positives) {
        for (const kn of negatives) {
          const single = oneRunAudit(scores, included, { positiveGuesses: kp, negativeGuesses: kn, delta });
          uncorrected = Math.max(uncorrected, single.epsilon);
          expect(single.correct).toBeLessThanOrEqual(single.guesses);
        }
      }
      expect(corrected.epsilon).toBeLessThanOrEqual(uncorrected);
      expect(corrected.candidatesTried).toBe(positives.length * negatives.length);
    }), { numRuns: 40 });
  });
});

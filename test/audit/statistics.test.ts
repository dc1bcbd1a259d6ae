/**
 * The audit statistics against scipy 1.10.1 (test/fixtures/audit/generate_statistics.py; see NOTES.md,
 * "statistics"): Clopper-Pearson ends, the Jagielski/Nasr epsilon bound, the thresholded sweep with
 * its Bonferroni correction, and the one-run audit of Steinke, Nasr & Jagielski (2023), whose
 * reference is the paper's Appendix D algorithm bisected to a relative width of 1e-13.
 */
import { describe, expect, it } from 'vitest';
import {
  clopperPearson, epsilonLowerBound, epsilonLowerBoundFromScores, oneRunAudit, oneRunEpsilonLowerBound, oneRunPValue,
} from '../../src/audit/statistics/index.js';
import fx from '../fixtures/audit/statistics.json';

/** |actual − expected| ≤ rel·|expected| (exact equality for 0 and ±1-type ends). */
function expectRelClose(actual: number, expected: number, rel: number, label: string): void {
  if (expected === 0) {
    expect(actual, label).toBe(0);
    return;
  }
  expect(Math.abs(actual - expected) / Math.abs(expected), `${label}: ${actual} vs ${expected}`).toBeLessThanOrEqual(rel);
}

describe('clopperPearson (statsmodels proportion_confint method="beta" convention, via scipy beta.ppf / beta.isf)', () => {
  it('matches scipy to 1e-9 relative, with exact 0 / 1 ends at k = 0 / k = n', () => {
    for (const c of fx.clopperPearson) {
      const r = clopperPearson(c.successes, c.trials, { confidence: c.confidence });
      const label = `k=${c.successes} n=${c.trials} c=${c.confidence}`;
      expectRelClose(r.lower, c.lower, 1e-9, `${label} lower`);
      expectRelClose(r.upper, c.upper, 1e-9, `${label} upper`);
      expect(r.estimate).toBe(c.successes / c.trials);
      expect(r.confidence).toBe(c.confidence);
      if (c.successes === 0) expect(r.lower).toBe(0);
      if (c.successes === c.trials) expect(r.upper).toBe(1);
    }
  });

  it('closed forms at the ends: k = 0 gives upper 1 − (α/2)^(1/n), k = n gives lower (α/2)^(1/n)', () => {
    for (const n of [1, 7, 1000, 100000]) {
      expectRelClose(clopperPearson(0, n).upper, -Math.expm1(Math.log(0.025) / n), 1e-12, `n=${n}`);
      expectRelClose(clopperPearson(n, n).lower, Math.exp(Math.log(0.025) / n), 1e-12, `n=${n}`);
    }
  });

  it('defaults to 95%', () => {
    expect(clopperPearson(3, 10)).toEqual(clopperPearson(3, 10, { confidence: 0.95 }));
  });
});

describe('epsilonLowerBound (Jagielski et al. 2020 / Nasr et al. 2021)', () => {
  it('matches the formula evaluated with scipy to 1e-9 relative', () => {
    for (const c of fx.epsilonLowerBound) {
      const r = epsilonLowerBound(c.counts, { delta: c.delta, confidence: c.confidence });
      const label = JSON.stringify(c.counts);
      expectRelClose(r.epsilon, c.epsilon, 1e-9, `${label} epsilon`);
      expectRelClose(r.falsePositiveRateUpper, c.falsePositiveRateUpper, 1e-9, `${label} fpr`);
      expectRelClose(r.falseNegativeRateUpper, c.falseNegativeRateUpper, 1e-9, `${label} fnr`);
      expect([r.delta, r.confidence]).toEqual([c.delta, c.confidence]);
      expect(r.epsilon).toBeGreaterThanOrEqual(0);
    }
  });

  it('a perfect test on n + n examples at δ = 0 gives max(0, ln((1 − u)/u)), u = 1 − (α/2)^(1/n)', () => {
    // FPR̄ = FNR̄ = u; for n = 1, u = 0.975 and the bound is 0
    for (const n of [1, 10, 1000]) {
      const u = -Math.expm1(Math.log(0.025) / n);
      const r = epsilonLowerBound({ truePositives: n, falsePositives: 0, trueNegatives: n, falseNegatives: 0 });
      expectRelClose(r.epsilon, Math.max(0, Math.log((1 - u) / u)), 1e-12, `n=${n}`);
    }
  });

  it('is 0 (never negative) at chance level and when δ leaves no room', () => {
    expect(epsilonLowerBound({ truePositives: 5, falsePositives: 5, trueNegatives: 5, falseNegatives: 5 }).epsilon).toBe(0);
    expect(epsilonLowerBound({ truePositives: 100, falsePositives: 0, trueNegatives: 100, falseNegatives: 0 }, { delta: 1 }).epsilon).toBe(0);
  });
});

describe('epsilonLowerBoundFromScores (threshold sweep, Bonferroni over thresholds)', () => {
  it('matches a scipy sweep with the same correction: epsilon to 1e-9, threshold and counts exactly', () => {
    const { scores, isMember, cases } = fx.scoreSweep;
    for (const c of cases) {
      const thresholds = c.thresholds === 'all' ? 'all' : (c.thresholds as number[]);
      const r = epsilonLowerBoundFromScores(scores, isMember, { delta: c.delta, confidence: c.confidence, thresholds });
      const label = `thresholds=${String(c.thresholds)} delta=${c.delta}`;
      expectRelClose(r.epsilon, c.epsilon, 1e-9, label);
      expect(r.threshold, label).toBe(c.threshold);
      expect(r.counts, label).toEqual(c.counts);
      expect(r.thresholdsTried, label).toBe(c.thresholdsTried);
      expectRelClose(r.confidencePerThreshold, c.confidencePerThreshold, 1e-15, label);
      expectRelClose(r.falsePositiveRateUpper, c.fpr_upper, 1e-9, label);
      expectRelClose(r.falseNegativeRateUpper, c.fnr_upper, 1e-9, label);
      expect(r.confidence).toBe(c.confidence);
    }
  });

  it('with one threshold it is exactly epsilonLowerBound of the counts at that threshold', () => {
    const { scores, isMember } = fx.scoreSweep;
    const r = epsilonLowerBoundFromScores(scores, isMember, { thresholds: [1] });
    expect(r.epsilon).toBe(epsilonLowerBound(r.counts).epsilon);
    expect(r.thresholdsTried).toBe(1);
  });

  it('accepts boolean labels and typed arrays', () => {
    const { scores, isMember } = fx.scoreSweep;
    const a = epsilonLowerBoundFromScores(Float64Array.from(scores), isMember.map((v) => v === 1));
    const b = epsilonLowerBoundFromScores(scores, Uint8Array.from(isMember));
    expect(a).toEqual(b);
  });
});

describe('oneRunPValue (Steinke, Nasr & Jagielski 2023, Appendix D)', () => {
  it('matches the paper algorithm with scipy.stats.binom to 1e-9 relative, including p-values down to 1e-33', () => {
    for (const c of fx.oneRunPValue) {
      const p = oneRunPValue({ canaries: c.canaries, guesses: c.guesses, correct: c.correct, epsilon: c.epsilon, delta: c.delta });
      expectRelClose(p, c.pValue, 1e-9, JSON.stringify(c));
    }
  });

  it('at δ = 0 matches a 60-digit mpmath sum of the binomial tail to 1e-11 relative', () => {
    // scipy's own error on these tails is ~5e-13 relative (compare pValue and betaMpmath in the fixture).
    for (const c of fx.oneRunPValue.filter((x) => x.delta === 0)) {
      const p = oneRunPValue({ canaries: c.canaries, guesses: c.guesses, correct: c.correct, epsilon: c.epsilon });
      expectRelClose(p, c.betaMpmath, 1e-11, JSON.stringify(c));
    }
  });

  it('all correct at δ = 0 is q^r', () => {
    const q = 1 / (1 + Math.exp(-1.3));
    expectRelClose(oneRunPValue({ canaries: 500, guesses: 200, correct: 200, epsilon: 1.3 }), q ** 200, 1e-12, 'q^r');
  });
});

describe('oneRunEpsilonLowerBound', () => {
  it('matches the paper algorithm (scipy, bisected to 1e-13) to 1e-9 relative, m up to 1e5', () => {
    for (const c of fx.oneRunEpsilon) {
      const eps = oneRunEpsilonLowerBound({ canaries: c.canaries, guesses: c.guesses, correct: c.correct, delta: c.delta, confidence: c.confidence });
      expectRelClose(eps, c.epsilon, 1e-9, JSON.stringify(c));
    }
  });

  it('pure DP, all correct: solves q^r = 1 − confidence, ε = ln(q/(1 − q)) with q = (1 − confidence)^(1/r)', () => {
    for (const [r, confidence] of [[1, 0.5], [10, 0.95], [100, 0.95], [1000, 0.99], [100000, 0.95]] as const) {
      const q = Math.exp(Math.log(1 - confidence) / r);
      const expected = Math.log(q) - Math.log1p(-q);
      const eps = oneRunEpsilonLowerBound({ canaries: Math.max(r, 10), guesses: r, correct: r, confidence });
      expectRelClose(eps, expected, 1e-10, `r=${r}`);
    }
  });

  it('is 0 when even ε = 0 is not rejected, and the p-value at the bound straddles 1 − confidence', () => {
    expect(oneRunEpsilonLowerBound({ canaries: 100, guesses: 10, correct: 6 })).toBe(0);
    expect(oneRunEpsilonLowerBound({ canaries: 100, guesses: 0, correct: 0 })).toBe(0);
    const args = { canaries: 10000, guesses: 1000, correct: 800, delta: 1e-5 };
    const eps = oneRunEpsilonLowerBound({ ...args, confidence: 0.95 });
    expect(oneRunPValue({ ...args, epsilon: eps })).toBeLessThan(0.05);
    expect(oneRunPValue({ ...args, epsilon: eps * (1 + 1e-11) })).toBeGreaterThanOrEqual(0.05);
  });
});

describe('oneRunAudit (scores → guesses → bound)', () => {
  it('matches the scipy reference (ranking by score then index, Bonferroni over the grid)', () => {
    const { scores, included, cases } = fx.oneRunAudit;
    for (const c of cases) {
      const r = oneRunAudit(scores, included, {
        positiveGuesses: c.positiveGrid, negativeGuesses: c.negativeGrid, delta: c.delta, confidence: c.confidence,
      });
      const label = `k+ ${c.positiveGrid} k- ${c.negativeGrid}`;
      expectRelClose(r.epsilon, c.epsilon, 1e-9, label);
      expect([r.positiveGuesses, r.negativeGuesses, r.correctPositive, r.correctNegative, r.guesses, r.correct], label).toEqual([
        c.positiveGuesses, c.negativeGuesses, c.correctPositive, c.correctNegative, c.guesses, c.correct,
      ]);
      expect([r.candidatesTried, r.canaries, r.delta, r.confidence]).toEqual([c.candidatesTried, scores.length, c.delta, c.confidence]);
      expectRelClose(r.confidencePerCandidate, c.confidencePerCandidate, 1e-15, label);
      expectRelClose(r.pValueAtZero, c.pValueAtZero, 1e-9, label);
    }
  });

  it('breaks ties at the cut by index (lower index ranks higher), never by inclusion', () => {
    // four tied canaries: the top-2 guess takes indices 0 and 1; the bottom-1 guess takes index 3
    const r = oneRunAudit([1, 1, 1, 1], [1, 0, 1, 0], { positiveGuesses: 2, negativeGuesses: 1 });
    expect([r.correctPositive, r.correctNegative]).toEqual([1, 1]);
    const s = oneRunAudit([1, 1, 1, 1], [0, 1, 1, 1], { positiveGuesses: 1, negativeGuesses: 1 });
    expect([s.correctPositive, s.correctNegative]).toEqual([0, 0]);
  });

  it('a single (k+, k−) equals oneRunEpsilonLowerBound of its counts; negativeGuesses defaults to 0', () => {
    const { scores, included } = fx.oneRunAudit;
    const r = oneRunAudit(scores, included, { positiveGuesses: 80, delta: 1e-5 });
    expect(r.negativeGuesses).toBe(0);
    expect(r.epsilon).toBe(oneRunEpsilonLowerBound({ canaries: scores.length, guesses: 80, correct: r.correct, delta: 1e-5 }));
  });
});

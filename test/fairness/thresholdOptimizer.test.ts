import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, seededRng } from '../../src/core/index.js';
import { fitThresholdOptimizer, metricFrame, selectionRate, thresholdPredict, thresholdProbabilities, type ThresholdConstraint } from '../../src/fairness/index.js';
import ref from '../fixtures/fairness/threshold_optimizer.json';
import { close, test, trainSet } from './data.js';

interface RefRule {
  p0: number;
  operation0: { operator: string; threshold: number };
  p1: number;
  operation1: { operator: string; threshold: number };
  p_ignore?: number;
  prediction_constant?: number;
}
interface RefRates {
  by_group: Record<string, { n: number; selection_rate: number; true_positive_rate: number; false_positive_rate: number; accuracy: number }>;
  overall: { selection_rate: number; accuracy: number };
}

/** Expected rates from P(ŷ = 1) per row (the reference's `_pmf_predict` rates). */
function expectedRates(p: Float64Array, yTrue: number[], groups: string[]) {
  const out: Record<string, { sel: number; tpr: number; fpr: number; acc: number }> = {};
  for (const g of [...new Set(groups)]) {
    let n = 0, sel = 0, pos = 0, tp = 0, neg = 0, fp = 0, acc = 0;
    groups.forEach((gi, i) => {
      if (gi !== g) return;
      n++;
      sel += p[i]!;
      if (yTrue[i] === 1) {
        pos++;
        tp += p[i]!;
        acc += p[i]!;
      } else {
        neg++;
        fp += p[i]!;
        acc += 1 - p[i]!;
      }
    });
    out[g] = { sel: sel / n, tpr: tp / pos, fpr: fp / neg, acc: acc / n };
  }
  return out;
}

describe('fitThresholdOptimizer against Fairlearn 0.12 ThresholdOptimizer', () => {
  for (const run of ref.runs) {
    it(`${run.id}: rules, x_best and expected rates`, () => {
      const fitOnTrain = run.id.startsWith('fit_train');
      const fit = fitOnTrain ? { yTrue: trainSet.yTrue, yScore: trainSet.yScore, sensitiveFeatures: trainSet.sex } : { yTrue: test.yTrue, yScore: test.yScore, sensitiveFeatures: test.sex };
      const rule = fitThresholdOptimizer({ ...fit, constraints: run.constraints as ThresholdConstraint });
      expect(close(rule.xBest, run.x_best, 1e-12)).toBe(true);
      for (const [group, e] of Object.entries(run.interpolation as Record<string, RefRule>)) {
        const r = rule.groups[group]!;
        expect(close(r.p0, e.p0), `${group} p0 ${r.p0} vs ${e.p0}`).toBe(true);
        expect(close(r.p1, e.p1), `${group} p1`).toBe(true);
        expect(r.operation0.operator).toBe(e.operation0.operator);
        expect(close(r.operation0.threshold, e.operation0.threshold), `${group} t0 ${r.operation0.threshold} vs ${e.operation0.threshold}`).toBe(true);
        expect(close(r.operation1.threshold, e.operation1.threshold), `${group} t1`).toBe(true);
        if (e.p_ignore !== undefined) {
          expect(close(r.pIgnore!, e.p_ignore), `${group} p_ignore`).toBe(true);
          expect(close(r.predictionConstant!, e.prediction_constant!)).toBe(true);
        }
      }
      const p = thresholdProbabilities(rule, { yScore: test.yScore, sensitiveFeatures: test.sex });
      const got = expectedRates(p, test.yTrue, test.sex);
      for (const [group, e] of Object.entries((run.expected_on_test as RefRates).by_group)) {
        expect(close(got[group]!.sel, e.selection_rate)).toBe(true);
        expect(close(got[group]!.tpr, e.true_positive_rate)).toBe(true);
        expect(close(got[group]!.fpr, e.false_positive_rate)).toBe(true);
        expect(close(got[group]!.acc, e.accuracy)).toBe(true);
      }
    });
  }

  it('randomized predictions are reproducible with a seeded rng and realize the expected rates', () => {
    const run = ref.runs.find((r) => r.id === 'fit_test_eval_test/sex/equalized_odds')!;
    const rule = fitThresholdOptimizer({ yTrue: test.yTrue, yScore: test.yScore, sensitiveFeatures: test.sex, constraints: 'equalized_odds' });
    const a = thresholdPredict(rule, { yScore: test.yScore, sensitiveFeatures: test.sex, rng: seededRng(0) });
    const b = thresholdPredict(rule, { yScore: test.yScore, sensitiveFeatures: test.sex, rng: seededRng(0) });
    expect(Array.from(a)).toEqual(Array.from(b));
    // Realized rates stay within sampling error of the expected ones (u is uniform, not numpy's draws).
    const p = thresholdProbabilities(rule, { yScore: test.yScore, sensitiveFeatures: test.sex });
    const f = metricFrame({ metrics: { sel: selectionRate }, yTrue: test.yTrue, yPred: a, sensitiveFeatures: test.sex });
    for (const g of ['Female', 'Male']) {
      const e = (run.expected_on_test as RefRates).by_group[g]!;
      const sd = Math.sqrt((e.selection_rate * (1 - e.selection_rate)) / e.n);
      expect(Math.abs(f.byGroup[g]!.sel! - e.selection_rate)).toBeLessThan(5 * sd);
    }
    expect(p.every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  for (const constraints of ['demographic_parity', 'equalized_odds'] as const) {
    it(`race (5 groups), ${constraints}: constrained rates are equal across groups on the fitting data`, () => {
      const rule = fitThresholdOptimizer({ yTrue: trainSet.yTrue, yScore: trainSet.yScore, sensitiveFeatures: trainSet.race, constraints });
      expect(Object.keys(rule.groups)).toEqual(['Amer-Indian-Eskimo', 'Asian-Pac-Islander', 'Black', 'Other', 'White']);
      const p = thresholdProbabilities(rule, { yScore: trainSet.yScore, sensitiveFeatures: trainSet.race });
      const rates = Object.values(expectedRates(p, trainSet.yTrue, trainSet.race));
      const spread = (f: (r: (typeof rates)[number]) => number): number => Math.max(...rates.map(f)) - Math.min(...rates.map(f));
      if (constraints === 'demographic_parity') {
        expect(spread((r) => r.sel)).toBeLessThan(1e-9);
        rates.forEach((r) => expect(r.sel).toBeCloseTo(rule.xBest, 9));
      } else {
        expect(spread((r) => r.fpr)).toBeLessThan(1e-9);
        expect(spread((r) => r.tpr)).toBeLessThan(1e-9);
        rates.forEach((r) => expect(r.fpr).toBeCloseTo(rule.xBest, 9));
      }
    });
  }

  it('rejects groups with one label, unknown constraints and unseen groups', () => {
    const base = { yTrue: [1, 0, 1, 1], yScore: [0.9, 0.2, 0.6, 0.7], sensitiveFeatures: ['a', 'a', 'b', 'b'] };
    expect(() => fitThresholdOptimizer({ ...base, constraints: 'demographic_parity' })).toThrow(/Degenerate labels for sensitive feature value b/);
    expect(() => fitThresholdOptimizer({ ...base, constraints: 'parity' as ThresholdConstraint })).toThrow(InvalidArgumentError);
    expect(() => fitThresholdOptimizer({ ...base, yTrue: [1, 0, 1, 0], constraints: 'equalized_odds', objective: 'selection_rate' })).toThrow(/'options.objective'/);
    const rule = fitThresholdOptimizer({ ...base, yTrue: [1, 0, 1, 0], constraints: 'demographic_parity' });
    expect(() => thresholdProbabilities(rule, { yScore: [0.5], sensitiveFeatures: ['c'] })).toThrow(/a group seen at fit time/);
  });
});

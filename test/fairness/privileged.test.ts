import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/index.js';
import {
  averageOddsDifference,
  disparateImpact,
  generalizedEntropyIndex,
  privilegedComparison,
  reweighing,
  statisticalParityDifference,
  theilIndex,
} from '../../src/fairness/index.js';
import ref from '../fixtures/fairness/metrics.json';
import { close, num, test, trainSet } from './data.js';

const cases = [
  { key: 'sex', column: test.sex, privileged: 'Male' },
  { key: 'race_white', column: test.race, privileged: 'White' },
] as const;

describe('AIF360 classic ClassificationMetric on Adult predictions', () => {
  for (const c of cases) {
    for (const weighting of ['unweighted', 'weighted'] as const) {
      it(`${c.key}, ${weighting}: matches to 1e-9`, () => {
        const e = ref.aif360.results[c.key][weighting].classic_api;
        const opts = { sensitiveFeatures: c.column, privileged: c.privileged, ...(weighting === 'weighted' ? { sampleWeight: test.sampleWeight } : {}) };
        const r = privilegedComparison(test.yTrue, test.yPred, opts);
        const pairs: [number, number][] = [
          [r.statisticalParityDifference, e.statistical_parity_difference],
          [r.disparateImpact, e.disparate_impact],
          [r.truePositiveRateDifference, e.equal_opportunity_difference],
          [r.averageOddsDifference, e.average_odds_difference],
          [r.averageAbsOddsDifference, e.average_abs_odds_difference],
          [r.equalizedOddsDifference, e.equalized_odds_difference],
          [r.falsePositiveRateDifference, e.false_positive_rate_difference],
          [r.errorRateDifference, e.error_rate_difference],
          [r.privileged.selectionRate, e.selection_rate_priv],
          [r.unprivileged.selectionRate, e.selection_rate_unpriv],
          [r.privileged.truePositiveRate, e.tpr_priv],
          [r.unprivileged.falsePositiveRate, e.fpr_unpriv],
          [r.privileged.baseRate, e.dataset_base_rate_priv],
          [r.unprivileged.baseRate, e.dataset_base_rate_unpriv],
          [disparateImpact(test.yTrue, test.yPred, opts), e.disparate_impact],
          [statisticalParityDifference(test.yTrue, test.yPred, opts), e.statistical_parity_difference],
          [averageOddsDifference(test.yTrue, test.yPred, opts), e.average_odds_difference],
        ];
        pairs.forEach(([a, b], i) => expect(close(a, b), `pair ${i}: ${a} vs ${b}`).toBe(true));
        // Theil and GE ignore weights, as in AIF360.
        expect(close(theilIndex(test.yTrue, test.yPred), e.theil_index)).toBe(true);
        expect(close(generalizedEntropyIndex(test.yTrue, test.yPred), e.generalized_entropy_index_alpha2)).toBe(true);
      });
    }
  }

  for (const edge of ref.aif360.edge_cases) {
    it(`edge case ${edge.name}`, () => {
      const input = edge.input as unknown as { y_true: number[]; y_pred: number[]; 'prot(1=privileged)': number[] };
      const r = privilegedComparison(input.y_true, input.y_pred, { sensitiveFeatures: input['prot(1=privileged)'], privileged: 1 });
      const e = edge.classic_api as Record<string, number | string | null>;
      expect(close(r.statisticalParityDifference, num(e.statistical_parity_difference!))).toBe(true);
      expect(close(r.disparateImpact, num(e.disparate_impact!))).toBe(true);
      expect(close(r.truePositiveRateDifference, num(e.equal_opportunity_difference!))).toBe(true);
      expect(close(r.averageOddsDifference, num(e.average_odds_difference!))).toBe(true);
      expect(close(r.equalizedOddsDifference, num(e.equalized_odds_difference!))).toBe(true);
      expect(close(r.unprivileged.truePositiveRate, num(e.tpr_unpriv!))).toBe(true);
      expect(close(theilIndex(input.y_true, input.y_pred), num(e.theil_index!))).toBe(true);
    });
  }

  it('needs both sides: a privileged value that covers every row is a typed error', () => {
    expect(() => privilegedComparison([1, 0], [1, 0], { sensitiveFeatures: ['a', 'a'], privileged: 'a' })).toThrow(InvalidArgumentError);
    expect(() => privilegedComparison([1, 0], [1, 0], { sensitiveFeatures: ['a', 'a'], privileged: 'b' })).toThrow(/'options.privileged' must be a value present/);
  });
});

describe('reweighing (Kamiran & Calders; AIF360 Reweighing)', () => {
  const sets = [
    { name: 'test', data: { yTrue: test.yTrue, sex: test.sex, race: test.race }, weights: test.sampleWeight, field: 'reweighing' },
    { name: 'train', data: trainSet, weights: undefined, field: 'reweighing_fit_on_predictions_train' },
  ] as const;
  for (const c of cases) {
    for (const weighting of ['unweighted', 'weighted'] as const) {
      for (const s of sets) {
        if (s.name === 'train' && weighting === 'weighted') continue; // train rows carry no sample_weight column here
        it(`${c.key}, ${weighting}, fit on ${s.name}: cell weights and transformed weights match`, () => {
          const res = ref.aif360.results[c.key][weighting];
          const e = (s.name === 'test' ? res.classic_api.reweighing : res.reweighing_fit_on_predictions_train) as Record<string, number | number[]>;
          const column = c.key === 'sex' ? s.data.sex : s.data.race;
          const r = reweighing({
            yTrue: s.data.yTrue,
            sensitiveFeatures: column,
            privileged: c.privileged,
            ...(weighting === 'weighted' && s.weights !== undefined ? { sampleWeight: s.weights } : {}),
          });
          const w = (g: string, l: 0 | 1): number => r.weights.find((x) => x.group === g && x.label === l)!.weight;
          expect(close(w('privileged', 1), e.w_priv_fav as number)).toBe(true);
          expect(close(w('privileged', 0), e.w_priv_unfav as number)).toBe(true);
          expect(close(w('unprivileged', 1), e.w_unpriv_fav as number)).toBe(true);
          expect(close(w('unprivileged', 0), e.w_unpriv_unfav as number)).toBe(true);
          const first5 = e.transformed_instance_weights_first5 as number[];
          first5.forEach((v, i) => expect(close(r.sampleWeight[i]!, v)).toBe(true));
          const sum = r.sampleWeight.reduce((a, b) => a + b, 0);
          expect(close(sum, e.transformed_instance_weights_sum as number, 1e-6)).toBe(true);
        });
      }
    }
  }

  it('makes labels independent of the group in the weighted data (every group, intersectional)', () => {
    const r = reweighing({ yTrue: test.yTrue, sensitiveFeatures: { sex: test.sex, race: test.race } });
    const byGroup = new Map<string, [number, number]>();
    const key = (i: number): string => `${test.sex[i]}, ${test.race[i]}`;
    test.yTrue.forEach((y, i) => {
      const acc = byGroup.get(key(i)) ?? [0, 0];
      acc[0] += r.sampleWeight[i]!;
      acc[1] += r.sampleWeight[i]! * y;
      byGroup.set(key(i), acc);
    });
    const base = test.yTrue.reduce((a, b) => a + b, 0) / test.yTrue.length;
    for (const [, [w, pos]] of byGroup) expect(pos / w).toBeCloseTo(base, 10);
    expect(r.weights.length).toBe(20);
    expect(r.weights.every((x) => x.count > 0)).toBe(true);
    expect(r.weights.reduce((a, x) => a + x.count, 0)).toBe(test.yTrue.length);
  });

  it('rejects labels outside {0, 1}', () => {
    expect(() => reweighing({ yTrue: [0, 2], sensitiveFeatures: ['a', 'b'] })).toThrow(/'yTrue\[1\]' must be a binary label/);
  });
});

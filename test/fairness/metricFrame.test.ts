import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/index.js';
import {
  accuracy,
  balancedAccuracy,
  count,
  demographicParityDifference,
  demographicParityRatio,
  equalizedOddsDifference,
  equalizedOddsRatio,
  equalOpportunityDifference,
  equalOpportunityRatio,
  falseNegativeRate,
  falsePositiveRate,
  metricFrame,
  precision,
  recall,
  selectionRate,
  trueNegativeRate,
  truePositiveRate,
  type MetricFrame,
  type SensitiveFeatures,
} from '../../src/fairness/index.js';
import ref from '../fixtures/fairness/metrics.json';
import { close, num, test } from './data.js';

/** Fairlearn's metric names in the reference mapped to ours. */
const METRICS = {
  count,
  selection_rate: selectionRate,
  true_positive_rate: truePositiveRate,
  false_positive_rate: falsePositiveRate,
  false_negative_rate: falseNegativeRate,
  true_negative_rate: trueNegativeRate,
  accuracy_score: accuracy,
  precision,
  recall,
  balanced_accuracy: balancedAccuracy,
};

type Rec = Record<string, number | null>;

function expectRecord(actual: Record<string, number>, expected: Rec, what: string, tol = 1e-9): void {
  for (const [k, v] of Object.entries(expected)) {
    if (!(k in METRICS)) continue;
    const a = actual[k]!;
    expect(close(a, num(v), tol), `${what} ${k}: got ${a}, expected ${v}`).toBe(true);
  }
}

function expectFrame(frame: MetricFrame, r: Record<string, unknown>, featureNames: string[], what: string): void {
  expectRecord(frame.overall, r.overall as Rec, `${what} overall`);
  const byGroup = r.by_group as Record<string, unknown>[];
  expect(frame.groups.map((g) => g.key)).toEqual(byGroup.map((row) => featureNames.map((f) => row[f]).join(', ')));
  byGroup.forEach((row, i) => expectRecord(frame.byGroup[frame.groups[i]!.key]!, row as Rec, `${what} ${frame.groups[i]!.key}`));
  expectRecord(frame.groupMin(), r.group_min as Rec, `${what} group_min`);
  expectRecord(frame.groupMax(), r.group_max as Rec, `${what} group_max`);
  expectRecord(frame.difference(), r.difference_between_groups as Rec, `${what} difference`);
  expectRecord(frame.difference({ method: 'to_overall' }), r.difference_to_overall as Rec, `${what} difference to_overall`);
  expectRecord(frame.ratio({ method: 'between_groups' }), r.ratio_between_groups as Rec, `${what} ratio`);
  expectRecord(frame.ratio({ method: 'to_overall' }), r.ratio_to_overall as Rec, `${what} ratio to_overall`);
}

describe('metricFrame against Fairlearn 0.12 on Adult predictions', () => {
  for (const feature of ['sex', 'race'] as const) {
    for (const weighting of ['unweighted', 'weighted'] as const) {
      it(`matches every metric and aggregate by ${feature}, ${weighting}, to 1e-9`, () => {
        const frame = metricFrame({
          metrics: METRICS,
          yTrue: test.yTrue,
          yPred: test.yPred,
          sensitiveFeatures: { [feature]: test[feature] },
          ...(weighting === 'weighted' ? { sampleWeight: test.sampleWeight } : {}),
        });
        expectFrame(frame, ref.metric_frames[feature][weighting] as Record<string, unknown>, [feature], `${feature}/${weighting}`);
      });

      it(`matches the fairness functions by ${feature}, ${weighting}`, () => {
        const expected = ref.fairness_functions[feature][weighting];
        for (const method of ['between_groups', 'to_overall'] as const) {
          const opts = { sensitiveFeatures: test[feature], method, ...(weighting === 'weighted' ? { sampleWeight: test.sampleWeight } : {}) };
          const e = expected[method];
          const got = {
            demographic_parity_difference: demographicParityDifference(test.yTrue, test.yPred, opts),
            demographic_parity_ratio: demographicParityRatio(test.yTrue, test.yPred, opts),
            equalized_odds_difference: equalizedOddsDifference(test.yTrue, test.yPred, opts),
            equalized_odds_ratio: equalizedOddsRatio(test.yTrue, test.yPred, opts),
            equalized_odds_difference_agg_mean: equalizedOddsDifference(test.yTrue, test.yPred, { ...opts, agg: 'mean' }),
            equalized_odds_ratio_agg_mean: equalizedOddsRatio(test.yTrue, test.yPred, { ...opts, agg: 'mean' }),
            equal_opportunity_difference: equalOpportunityDifference(test.yTrue, test.yPred, opts),
            equal_opportunity_ratio: equalOpportunityRatio(test.yTrue, test.yPred, opts),
          };
          for (const [k, v] of Object.entries(e)) expect(close(got[k as keyof typeof got], v as number), `${method} ${k}`).toBe(true);
        }
      });
    }
  }

  it('reproduces the headline numbers of the notes (sex, unweighted)', () => {
    const o = { sensitiveFeatures: test.sex };
    expect(demographicParityDifference(test.yTrue, test.yPred, o)).toBeCloseTo(0.183881, 6);
    expect(demographicParityRatio(test.yTrue, test.yPred, o)).toBeCloseTo(0.298818, 6);
    expect(equalizedOddsDifference(test.yTrue, test.yPred, o)).toBeCloseTo(0.100394, 6);
    expect(equalizedOddsRatio(test.yTrue, test.yPred, o)).toBeCloseTo(0.217044, 6);
  });

  it('names a single unnamed column sensitive_feature_0 and keys groups by value', () => {
    const frame = metricFrame({ metrics: selectionRate, yTrue: test.yTrue, yPred: test.yPred, sensitiveFeatures: test.sex });
    expect(frame.sensitiveFeatureNames).toEqual(['sensitive_feature_0']);
    expect(frame.metricNames).toEqual(['selectionRate']);
    expect(Object.keys(frame.byGroup)).toEqual(['Female', 'Male']);
  });
});

describe('metricFrame edge cases (Fairlearn reference)', () => {
  for (const edge of ref.edge_cases) {
    const input = edge.input as { y_true: number[]; y_pred: number[]; sensitive_features: SensitiveFeatures; sample_weight: number[] | null } | null;
    if (input === null || input === undefined) continue;
    const mf = edge.metric_frame as Record<string, unknown> | undefined;
    const names = Array.isArray(input.sensitive_features) ? ['sf'] : Object.keys(input.sensitive_features);
    const opts = {
      yTrue: input.y_true,
      yPred: input.y_pred,
      sensitiveFeatures: input.sensitive_features,
      ...(input.sample_weight !== null ? { sampleWeight: input.sample_weight } : {}),
    };
    if (mf !== undefined) {
      it(`${edge.name}: frame`, () => {
        expectFrame(metricFrame({ metrics: METRICS, ...opts }), mf, names, edge.name);
      });
    }
    it(`${edge.name}: fairness functions`, () => {
      const functions = edge.functions as unknown as Record<string, number | null>;
      for (const [key, v] of Object.entries(functions)) {
        const m = /^(\w+)\[(\w+)\]$/.exec(key);
        const name = m ? m[1]! : key;
        const method = (m ? m[2] : 'between_groups') as 'between_groups' | 'to_overall';
        const o = { sensitiveFeatures: opts.sensitiveFeatures, method, ...(opts.sampleWeight ? { sampleWeight: opts.sampleWeight } : {}) };
        const f = {
          demographic_parity_difference: demographicParityDifference,
          demographic_parity_ratio: demographicParityRatio,
          equalized_odds_difference: equalizedOddsDifference,
          equalized_odds_ratio: equalizedOddsRatio,
          equal_opportunity_difference: equalOpportunityDifference,
          equal_opportunity_ratio: equalOpportunityRatio,
        }[name]!;
        expect(close(f(opts.yTrue, opts.yPred, o), num(v)), `${edge.name} ${key}`).toBe(true);
      }
    });
  }

  it('age < 30 by sex × race: cells without positives have TPR 0, driving EO to 1 and ratio to 0', () => {
    const edge = ref.edge_cases.find((e) => e.name === 'real_subset_age_lt30_by_sex_race')!;
    const idx = test.ageGroup.map((a, i) => (a === '<30' ? i : -1)).filter((i) => i >= 0);
    const pick = <T>(a: readonly T[]): T[] => idx.map((i) => a[i]!);
    const opts = { yTrue: pick(test.yTrue), yPred: pick(test.yPred), sensitiveFeatures: { sex: pick(test.sex), race: pick(test.race) } };
    expectFrame(metricFrame({ metrics: METRICS, ...opts }), edge.metric_frame as Record<string, unknown>, ['sex', 'race'], edge.name);
    const f = edge.functions as unknown as Record<string, number>;
    const o = { sensitiveFeatures: opts.sensitiveFeatures };
    expect(close(demographicParityDifference(opts.yTrue, opts.yPred, o), f.demographic_parity_difference!)).toBe(true);
    expect(equalizedOddsDifference(opts.yTrue, opts.yPred, o)).toBe(f.equalized_odds_difference);
    expect(equalizedOddsRatio(opts.yTrue, opts.yPred, o)).toBe(f.equalized_odds_ratio);
  });

  it('reports missing intersections and all-zero-weight groups', () => {
    const missing = metricFrame({ metrics: { count, selectionRate }, yTrue: [1, 0, 1, 0], yPred: [1, 1, 0, 0], sensitiveFeatures: { s1: ['a', 'a', 'b', 'b'], s2: ['x', 'y', 'x', 'x'] } });
    expect(missing.missingGroups).toEqual(['b, y']);
    expect(missing.byGroup['b, y']!.count).toBeNaN();
    const zero = metricFrame({ metrics: { selectionRate, accuracy, tpr: truePositiveRate }, yTrue: [1, 0, 1, 0], yPred: [1, 1, 0, 0], sensitiveFeatures: ['a', 'a', 'b', 'b'], sampleWeight: [0, 0, 1, 2] });
    expect(zero.zeroWeightGroups).toEqual(['a']);
    expect(zero.byGroup.a!.selectionRate).toBeNaN();
    expect(zero.byGroup.a!.accuracy).toBeNaN();
    expect(zero.byGroup.a!.tpr).toBe(0);
    expect(zero.difference().selectionRate).toBe(0);
  });

  it('rejects a bad agg with the allowed values in the message', () => {
    expect(() => equalizedOddsDifference([1, 0], [1, 0], { sensitiveFeatures: ['a', 'b'], agg: 'max' as 'mean' })).toThrow(/'options.agg' must be one of "worst_case", "mean", got "max"/);
  });
});

describe('metricFrame with user metrics', () => {
  it('slices each group for functions that are not counts-based, with weights', () => {
    const calls: number[] = [];
    const meanPred = (_t: ArrayLike<number>, p: ArrayLike<number>, w?: ArrayLike<number>): number => {
      calls.push(p.length);
      let s = 0;
      let ws = 0;
      for (let i = 0; i < p.length; i++) {
        s += p[i]! * (w?.[i] ?? 1);
        ws += w?.[i] ?? 1;
      }
      return s / ws;
    };
    const f = metricFrame({
      metrics: { meanPred, sr: selectionRate },
      yTrue: [1, 0, 1, 0, 1],
      yPred: [1, 1, 0, 0, 1],
      sensitiveFeatures: ['b', 'a', 'b', 'a', 'b'],
      sampleWeight: [1, 2, 3, 4, 5],
    });
    expect(calls).toEqual([5, 2, 3]);
    for (const g of ['a', 'b']) expect(f.byGroup[g]!.meanPred).toBeCloseTo(f.byGroup[g]!.sr!, 12);
    expect(f.overall.meanPred).toBeCloseTo(f.overall.sr!, 12);
  });

  it('accepts scores as yPred when only user metrics are requested', () => {
    const f = metricFrame({ metrics: { maxScore: (_t, p) => Math.max(...Array.from(p)) }, yTrue: [0, 1, 0], yPred: [0.2, 0.9, 0.4], sensitiveFeatures: [1, 2, 1] });
    expect(f.byGroup['1']!.maxScore).toBe(0.4);
    expect(f.groups.map((g) => g.key)).toEqual(['1', '2']);
  });

  it('orders numeric groups numerically, as pandas does', () => {
    const f = metricFrame({ metrics: count, yTrue: [0, 1, 0], yPred: [0, 1, 0], sensitiveFeatures: [10, 9, 100] });
    expect(f.groups.map((g) => g.key)).toEqual(['9', '10', '100']);
  });
});

describe('metricFrame bad input', () => {
  const base = { metrics: { selectionRate }, yTrue: [1, 0, 1], yPred: [1, 1, 0], sensitiveFeatures: ['a', 'b', 'a'] };
  it.each([
    ['length mismatch', { ...base, yPred: [1, 0] }, /'yPred' must be of the same length as 'yTrue' \(3\)/],
    ['NaN', { ...base, yTrue: [1, Number.NaN, 0] }, /'yTrue\[1\]' must be a finite number, got NaN/],
    ['non-binary label', { ...base, yTrue: [1, 2, 0] }, /'yTrue\[1\]' must be a binary label 0 or 1, got 2/],
    ['empty input', { ...base, yTrue: [], yPred: [], sensitiveFeatures: [] }, /'yTrue' must be a non-empty array/],
    ['negative weight', { ...base, sampleWeight: [1, -1, 1] }, /'sampleWeight\[1\]' must be a finite number >= 0/],
    ['bad group value', { ...base, sensitiveFeatures: ['a', null, 'b'] }, /'sensitiveFeatures\[1\]' must be a string or a finite number/],
    ['mixed group types', { ...base, sensitiveFeatures: ['a', 1, 'b'] }, /must be a string like the other values/],
    ['feature length', { ...base, sensitiveFeatures: { sex: ['a'] } }, /'sensitiveFeatures.sex' must be of the same length/],
    ['no metrics', { ...base, metrics: {} }, /'metrics' must be at least one metric/],
  ])('%s → InvalidArgumentError', (_name, options, message) => {
    expect(() => metricFrame(options as never)).toThrow(InvalidArgumentError);
    expect(() => metricFrame(options as never)).toThrow(message);
  });

  it('built-in metric functions reject empty input, as Fairlearn selection_rate does', () => {
    expect(() => selectionRate([], [])).toThrow(/selectionRate: argument 'yPred' must be a non-empty array/);
    expect(selectionRate([0, 1, 1, 0], [1, 1, 0, 0], [1, 3, 0, 0])).toBe(1);
  });
});

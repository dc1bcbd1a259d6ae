/**
 * Fairlearn's fairness measures (`fairlearn.metrics`, v0.12): three-line compositions of a metric
 * frame with `difference` or `ratio`.
 */
import { oneOf, optionsObject } from '../core/validate.js';
import type { DisparityMethod } from './aggregates.js';
import type { NumberArray, SensitiveFeatures } from './inputs.js';
import { metricFrame } from './metricFrame.js';
import { falsePositiveRate, selectionRate, truePositiveRate } from './metrics.js';

/**
 * Options of the disparity measures.
 */
export interface DisparityOptions {
  /** One column of group labels, or named columns forming intersectional groups. */
  readonly sensitiveFeatures: SensitiveFeatures;
  /** Optional non-negative weights. */
  readonly sampleWeight?: NumberArray;
  /** `'between_groups'` (default) or `'to_overall'`. */
  readonly method?: DisparityMethod;
}

/**
 * Options of the equalized-odds measures: {@link DisparityOptions} plus Fairlearn's `agg`.
 */
export interface EqualizedOddsOptions extends DisparityOptions {
  /** `'worst_case'` (default: the larger difference / smaller ratio of TPR and FPR) or `'mean'`. */
  readonly agg?: 'worst_case' | 'mean';
}

function frameOf(fn: string, yTrue: NumberArray, yPred: NumberArray, options: DisparityOptions, metrics: Parameters<typeof metricFrame>[0]['metrics']) {
  const o = optionsObject(fn, 'options', options);
  const method = o.method === undefined ? 'between_groups' : oneOf(fn, 'options.method', o.method, ['between_groups', 'to_overall'] as const);
  const frame = metricFrame({
    metrics,
    yTrue,
    yPred,
    sensitiveFeatures: o.sensitiveFeatures,
    ...(o.sampleWeight !== undefined ? { sampleWeight: o.sampleWeight } : {}),
  });
  return { frame, method };
}

/**
 * Demographic parity difference: the selection-rate difference between groups (0 means parity).
 *
 * @example
 * ```ts
 * import { demographicParityDifference } from 'responsible-tfjs/fairness';
 * demographicParityDifference([1, 0, 1, 0], [1, 1, 0, 0], { sensitiveFeatures: ['a', 'a', 'b', 'b'] }); // 1
 * ```
 */
export function demographicParityDifference(yTrue: NumberArray, yPred: NumberArray, options: DisparityOptions): number {
  const { frame, method } = frameOf('demographicParityDifference', yTrue, yPred, options, { s: selectionRate });
  return frame.difference({ method }).s!;
}

/**
 * Demographic parity ratio: the selection-rate ratio between groups (1 means parity; 0/0 is NaN).
 *
 * @example
 * ```ts
 * import { demographicParityRatio } from 'responsible-tfjs/fairness';
 * demographicParityRatio([1, 0, 1, 0], [1, 1, 1, 0], { sensitiveFeatures: ['a', 'a', 'b', 'b'] }); // 0.5
 * ```
 */
export function demographicParityRatio(yTrue: NumberArray, yPred: NumberArray, options: DisparityOptions): number {
  const { frame, method } = frameOf('demographicParityRatio', yTrue, yPred, options, { s: selectionRate });
  return frame.ratio({ method }).s!;
}

function eoAgg(fn: string, options: EqualizedOddsOptions): 'worst_case' | 'mean' {
  const agg = optionsObject(fn, 'options', options).agg;
  return agg === undefined ? 'worst_case' : oneOf(fn, 'options.agg', agg, ['worst_case', 'mean'] as const);
}

/**
 * Equalized odds difference: the larger (`agg: 'worst_case'`) or the mean of the true- and
 * false-positive-rate differences. Groups without positives (negatives) have TPR (FPR) 0, as in Fairlearn.
 *
 * @example
 * ```ts
 * import { equalizedOddsDifference } from 'responsible-tfjs/fairness';
 * equalizedOddsDifference([1, 0, 1, 0], [1, 0, 0, 0], { sensitiveFeatures: ['a', 'a', 'b', 'b'] }); // 1
 * ```
 */
export function equalizedOddsDifference(yTrue: NumberArray, yPred: NumberArray, options: EqualizedOddsOptions): number {
  const fn = 'equalizedOddsDifference';
  const agg = eoAgg(fn, options);
  const { frame, method } = frameOf(fn, yTrue, yPred, options, { tpr: truePositiveRate, fpr: falsePositiveRate });
  const d = frame.difference({ method });
  // Python's max(tpr, fpr): the first unless the second is larger; pandas' mean skips NaN.
  if (agg === 'worst_case') return d.fpr! > d.tpr! ? d.fpr! : d.tpr!;
  return nanMean([d.tpr!, d.fpr!]);
}

/**
 * Equalized odds ratio: the smaller (`agg: 'worst_case'`) or the mean of the true- and
 * false-positive-rate ratios.
 *
 * @example
 * ```ts
 * import { equalizedOddsRatio } from 'responsible-tfjs/fairness';
 * equalizedOddsRatio([1, 0, 1, 0], [1, 1, 1, 0], { sensitiveFeatures: ['a', 'a', 'b', 'b'] }); // 0
 * ```
 */
export function equalizedOddsRatio(yTrue: NumberArray, yPred: NumberArray, options: EqualizedOddsOptions): number {
  const fn = 'equalizedOddsRatio';
  const agg = eoAgg(fn, options);
  const { frame, method } = frameOf(fn, yTrue, yPred, options, { tpr: truePositiveRate, fpr: falsePositiveRate });
  const r = frame.ratio({ method });
  if (agg === 'worst_case') return r.fpr! < r.tpr! ? r.fpr! : r.tpr!;
  return nanMean([r.tpr!, r.fpr!]);
}

/**
 * Equal opportunity difference: the true-positive-rate difference between groups.
 *
 * @example
 * ```ts
 * import { equalOpportunityDifference } from 'responsible-tfjs/fairness';
 * equalOpportunityDifference([1, 1, 1, 1], [1, 1, 1, 0], { sensitiveFeatures: ['a', 'a', 'b', 'b'] }); // 0.5
 * ```
 */
export function equalOpportunityDifference(yTrue: NumberArray, yPred: NumberArray, options: DisparityOptions): number {
  const { frame, method } = frameOf('equalOpportunityDifference', yTrue, yPred, options, { tpr: truePositiveRate });
  return frame.difference({ method }).tpr!;
}

/**
 * Equal opportunity ratio: the true-positive-rate ratio between groups.
 *
 * @example
 * ```ts
 * import { equalOpportunityRatio } from 'responsible-tfjs/fairness';
 * equalOpportunityRatio([1, 1, 1, 1], [1, 1, 1, 0], { sensitiveFeatures: ['a', 'a', 'b', 'b'] }); // 0.5
 * ```
 */
export function equalOpportunityRatio(yTrue: NumberArray, yPred: NumberArray, options: DisparityOptions): number {
  const { frame, method } = frameOf('equalOpportunityRatio', yTrue, yPred, options, { tpr: truePositiveRate });
  return frame.ratio({ method }).tpr!;
}

function nanMean(values: number[]): number {
  const ok = values.filter((v) => !Number.isNaN(v));
  return ok.length === 0 ? Number.NaN : ok.reduce((a, b) => a + b, 0) / ok.length;
}

/**
 * Group fairness on sufficient statistics, after Fairlearn and AIF360. {@link metricFrame}
 * computes any metric overall and per group (with differences and ratios between groups), and
 * {@link metricFrameAccumulator} does it batch by batch; fairness measures such as
 * {@link demographicParityDifference} and {@link equalizedOddsDifference} are short compositions of
 * it. Differentiable penalties ({@link demographicParityPenalty} and others) train with a fairness
 * term, and mitigations adjust data or decisions ({@link reweighing},
 * {@link fitThresholdOptimizer}). Guide: [fairness](../../docs/fairness.md).
 * @module responsible-tfjs/fairness
 */
export { fromTensors, type FromTensors, type NumberArray, type SensitiveColumn, type SensitiveFeatures, type SensitiveValue } from './inputs.js';
export type { ConfusionCounts } from './counts.js';
export type { GroupInfo } from './groups.js';
export type { DisparityMethod } from './aggregates.js';
export {
  accuracy,
  balancedAccuracy,
  confusionCounts,
  count,
  falseNegativeRate,
  falsePositiveRate,
  precision,
  recall,
  selectionRate,
  trueNegativeRate,
  truePositiveRate,
  type CountsMetric,
  type MetricFunction,
} from './metrics.js';
export { metricFrame, type AggregateOptions, type MetricFrame, type MetricFrameOptions, type Metrics } from './metricFrame.js';
export { metricFrameAccumulator, type FairnessBatch, type GroupCountsTable, type MetricFrameAccumulator } from './accumulator.js';
export {
  demographicParityDifference,
  demographicParityRatio,
  equalizedOddsDifference,
  equalizedOddsRatio,
  equalOpportunityDifference,
  equalOpportunityRatio,
  type DisparityOptions,
  type EqualizedOddsOptions,
} from './disparity.js';
export {
  averageOddsDifference,
  disparateImpact,
  privilegedComparison,
  statisticalParityDifference,
  type GroupRates,
  type PrivilegedComparison,
  type PrivilegedOptions,
} from './privileged.js';
export { generalizedEntropyIndex, theilIndex, type GeneralizedEntropyOptions } from './entropy.js';
export { expectedCalibrationError, expectedCalibrationErrorMetric, rocAuc, type CalibrationOptions } from './scores.js';
export { reweighing, type ReweighingOptions, type ReweighingResult, type ReweighingWeight } from './reweighing.js';
export {
  fitThresholdOptimizer,
  thresholdPredict,
  thresholdProbabilities,
  type GroupThresholdRule,
  type ThresholdApplyOptions,
  type ThresholdConstraint,
  type ThresholdObjective,
  type ThresholdOptimizerOptions,
  type ThresholdRule,
} from './thresholdOptimizer.js';
export type { ThresholdOperation } from './tradeoff.js';
export { demographicParityPenalty, type DemographicParityPenaltyOptions } from './penalties/demographicParityPenalty.js';
export { equalizedOddsPenalty, type EqualizedOddsPenaltyOptions } from './penalties/equalizedOddsPenalty.js';
export { mmdPenalty, type MmdPenaltyOptions } from './penalties/mmdPenalty.js';
export { encodeGroups, type EncodedGroups } from './encodeGroups.js';
export { metricFrameSvg, metricFrameTable, type FrameSvgOptions, type FrameTableOptions } from './report.js';
export { bootstrapMetricFrame, type BootstrapOptions, type BootstrapQuantiles, type BootstrapResult } from './bootstrap.js';

/**
 * responsible-tfjs/fairness: group metrics on sufficient statistics (Fairlearn's MetricFrame and
 * fairness measures, AIF360's privileged comparisons), differentiable fairness penalties, and
 * mitigations (reweighing, threshold optimizer).
 * @packageDocumentation
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

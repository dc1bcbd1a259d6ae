/**
 * Score metrics for per-group comparisons: ROC AUC (scikit-learn `roc_auc_score`, weighted,
 * ties as one threshold) and expected calibration error. Both are plain metric functions
 * `(yTrue, yScore, sampleWeight?)`: pass scores as `yPred` of {@link metricFrame}.
 */
import { invalid, positiveInteger } from '../core/validate.js';
import { binaryColumn, nonEmpty, numberColumn, weightColumn, type NumberArray } from './inputs.js';
import type { MetricFunction } from './metrics.js';

function scoreInputs(fn: string, yTrue: NumberArray, yScore: NumberArray, sampleWeight?: NumberArray) {
  const t = numberColumn(fn, 'yTrue', yTrue);
  nonEmpty(fn, 'yTrue', t.length);
  const s = numberColumn(fn, 'yScore', yScore, t.length);
  binaryColumn(fn, 'yTrue', t);
  const w = weightColumn(fn, sampleWeight, t.length);
  return { t, s, w };
}

/**
 * Area under the ROC curve of scores, with optional sample weights, matching scikit-learn's
 * `roc_auc_score` (tied scores form one threshold, so a tie counts one half). NaN when `yTrue`
 * holds one class only (scikit-learn raises), so a frame can show such a group as undefined.
 *
 * @example
 * ```ts
 * import { rocAuc } from 'responsible-tfjs/fairness';
 * rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]); // 0.75
 * ```
 */
export function rocAuc(yTrue: NumberArray, yScore: NumberArray, sampleWeight?: NumberArray): number {
  const { t, s, w } = scoreInputs('rocAuc', yTrue, yScore, sampleWeight);
  const n = t.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => s[b]! - s[a]! || b - a);
  let tp = 0;
  let fp = 0;
  let area = 0;
  let prevTp = 0;
  let prevFp = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    const wi = w === undefined ? 1 : w[i]!;
    if (t[i] === 1) tp += wi;
    else fp += wi;
    if (k === n - 1 || s[order[k + 1]!] !== s[i]) {
      area += ((fp - prevFp) * (tp + prevTp)) / 2;
      prevTp = tp;
      prevFp = fp;
    }
  }
  if (tp === 0 || fp === 0) return Number.NaN;
  return area / (tp * fp);
}

/**
 * Options of {@link expectedCalibrationErrorMetric}.
 */
export interface CalibrationOptions {
  /** Equal-width bins over [0, 1] (10 by default). */
  readonly numBins?: number;
}

/**
 * A calibration-error metric with a chosen number of bins: Σ_b (W_b / W) |mean label − mean
 * score| over equal-width score bins on [0, 1] (weighted means; empty bins skipped).
 *
 * @returns A metric function `(yTrue, yScore, sampleWeight?) => number`; scores must lie in [0, 1].
 * @example
 * ```ts
 * import { expectedCalibrationErrorMetric, metricFrame } from 'responsible-tfjs/fairness';
 * const ece15 = expectedCalibrationErrorMetric({ numBins: 15 });
 * metricFrame({ metrics: { ece15 }, yTrue, yPred: yScore, sensitiveFeatures: sex });
 * ```
 */
export function expectedCalibrationErrorMetric(options: CalibrationOptions = {}): MetricFunction {
  const bins = options.numBins === undefined ? 10 : positiveInteger('expectedCalibrationErrorMetric', 'options.numBins', options.numBins);
  return (yTrue, yScore, sampleWeight) => {
    const fn = 'expectedCalibrationError';
    const { t, s, w } = scoreInputs(fn, yTrue, yScore, sampleWeight);
    const weight = new Float64Array(bins);
    const label = new Float64Array(bins);
    const score = new Float64Array(bins);
    let total = 0;
    for (let i = 0; i < t.length; i++) {
      const si = s[i]!;
      if (si < 0 || si > 1) invalid(fn, `yScore[${i}]`, si, 'a probability in [0, 1]');
      const b = Math.min(bins - 1, Math.floor(si * bins));
      const wi = w === undefined ? 1 : w[i]!;
      weight[b]! += wi;
      label[b]! += wi * t[i]!;
      score[b]! += wi * si;
      total += wi;
    }
    let ece = 0;
    for (let b = 0; b < bins; b++) if (weight[b]! > 0) ece += (weight[b]! / total) * Math.abs(label[b]! / weight[b]! - score[b]! / weight[b]!);
    return total === 0 ? Number.NaN : ece;
  };
}

/**
 * Expected calibration error with 10 equal-width bins (see {@link expectedCalibrationErrorMetric}).
 *
 * @example
 * ```ts
 * import { expectedCalibrationError } from 'responsible-tfjs/fairness';
 * expectedCalibrationError([0, 1], [0.05, 0.95]); // 0.05
 * ```
 */
export const expectedCalibrationError: MetricFunction = /* @__PURE__ */ expectedCalibrationErrorMetric();

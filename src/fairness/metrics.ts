/**
 * Built-in binary metrics, each a plain function `(yTrue, yPred, sampleWeight?) => number` that
 * also exposes its formula on {@link ConfusionCounts} (`fromCounts`), so the metric frame computes
 * every group from one pass of sufficient statistics. Zero denominators follow Fairlearn 0.12 /
 * scikit-learn: rates from `confusion_matrix(normalize='true')` become 0 (`np.nan_to_num`),
 * precision and recall use `zero_division` 0, and selection rate and accuracy are 0/0 = NaN
 * when all weights are 0.
 */
import { CELL_SIZE, countsOf, type ConfusionCounts } from './counts.js';
import { binaryColumn, nonEmpty, numberColumn, weightColumn, type NumberArray } from './inputs.js';

/**
 * A metric: a plain function of labels, predictions and optional sample weights.
 *
 * @example
 * ```ts
 * const meanPrediction: MetricFunction = (_yTrue, yPred) => Array.from(yPred).reduce((a, b) => a + b, 0) / yPred.length;
 * ```
 */
export type MetricFunction = (yTrue: NumberArray, yPred: NumberArray, sampleWeight?: NumberArray) => number;

/**
 * A metric defined on weighted confusion counts: callable like any {@link MetricFunction}, and
 * computable from (streamed) sufficient statistics through `fromCounts`.
 *
 * @example
 * ```ts
 * import { truePositiveRate } from 'responsible-tfjs/fairness';
 * truePositiveRate.fromCounts({ count: 4, trueNegatives: 1, falsePositives: 1, falseNegatives: 1, truePositives: 1 }); // 0.5
 * ```
 */
export interface CountsMetric extends MetricFunction {
  /** The metric's name, used when it is passed without a key. */
  readonly metricName: string;
  /** The metric's value from weighted confusion counts. */
  readonly fromCounts: (counts: ConfusionCounts) => number;
}

/** True when `m` carries a counts formula. */
export function isCountsMetric(m: unknown): m is CountsMetric {
  return typeof m === 'function' && typeof (m as Partial<CountsMetric>).fromCounts === 'function';
}

/**
 * Weighted confusion counts of binary labels and predictions (weights default to 1).
 *
 * @throws InvalidArgumentError on length mismatches, non-finite values, labels other than 0/1, negative weights.
 * @example
 * ```ts
 * import { confusionCounts } from 'responsible-tfjs/fairness';
 * confusionCounts([1, 0, 1], [1, 1, 0]); // { count: 3, trueNegatives: 0, falsePositives: 1, falseNegatives: 1, truePositives: 1 }
 * ```
 */
export function confusionCounts(yTrue: NumberArray, yPred: NumberArray, sampleWeight?: NumberArray, fn = 'confusionCounts'): ConfusionCounts {
  const t = numberColumn(fn, 'yTrue', yTrue);
  const p = numberColumn(fn, 'yPred', yPred, t.length);
  binaryColumn(fn, 'yTrue', t);
  binaryColumn(fn, 'yPred', p);
  const w = weightColumn(fn, sampleWeight, t.length);
  const cell = new Float64Array(CELL_SIZE);
  for (let i = 0; i < t.length; i++) cell[2 * (t[i] as number) + (p[i] as number)]! += w === undefined ? 1 : (w[i] as number);
  cell[4] = t.length;
  return countsOf(cell);
}

const div0 = (a: number, b: number): number => (b === 0 ? 0 : a / b);

/** Builds a {@link CountsMetric}; `/* @__PURE__ *\/` so unused metrics tree-shake. */
function countsMetric(metricName: string, fromCounts: (c: ConfusionCounts) => number): CountsMetric {
  const f = (yTrue: NumberArray, yPred: NumberArray, sampleWeight?: NumberArray): number => {
    nonEmpty(metricName, 'yPred', (yPred as NumberArray | undefined)?.length ?? 1);
    return fromCounts(confusionCounts(yTrue, yPred, sampleWeight, metricName));
  };
  return Object.assign(f, { metricName, fromCounts });
}

const total = (c: ConfusionCounts): number => c.trueNegatives + c.falsePositives + c.falseNegatives + c.truePositives;

/**
 * Number of rows (ignores sample weights, as Fairlearn's `count`).
 *
 * @example
 * ```ts
 * import { count } from 'responsible-tfjs/fairness';
 * count([1, 0, 1], [1, 1, 0]); // 3
 * ```
 */
export const count: CountsMetric = /* @__PURE__ */ countsMetric('count', (c) => c.count);

/**
 * Selection rate: weighted fraction of predictions equal to 1 (labels ignored); 0/0 = NaN when
 * all weights are 0.
 *
 * @example
 * ```ts
 * import { selectionRate } from 'responsible-tfjs/fairness';
 * selectionRate([1, 0, 1, 0], [1, 1, 0, 0]); // 0.5
 * ```
 */
export const selectionRate: CountsMetric = /* @__PURE__ */ countsMetric('selectionRate', (c) => (c.truePositives + c.falsePositives) / total(c));

/**
 * Accuracy (scikit-learn `accuracy_score`); NaN when all weights are 0 (scikit-learn raises).
 *
 * @example
 * ```ts
 * import { accuracy } from 'responsible-tfjs/fairness';
 * accuracy([1, 0, 1, 0], [1, 1, 0, 0]); // 0.5
 * ```
 */
export const accuracy: CountsMetric = /* @__PURE__ */ countsMetric('accuracy', (c) => (c.truePositives + c.trueNegatives) / total(c));

/**
 * True positive rate (recall, sensitivity); 0 when the group has no positives (Fairlearn).
 *
 * @example
 * ```ts
 * import { truePositiveRate } from 'responsible-tfjs/fairness';
 * truePositiveRate([1, 1, 0], [1, 0, 0]); // 0.5
 * ```
 */
export const truePositiveRate: CountsMetric = /* @__PURE__ */ countsMetric('truePositiveRate', (c) => div0(c.truePositives, c.truePositives + c.falseNegatives));

/**
 * False positive rate; 0 when the group has no negatives (Fairlearn).
 *
 * @example
 * ```ts
 * import { falsePositiveRate } from 'responsible-tfjs/fairness';
 * falsePositiveRate([0, 0, 1], [1, 0, 1]); // 0.5
 * ```
 */
export const falsePositiveRate: CountsMetric = /* @__PURE__ */ countsMetric('falsePositiveRate', (c) => div0(c.falsePositives, c.falsePositives + c.trueNegatives));

/**
 * False negative rate; 0 when the group has no positives (Fairlearn).
 *
 * @example
 * ```ts
 * import { falseNegativeRate } from 'responsible-tfjs/fairness';
 * falseNegativeRate([1, 1, 0], [1, 0, 0]); // 0.5
 * ```
 */
export const falseNegativeRate: CountsMetric = /* @__PURE__ */ countsMetric('falseNegativeRate', (c) => div0(c.falseNegatives, c.truePositives + c.falseNegatives));

/**
 * True negative rate (specificity); 0 when the group has no negatives (Fairlearn).
 *
 * @example
 * ```ts
 * import { trueNegativeRate } from 'responsible-tfjs/fairness';
 * trueNegativeRate([0, 0, 1], [1, 0, 1]); // 0.5
 * ```
 */
export const trueNegativeRate: CountsMetric = /* @__PURE__ */ countsMetric('trueNegativeRate', (c) => div0(c.trueNegatives, c.falsePositives + c.trueNegatives));

/**
 * Precision (scikit-learn `precision_score`, `zero_division` 0).
 *
 * @example
 * ```ts
 * import { precision } from 'responsible-tfjs/fairness';
 * precision([1, 0, 1], [1, 1, 0]); // 0.5
 * ```
 */
export const precision: CountsMetric = /* @__PURE__ */ countsMetric('precision', (c) => div0(c.truePositives, c.truePositives + c.falsePositives));

/**
 * Recall (scikit-learn `recall_score`, `zero_division` 0); equal to {@link truePositiveRate}.
 *
 * @example
 * ```ts
 * import { recall } from 'responsible-tfjs/fairness';
 * recall([1, 1, 0], [1, 0, 0]); // 0.5
 * ```
 */
export const recall: CountsMetric = /* @__PURE__ */ countsMetric('recall', (c) => div0(c.truePositives, c.truePositives + c.falseNegatives));

/**
 * Balanced accuracy (scikit-learn `balanced_accuracy_score`): the mean recall over the classes
 * present in `yTrue` with non-zero weight; NaN when there is none.
 *
 * @example
 * ```ts
 * import { balancedAccuracy } from 'responsible-tfjs/fairness';
 * balancedAccuracy([1, 1, 0, 0], [1, 0, 0, 0]); // 0.75
 * ```
 */
export const balancedAccuracy: CountsMetric = /* @__PURE__ */ countsMetric('balancedAccuracy', (c) => {
  const pos = c.truePositives + c.falseNegatives;
  const neg = c.trueNegatives + c.falsePositives;
  const rates: number[] = [];
  if (neg !== 0) rates.push(c.trueNegatives / neg);
  if (pos !== 0) rates.push(c.truePositives / pos);
  return rates.length === 0 ? Number.NaN : rates.reduce((a, b) => a + b, 0) / rates.length;
});

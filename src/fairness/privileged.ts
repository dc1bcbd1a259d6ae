/**
 * AIF360's privileged-versus-unprivileged classification metrics (`ClassificationMetric`,
 * v0.6.1, classic API): differences are unprivileged minus privileged, ratios unprivileged over
 * privileged, counts are sums of sample weights, and 0/0 is NaN (x/0 is Infinity).
 */
import { invalid, optionsObject } from '../core/validate.js';
import { confusionCounts } from './metrics.js';
import { isColumn, numberColumn, type NumberArray, type SensitiveColumn, type SensitiveValue } from './inputs.js';
import type { ConfusionCounts } from './counts.js';

/**
 * Options of the AIF360-style measures: one sensitive column and its privileged value(s).
 */
export interface PrivilegedOptions {
  /** One column of group labels. */
  readonly sensitiveFeatures: SensitiveColumn;
  /** The privileged value, or several; every other value is unprivileged. */
  readonly privileged: SensitiveValue | readonly SensitiveValue[];
  /** Optional non-negative instance weights. */
  readonly sampleWeight?: NumberArray;
}

/**
 * Rates of one side of the comparison (AIF360 classic semantics: 0/0 is NaN).
 */
export interface GroupRates {
  /** Rows. */
  readonly count: number;
  /** Sum of weights. */
  readonly weight: number;
  /** Weighted share of predictions equal to 1. */
  readonly selectionRate: number;
  /** TP / (TP + FN). */
  readonly truePositiveRate: number;
  /** FP / (FP + TN). */
  readonly falsePositiveRate: number;
  /** (FP + FN) / all. */
  readonly errorRate: number;
  /** Weighted share of labels equal to 1. */
  readonly baseRate: number;
}

/**
 * All AIF360 comparison measures at once.
 */
export interface PrivilegedComparison {
  /** Rates of the privileged rows. */
  readonly privileged: GroupRates;
  /** Rates of the unprivileged rows. */
  readonly unprivileged: GroupRates;
  /** Selection rate unprivileged − privileged. */
  readonly statisticalParityDifference: number;
  /** Selection rate unprivileged / privileged. */
  readonly disparateImpact: number;
  /** TPR unprivileged − privileged (signed, AIF360's `equal_opportunity_difference`). */
  readonly truePositiveRateDifference: number;
  /** FPR unprivileged − privileged. */
  readonly falsePositiveRateDifference: number;
  /** Error rate unprivileged − privileged. */
  readonly errorRateDifference: number;
  /** ½ (ΔFPR + ΔTPR), signed. */
  readonly averageOddsDifference: number;
  /** ½ (|ΔFPR| + |ΔTPR|). */
  readonly averageAbsOddsDifference: number;
  /** max(|ΔFPR|, |ΔTPR|) with Python's `max` (a NaN ΔTPR is dropped, a NaN ΔFPR wins). */
  readonly equalizedOddsDifference: number;
}

function rates(c: ConfusionCounts, weight: number): GroupRates {
  const pos = c.truePositives + c.falseNegatives;
  const neg = c.trueNegatives + c.falsePositives;
  return {
    count: c.count,
    weight,
    selectionRate: (c.truePositives + c.falsePositives) / weight,
    truePositiveRate: c.truePositives / pos,
    falsePositiveRate: c.falsePositives / neg,
    errorRate: (c.falsePositives + c.falseNegatives) / weight,
    baseRate: pos / weight,
  };
}

/**
 * Compares privileged and unprivileged rows as AIF360's `ClassificationMetric` does.
 *
 * @throws InvalidArgumentError when either side has no rows, or on invalid labels and weights.
 * @example
 * ```ts
 * import { privilegedComparison } from 'responsible-tfjs/fairness';
 * const c = privilegedComparison(yTrue, yPred, { sensitiveFeatures: sex, privileged: 'Male' });
 * console.log(c.disparateImpact, c.averageOddsDifference);
 * ```
 */
export function privilegedComparison(yTrue: NumberArray, yPred: NumberArray, options: PrivilegedOptions): PrivilegedComparison {
  const fn = 'privilegedComparison';
  const o = optionsObject(fn, 'options', options);
  const t = numberColumn(fn, 'yTrue', yTrue);
  const sf = o.sensitiveFeatures;
  if (!isColumn(sf)) invalid(fn, 'options.sensitiveFeatures', sf, 'one array of group labels');
  if (sf.length !== t.length) invalid(fn, 'options.sensitiveFeatures', `length ${sf.length}`, `of the same length as 'yTrue' (${t.length})`);
  const priv = new Set<SensitiveValue>(Array.isArray(o.privileged) ? (o.privileged as SensitiveValue[]) : [o.privileged as SensitiveValue]);
  const side = Float64Array.from(sf as ArrayLike<SensitiveValue>, (v) => (priv.has(v) ? 1 : 0));
  const split = (which: number): ConfusionCounts & { w: number } => {
    const idx: number[] = [];
    for (let i = 0; i < side.length; i++) if (side[i] === which) idx.push(i);
    if (idx.length === 0) {
      invalid(fn, 'options.privileged', o.privileged, which === 1 ? 'a value present in sensitiveFeatures' : 'a value that leaves some rows unprivileged');
    }
    const pick = (a: NumberArray): number[] => idx.map((i) => a[i]!);
    const w = o.sampleWeight === undefined ? undefined : pick(numberColumn(fn, 'options.sampleWeight', o.sampleWeight, t.length));
    const c = confusionCounts(pick(t), pick(numberColumn(fn, 'yPred', yPred, t.length)), w, fn);
    return { ...c, w: c.trueNegatives + c.falsePositives + c.falseNegatives + c.truePositives };
  };
  const p = split(1);
  const u = split(0);
  const P = rates(p, p.w);
  const U = rates(u, u.w);
  const dTpr = U.truePositiveRate - P.truePositiveRate;
  const dFpr = U.falsePositiveRate - P.falsePositiveRate;
  const aFpr = Math.abs(dFpr);
  const aTpr = Math.abs(dTpr);
  return {
    privileged: P,
    unprivileged: U,
    statisticalParityDifference: U.selectionRate - P.selectionRate,
    disparateImpact: U.selectionRate / P.selectionRate,
    truePositiveRateDifference: dTpr,
    falsePositiveRateDifference: dFpr,
    errorRateDifference: U.errorRate - P.errorRate,
    averageOddsDifference: 0.5 * (dFpr + dTpr),
    averageAbsOddsDifference: 0.5 * (aFpr + aTpr),
    equalizedOddsDifference: aTpr > aFpr ? aTpr : aFpr,
  };
}

/**
 * AIF360 disparate impact: selection rate of the unprivileged over the privileged rows
 * (Infinity when only the privileged rate is 0, NaN when both are).
 *
 * @example
 * ```ts
 * import { disparateImpact } from 'responsible-tfjs/fairness';
 * disparateImpact([1, 0, 1, 0], [1, 1, 1, 0], { sensitiveFeatures: ['M', 'M', 'F', 'F'], privileged: 'M' }); // 0.5
 * ```
 */
export function disparateImpact(yTrue: NumberArray, yPred: NumberArray, options: PrivilegedOptions): number {
  return privilegedComparison(yTrue, yPred, options).disparateImpact;
}

/**
 * AIF360 statistical parity difference: selection rate unprivileged − privileged.
 *
 * @example
 * ```ts
 * import { statisticalParityDifference } from 'responsible-tfjs/fairness';
 * statisticalParityDifference([1, 0, 1, 0], [1, 1, 1, 0], { sensitiveFeatures: ['M', 'M', 'F', 'F'], privileged: 'M' }); // -0.5
 * ```
 */
export function statisticalParityDifference(yTrue: NumberArray, yPred: NumberArray, options: PrivilegedOptions): number {
  return privilegedComparison(yTrue, yPred, options).statisticalParityDifference;
}

/**
 * AIF360 average odds difference: ½ [(FPR_u − FPR_p) + (TPR_u − TPR_p)], signed; NaN when a
 * side has no positives or no negatives.
 *
 * @example
 * ```ts
 * import { averageOddsDifference } from 'responsible-tfjs/fairness';
 * averageOddsDifference([1, 0, 1, 0], [1, 1, 1, 0], { sensitiveFeatures: ['M', 'M', 'F', 'F'], privileged: 'M' }); // -0.5
 * ```
 */
export function averageOddsDifference(yTrue: NumberArray, yPred: NumberArray, options: PrivilegedOptions): number {
  return privilegedComparison(yTrue, yPred, options).averageOddsDifference;
}

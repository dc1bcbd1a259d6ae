/**
 * Individual-fairness inequality indices of AIF360 (`generalized_entropy_index`, v0.6.1) on the
 * benefits b = ŷ − y + 1. Like AIF360 they ignore sample weights.
 */
import { finiteNumber } from '../core/validate.js';
import { binaryColumn, nonEmpty, numberColumn, type NumberArray } from './inputs.js';

/**
 * Options of {@link generalizedEntropyIndex}.
 */
export interface GeneralizedEntropyOptions {
  /** The index's alpha (2 by default, as AIF360); 1 is the Theil index. */
  readonly alpha?: number;
}

/**
 * Generalized entropy index of the benefits b_i = ŷ_i − y_i + 1:
 * mean((b/μ)^α − 1) / (α(α − 1)), with the limits −mean(ln(b/μ)) at α = 0 and
 * mean((b/μ) ln(b/μ)) at α = 1 (0·ln 0 = 0).
 *
 * @example
 * ```ts
 * import { generalizedEntropyIndex } from 'responsible-tfjs/fairness';
 * generalizedEntropyIndex([1, 0, 1], [1, 1, 0], { alpha: 2 });
 * ```
 */
export function generalizedEntropyIndex(yTrue: NumberArray, yPred: NumberArray, options: GeneralizedEntropyOptions = {}): number {
  const fn = 'generalizedEntropyIndex';
  const alpha = options.alpha === undefined ? 2 : finiteNumber(fn, 'options.alpha', options.alpha);
  const t = numberColumn(fn, 'yTrue', yTrue);
  const p = numberColumn(fn, 'yPred', yPred, t.length);
  nonEmpty(fn, 'yTrue', t.length);
  binaryColumn(fn, 'yTrue', t);
  binaryColumn(fn, 'yPred', p);
  const n = t.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += p[i]! - t[i]! + 1;
  const mu = sum / n;
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const r = (p[i]! - t[i]! + 1) / mu;
    if (alpha === 1) acc += r === 0 ? 0 : r * Math.log(r);
    else if (alpha === 0) acc += -Math.log(r);
    else acc += r ** alpha - 1;
  }
  return alpha === 1 || alpha === 0 ? acc / n : acc / n / (alpha * (alpha - 1));
}

/**
 * Theil index (AIF360 `theil_index`): the generalized entropy index with α = 1 on the benefits
 * b = ŷ − y + 1. 0 for perfect predictions.
 *
 * @example
 * ```ts
 * import { theilIndex } from 'responsible-tfjs/fairness';
 * theilIndex([1, 0, 1, 1, 0, 1], [1, 0, 1, 1, 0, 1]); // 0
 * ```
 */
export function theilIndex(yTrue: NumberArray, yPred: NumberArray): number {
  return generalizedEntropyIndex(yTrue, yPred, { alpha: 1 });
}

/**
 * Reweighing (Kamiran & Calders 2012; AIF360 `Reweighing`, v0.6.1): pre-processing that weights
 * each (group, label) cell by P(group) P(label) / P(group, label), so that labels become
 * statistically independent of the group in the weighted data.
 */
import { invalid, optionsObject } from '../core/validate.js';
import { CountsEngine } from './engine.js';
import { isColumn, type NumberArray, type SensitiveFeatures, type SensitiveValue } from './inputs.js';

/**
 * Options of {@link reweighing}.
 */
export interface ReweighingOptions {
  /** Binary labels (1 is the favourable label). */
  readonly yTrue: NumberArray;
  /** Group labels: one column, or named columns (every intersection is a group). */
  readonly sensitiveFeatures: SensitiveFeatures;
  /** Existing instance weights (default 1); counts are sums of them and the result multiplies them. */
  readonly sampleWeight?: NumberArray;
  /**
   * AIF360's two-group form: the privileged value(s) of a single column; every other value is
   * unprivileged. Without it, every observed group gets its own weights.
   */
  readonly privileged?: SensitiveValue | readonly SensitiveValue[];
}

/**
 * The weight of one (group, label) cell.
 */
export interface ReweighingWeight {
  /** Group key (`'privileged'` / `'unprivileged'` in the two-group form). */
  readonly group: string;
  /** The label, 0 or 1. */
  readonly label: 0 | 1;
  /** W(g, l) = W_g W_l / (W W_gl); NaN for a cell without weight (no row uses it). */
  readonly weight: number;
  /** Rows in the cell. */
  readonly count: number;
}

/**
 * Result of {@link reweighing}.
 */
export interface ReweighingResult {
  /** New weight of each row: its old weight times its cell's weight. */
  readonly sampleWeight: Float64Array;
  /** The cell weights, groups in Fairlearn order, label 0 before 1. */
  readonly weights: readonly ReweighingWeight[];
}

/**
 * Computes Kamiran–Calders reweighing weights (AIF360's `Reweighing.fit_transform`).
 *
 * @returns New sample weights (a fresh array) and the per-cell weights.
 * @throws InvalidArgumentError for labels other than 0/1, invalid weights or groups.
 * @example
 * ```ts
 * import { reweighing } from 'responsible-tfjs/fairness';
 * const { sampleWeight } = reweighing({ yTrue: y, sensitiveFeatures: sex, privileged: 'Male' });
 * // pass sampleWeight to model.fit(x, y, { sampleWeight: tf.tensor1d(sampleWeight) })
 * ```
 */
export function reweighing(options: ReweighingOptions): ReweighingResult {
  const fn = 'reweighing';
  const o = optionsObject(fn, 'options', options);
  let sf: SensitiveFeatures = o.sensitiveFeatures;
  if (o.privileged !== undefined) {
    if (!isColumn(sf)) invalid(fn, 'options.sensitiveFeatures', sf, 'one array of group labels when `privileged` is given');
    const priv = new Set<SensitiveValue>(Array.isArray(o.privileged) ? (o.privileged as SensitiveValue[]) : [o.privileged as SensitiveValue]);
    sf = Array.from(sf as ArrayLike<SensitiveValue>, (v) => (priv.has(v) ? 'privileged' : 'unprivileged'));
  }
  const engine = new CountsEngine();
  // yPred = yTrue: true negatives hold the weight of label 0, true positives that of label 1.
  const cells = engine.add(fn, { yTrue: o.yTrue, yPred: o.yTrue, sensitiveFeatures: sf, sampleWeight: o.sampleWeight }, true, true)!;
  const encoder = engine.encoder!;
  const total = engine.overall[0]! + engine.overall[3]!;
  const byLabel = [engine.overall[0]!, engine.overall[3]!];
  // Weight of each (cell, label) at index 2 · cell + label.
  const cellWeight = new Float64Array(2 * encoder.size);
  for (let cell = 0; cell < encoder.size; cell++) {
    const c = engine.counts(cell);
    if (c === undefined) continue;
    const ng = c[0]! + c[3]!;
    for (const l of [0, 1]) {
      const ngl = l === 0 ? c[0]! : c[3]!;
      cellWeight[2 * cell + l] = ngl === 0 ? Number.NaN : (byLabel[l]! * ng) / (total * ngl);
    }
  }
  const rows = new Int32Array(2 * encoder.size);
  const y = o.yTrue;
  const sampleWeight = new Float64Array(cells.length);
  for (let i = 0; i < cells.length; i++) {
    const k = 2 * cells[i]! + y[i]!;
    rows[k]!++;
    sampleWeight[i] = (o.sampleWeight === undefined ? 1 : o.sampleWeight[i]!) * cellWeight[k]!;
  }
  const weights: ReweighingWeight[] = [];
  for (const { info, cell } of encoder.groups()) {
    if (engine.counts(cell) === undefined) continue;
    weights.push(
      { group: info.key, label: 0, weight: cellWeight[2 * cell]!, count: rows[2 * cell]! },
      { group: info.key, label: 1, weight: cellWeight[2 * cell + 1]!, count: rows[2 * cell + 1]! },
    );
  }
  return { sampleWeight, weights };
}

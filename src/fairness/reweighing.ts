/**
 * Reweighing (Kamiran & Calders 2012; AIF360 `Reweighing`, v0.6.1): pre-processing that weights
 * each (group, label) cell by P(group) P(label) / P(group, label), so that labels become
 * statistically independent of the group in the weighted data.
 */
import { invalid, optionsObject } from '../core/validate.js';
import { CountsEngine } from './engine.js';
import { orderedGroups } from './groups.js';
import { isColumn, type NumberArray, type SensitiveFeatures, type SensitiveValue } from './inputs.js';

/**
 * Options of {@link reweighing}.
 *
 * @example
 * ```ts
 * const o: ReweighingOptions = { yTrue: [1, 0, 1], sensitiveFeatures: ['M', 'F', 'F'], privileged: 'M' };
 * ```
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
 *
 * @example
 * ```ts
 * const w: ReweighingWeight = { group: 'privileged', label: 1, weight: 0.79, count: 3134 };
 * ```
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
 *
 * @example
 * ```ts
 * import { reweighing } from 'responsible-tfjs/fairness';
 * const r: ReweighingResult = reweighing({ yTrue: [1, 0, 1, 0], sensitiveFeatures: ['a', 'a', 'a', 'b'] });
 * ```
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
  const { local, keyOf } = engine.add(fn, { yTrue: o.yTrue, yPred: o.yTrue, sensitiveFeatures: sf, sampleWeight: o.sampleWeight }, true);
  const total = engine.overall[0]! + engine.overall[3]!;
  const byLabel = [engine.overall[0]!, engine.overall[3]!];
  // Weight of each (cell, label), and row counts per (cell, label).
  const cellWeights = new Map<string, [number, number]>();
  for (const [cell, c] of engine.cells) {
    const ng = c[0]! + c[3]!;
    cellWeights.set(cell, [0, 1].map((l) => {
      const ngl = l === 0 ? c[0]! : c[3]!;
      return ngl === 0 ? Number.NaN : (byLabel[l]! * ng) / (total * ngl);
    }) as [number, number]);
  }
  const perLocal = new Map<number, { w: [number, number]; rows: [number, number] }>();
  const y = o.yTrue;
  const sampleWeight = new Float64Array(local.length);
  for (let i = 0; i < local.length; i++) {
    let entry = perLocal.get(local[i]!);
    if (entry === undefined) perLocal.set(local[i]!, (entry = { w: cellWeights.get(keyOf(local[i]!))!, rows: [0, 0] }));
    const label = y[i] as 0 | 1;
    entry.rows[label] += 1;
    sampleWeight[i] = (o.sampleWeight === undefined ? 1 : o.sampleWeight[i]!) * entry.w[label];
  }
  const rowsByCell = new Map<string, [number, number]>();
  for (const [l, entry] of perLocal) rowsByCell.set(keyOf(l), entry.rows);
  const weights: ReweighingWeight[] = [];
  for (const { info, cell } of orderedGroups(engine.features!)) {
    const w = cellWeights.get(cell);
    if (w === undefined) continue;
    const rows = rowsByCell.get(cell)!;
    weights.push({ group: info.key, label: 0, weight: w[0], count: rows[0] }, { group: info.key, label: 1, weight: w[1], count: rows[1] });
  }
  return { sampleWeight, weights };
}

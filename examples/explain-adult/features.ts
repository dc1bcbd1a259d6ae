/**
 * The 10-feature Adult featurization of the explain references (test/fixtures/explain/adult_model.json):
 * five numeric columns standardized with the train split's mean and population standard deviation,
 * sex as two one-hot columns and marital status as three. Seven feature groups: the one-hot
 * columns of one attribute form one group, so an attribution method can switch them on and off
 * together.
 */
import { shuffledIndices, type Rng } from 'responsible-tfjs';
import type { AdultRow } from '../shared/data.js';

const NUMERIC = ['age', 'education-num', 'capital-gain', 'capital-loss', 'hours-per-week'] as const;

/** Column names, in model order. */
export const FEATURE_NAMES = [
  'age', 'education-num', 'capital-gain', 'capital-loss', 'hours-per-week',
  'sex=Female', 'sex=Male', 'marital=married', 'marital=never-married', 'marital=other',
] as const;

/** Group id of each column: sex (2 columns) and marital status (3 columns) are one group each. */
export const FEATURE_GROUPS = [0, 1, 2, 3, 4, 5, 5, 6, 6, 6] as const;

/** Name of each of the 7 groups. */
export const GROUP_NAMES = ['age', 'education-num', 'capital-gain', 'capital-loss', 'hours-per-week', 'sex', 'marital status'] as const;

export const NUM_FEATURES = FEATURE_NAMES.length;

/** Adult rows featurized for the explain example. */
export interface AdultFeatures {
  /** `n * 10` features, row-major. */
  readonly x: Float32Array;
  /** 1 when income is >50K. */
  readonly y: Int32Array;
  /** 'Female' or 'Male' per row. */
  readonly sex: readonly string[];
  readonly n: number;
}

/** Standardization statistics of the numeric columns, fitted on the train split. */
export interface Standardization {
  readonly mean: readonly number[];
  /** Population standard deviation (ddof 0), as scikit-learn's StandardScaler. */
  readonly scale: readonly number[];
}

/** Train-split mean and population standard deviation of the five numeric columns (float64). */
export function fitStandardization(trainRows: readonly AdultRow[]): Standardization {
  const mean = NUMERIC.map((c) => trainRows.reduce((s, r) => s + r[c], 0) / trainRows.length);
  const scale = NUMERIC.map((c, j) => Math.sqrt(trainRows.reduce((s, r) => s + (r[c] - mean[j]!) ** 2, 0) / trainRows.length));
  return { mean, scale };
}

function maritalColumn(status: string): number {
  if (status === 'Married-civ-spouse' || status === 'Married-AF-spouse') return 7;
  if (status === 'Never-married') return 8;
  return 9; // Divorced, Separated, Widowed, Married-spouse-absent
}

/** Featurizes rows with the given standardization. */
export function featurize(rows: readonly AdultRow[], stats: Standardization): AdultFeatures {
  const x = new Float32Array(rows.length * NUM_FEATURES);
  rows.forEach((r, i) => {
    const o = i * NUM_FEATURES;
    NUMERIC.forEach((c, j) => { x[o + j] = (r[c] - stats.mean[j]!) / stats.scale[j]!; });
    x[o + (r.sex === 'Female' ? 5 : 6)] = 1;
    x[o + maritalColumn(r['marital-status'])] = 1;
  });
  return { x, y: Int32Array.from(rows, (r) => (r.income === '>50K' ? 1 : 0)), sex: rows.map((r) => r.sex), n: rows.length };
}

/** Column means of featurized rows (the Shapley baseline: an "average person" of the train split). */
export function columnMeans(f: AdultFeatures): Float32Array {
  const sums = new Float64Array(NUM_FEATURES);
  for (let i = 0; i < f.n; i++) for (let j = 0; j < NUM_FEATURES; j++) sums[j] = sums[j]! + f.x[i * NUM_FEATURES + j]!;
  return Float32Array.from(sums, (s) => s / f.n);
}

/** The rows in a random order drawn from `rng` (seed it for a reproducible training run). */
export function shuffleRows(f: AdultFeatures, rng: Rng): AdultFeatures {
  const order = shuffledIndices(f.n, rng);
  const x = new Float32Array(f.x.length);
  order.forEach((src, dst) => x.set(f.x.subarray(src * NUM_FEATURES, (src + 1) * NUM_FEATURES), dst * NUM_FEATURES));
  return { x, y: Int32Array.from(order, (i) => f.y[i]!), sex: Array.from(order, (i) => f.sex[i]!), n: f.n };
}

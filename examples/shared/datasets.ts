/**
 * Parsers for the real data sets shipped in examples/data (provenance in examples/data/README.md),
 * from the CSV text: no file system, so the Node examples (through ./data.ts) and the browser
 * playground share them. csv-parse's browser build runs in both.
 */
import { parse } from 'csv-parse/browser/esm/sync';
import { shuffledIndices, type Rng } from 'responsible-tfjs';

/** A split of the digits data: pixels scaled to [0, 1], row-major 8×8. */
export interface DigitsSplit {
  /** `n * 64` pixels in [0, 1] (pixel / 16). */
  readonly x: Float32Array;
  /** `n` labels 0..9. */
  readonly y: Int32Array;
  readonly n: number;
}

/**
 * UCI optical digits (8×8) from the text of digits.csv, split as the reference models were: first
 * 1,347 rows train, last 450 test.
 */
export function parseDigits(csv: string): { train: DigitsSplit; test: DigitsSplit } {
  const rows = parse(csv, { cast: true }) as unknown as number[][];
  const split = (from: number, to: number): DigitsSplit => {
    const n = to - from;
    const x = new Float32Array(n * 64);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const r = rows[from + i]!;
      for (let j = 0; j < 64; j++) x[i * 64 + j] = r[j]! / 16;
      y[i] = r[64]!;
    }
    return { x, y, n };
  };
  return { train: split(0, 1347), test: split(1347, rows.length) };
}

/** The rows of a digits split in a random order drawn from `rng` (seed it for reproducible runs). */
export function shuffleDigits(split: DigitsSplit, rng: Rng): DigitsSplit {
  const order = shuffledIndices(split.n, rng);
  const x = new Float32Array(split.n * 64);
  const y = new Int32Array(split.n);
  order.forEach((src, dst) => {
    x.set(split.x.subarray(src * 64, src * 64 + 64), dst * 64);
    y[dst] = split.y[src]!;
  });
  return { x, y, n: split.n };
}

/** One row of UCI Adult as shipped (numbers cast, strings kept). */
export interface AdultRow {
  readonly row: number;
  readonly split: 'train' | 'test';
  readonly age: number;
  readonly workclass: string;
  readonly fnlwgt: number;
  readonly education: string;
  readonly 'education-num': number;
  readonly 'marital-status': string;
  readonly occupation: string;
  readonly relationship: string;
  readonly race: string;
  readonly sex: string;
  readonly 'capital-gain': number;
  readonly 'capital-loss': number;
  readonly 'hours-per-week': number;
  readonly 'native-country': string;
  readonly income: '<=50K' | '>50K';
}

/** All 45,222 rows of UCI Adult (the text of adult.csv) with the official train/test split. */
export function parseAdultRows(csv: string): AdultRow[] {
  return parse(csv, { columns: true, cast: true }) as unknown as AdultRow[];
}

/** Adult encoded for a classifier: standardised numeric columns plus one-hot categorical ones. */
export interface AdultEncoded {
  /** `n * numFeatures` features. */
  readonly x: Float32Array;
  readonly numFeatures: number;
  readonly featureNames: readonly string[];
  /** 1 when income is >50K. */
  readonly y: Int32Array;
  readonly sex: readonly string[];
  readonly race: readonly string[];
  readonly n: number;
}

const NUMERIC = ['age', 'education-num', 'capital-gain', 'capital-loss', 'hours-per-week'] as const;
const CATEGORICAL = ['workclass', 'marital-status', 'occupation', 'relationship', 'race', 'sex'] as const;

/**
 * Encodes Adult's train and test splits with statistics (means, deviations, category lists) fitted
 * on the training split only.
 */
export function encodeAdult(rows: readonly AdultRow[]): { train: AdultEncoded; test: AdultEncoded } {
  const trainRows = rows.filter((r) => r.split === 'train');
  const testRows = rows.filter((r) => r.split === 'test');
  const stats = NUMERIC.map((c) => {
    // Capital gains and losses are heavy-tailed: log1p first.
    const v = trainRows.map((r) => transform(c, r[c]));
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length) || 1;
    return { c, mean, sd };
  });
  const categories = CATEGORICAL.map((c) => ({ c, values: [...new Set(trainRows.map((r) => String(r[c])))].sort() }));
  const featureNames = [...NUMERIC, ...categories.flatMap(({ c, values }) => values.map((v) => `${c}=${v}`))];
  const encode = (part: readonly AdultRow[]): AdultEncoded => {
    const numFeatures = featureNames.length;
    const x = new Float32Array(part.length * numFeatures);
    part.forEach((r, i) => {
      let k = i * numFeatures;
      for (const { c, mean, sd } of stats) x[k++] = (transform(c, r[c]) - mean) / sd;
      for (const { c, values } of categories) {
        const j = values.indexOf(String(r[c]));
        if (j >= 0) x[k + j] = 1;
        k += values.length;
      }
    });
    return {
      x,
      numFeatures,
      featureNames,
      y: Int32Array.from(part, (r) => (r.income === '>50K' ? 1 : 0)),
      sex: part.map((r) => r.sex),
      race: part.map((r) => r.race),
      n: part.length,
    };
  };
  return { train: encode(trainRows), test: encode(testRows) };
}

function transform(column: string, value: number): number {
  return column === 'capital-gain' || column === 'capital-loss' ? Math.log1p(value) : value;
}

/**
 * The one aggregation engine: per-group weighted confusion counts, accumulated batch by batch.
 * Groups are discovered as batches arrive; the frame orders them as Fairlearn does.
 */
import { invalid } from '../core/validate.js';
import { CELL_SIZE } from './counts.js';
import { FeatureDictionary } from './groups.js';
import { binaryColumn, nonEmpty, numberColumn, sensitiveColumns, weightColumn, type NumberArray } from './inputs.js';

/** Most intersectional cells one batch may span (product of the features' value counts). */
const MAX_CELLS = 1 << 20;

/** The rows of one batch, tagged with their intersectional cell. */
export interface BatchCells {
  /** Cell index of each row in this batch's dense cell space. */
  readonly local: Int32Array;
  /** Cell key (per-feature codes joined by ',') of each dense cell index. */
  readonly keyOf: (local: number) => string;
}

/** Mutable state of an accumulation. */
export class CountsEngine {
  features: FeatureDictionary[] | undefined;
  readonly cells = new Map<string, Float64Array>();
  readonly overall = new Float64Array(CELL_SIZE);
  rows = 0;

  /** Adds one batch; returns the rows' cells. `binary` also checks labels and fills the confusion counts. */
  add(
    fn: string,
    batch: { yTrue: unknown; yPred: unknown; sensitiveFeatures: unknown; sampleWeight?: unknown },
    binary: boolean,
  ): BatchCells {
    if (typeof batch !== 'object' || batch === null) invalid(fn, 'options', batch, 'an options object');
    const t = numberColumn(fn, 'yTrue', batch.yTrue, undefined, 'yTrue', !binary);
    nonEmpty(fn, 'yTrue', t.length);
    const p = numberColumn(fn, 'yPred', batch.yPred, t.length, 'yTrue', !binary);
    const w = weightColumn(fn, batch.sampleWeight, t.length);
    const { names, columns } = sensitiveColumns(fn, batch.sensitiveFeatures, t.length);
    if (this.features === undefined) this.features = names.map((name) => new FeatureDictionary(name));
    else if (names.length !== this.features.length || names.some((n, j) => n !== this.features![j]!.name)) {
      invalid(fn, 'sensitiveFeatures', names.join(', '), `the same features as earlier batches (${this.features.map((f) => f.name).join(', ')})`);
    }
    const features = this.features;
    const codes = columns.map((col, j) => features[j]!.encode(fn, col));
    const strides: number[] = [];
    let size = 1;
    for (const f of features) {
      strides.push(size);
      size *= f.values.length;
    }
    if (size > MAX_CELLS) invalid(fn, 'sensitiveFeatures', `${size} combinations`, `at most ${MAX_CELLS} intersectional groups`);
    const n = t.length;
    const local = codes.length === 1 ? codes[0]! : new Int32Array(n);
    for (let j = 0; codes.length > 1 && j < codes.length; j++) {
      const c = codes[j]!;
      const s = strides[j]!;
      for (let i = 0; i < n; i++) local[i]! += c[i]! * s;
    }
    const dense = new Float64Array(size * CELL_SIZE);
    if (!countInto(dense, local, t, p, w, binary)) {
      // A label outside {0, 1} (or NaN): report the first one with the standard message.
      binaryColumn(fn, 'yTrue', t);
      binaryColumn(fn, 'yPred', p);
    }
    const keyOf = (cell: number): string => features.map((f, j) => Math.floor(cell / strides[j]!) % f.values.length).join(',');
    for (let cell = 0; cell < size; cell++) {
      const base = cell * CELL_SIZE;
      if (dense[base + 4] === 0) continue;
      const key = keyOf(cell);
      let acc = this.cells.get(key);
      if (acc === undefined) this.cells.set(key, (acc = new Float64Array(CELL_SIZE)));
      for (let k = 0; k < CELL_SIZE; k++) {
        acc[k]! += dense[base + k]!;
        this.overall[k]! += dense[base + k]!;
      }
    }
    this.rows += n;
    return { local, keyOf };
  }
}

/** Fills the dense cells; in binary mode returns false (early) when a label is not 0 or 1. */
function countInto(dense: Float64Array, local: Int32Array, t: NumberArray, p: NumberArray, w: NumberArray | undefined, binary: boolean): boolean {
  const n = local.length;
  if (!binary) {
    for (let i = 0; i < n; i++) dense[local[i]! * CELL_SIZE + 4]! += 1;
    return true;
  }
  for (let i = 0; i < n; i++) {
    const ti = t[i]!;
    const pi = p[i]!;
    if ((ti !== 0 && ti !== 1) || (pi !== 0 && pi !== 1)) return false;
    const base = local[i]! * CELL_SIZE;
    dense[base + 2 * ti + pi]! += w === undefined ? 1 : w[i]!;
    dense[base + 4]! += 1;
  }
  return true;
}

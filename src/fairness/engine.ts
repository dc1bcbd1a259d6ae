/**
 * The one aggregation engine: per-group weighted confusion counts, accumulated batch by batch in
 * a dense table over the group encoder's cells. Groups are discovered as batches arrive (the table
 * is re-laid out when a dictionary grows); frames read them in Fairlearn's order.
 */
import { invalid } from '../core/validate.js';
import { CELL_SIZE } from './counts.js';
import { GroupEncoder, scratchCells } from './groupEncoder.js';
import { binaryColumn, nonEmpty, numberColumn, sensitiveColumns, weightColumn, type NumberArray } from './inputs.js';

/** A local copy: an imported binding may be a getter under some loaders, too slow per row. */
const CELL = CELL_SIZE;

/** Mutable state of an accumulation. */
export class CountsEngine {
  encoder: GroupEncoder | undefined;
  /** Counts of cell c at [c · CELL_SIZE, (c + 1) · CELL_SIZE), laid out for the encoder's current sizes. */
  private table: Float64Array = new Float64Array(0);
  readonly overall = new Float64Array(CELL_SIZE);
  rows = 0;

  /**
   * Adds one batch. `binary` also checks labels and fills the confusion counts (otherwise only row
   * counts). With `keepCells`, returns each row's cell (valid until a later batch adds values).
   * A batch that fails validation leaves the engine unchanged.
   */
  add(
    fn: string,
    batch: { yTrue: unknown; yPred: unknown; sensitiveFeatures: unknown; sampleWeight?: unknown },
    binary: boolean,
    keepCells = false,
  ): Int32Array | undefined {
    if (typeof batch !== 'object' || batch === null) invalid(fn, 'options', batch, 'an options object');
    const t = numberColumn(fn, 'yTrue', batch.yTrue, undefined, 'yTrue', !binary);
    nonEmpty(fn, 'yTrue', t.length);
    const p = numberColumn(fn, 'yPred', batch.yPred, t.length, 'yTrue', !binary);
    const w = weightColumn(fn, batch.sampleWeight, t.length);
    const { names, columns } = sensitiveColumns(fn, batch.sensitiveFeatures, t.length);
    if (this.encoder === undefined) this.encoder = new GroupEncoder(names, 'sensitiveFeatures');
    else if (names.length !== this.encoder.names.length || names.some((name, j) => name !== this.encoder!.names[j])) {
      invalid(fn, 'sensitiveFeatures', names.join(', '), `the same features as earlier batches (${this.encoder.names.join(', ')})`);
    }
    const encoder = this.encoder;
    const n = t.length;
    const before = encoder.sizes();
    const cells = keepCells ? new Int32Array(n) : scratchCells(n);
    encoder.encode(fn, columns, n, cells);
    const dense = new Float64Array(encoder.size * CELL_SIZE);
    if (!countInto(dense, cells, n, t, p, w, binary)) {
      encoder.truncate(before);
      // A label outside {0, 1} (or NaN): report the first one with the standard message.
      binaryColumn(fn, 'yTrue', t);
      binaryColumn(fn, 'yPred', p);
    }
    if (this.table.length !== dense.length) this.table = relayout(this.table, before, encoder.sizes());
    const table = this.table;
    for (let k = 0; k < dense.length; k++) {
      table[k]! += dense[k]!;
      this.overall[k % CELL_SIZE]! += dense[k]!;
    }
    this.rows += n;
    return keepCells ? cells : undefined;
  }

  /** Counts of a cell ([tn, fp, fn, tp, count]), or undefined when no row fell in it. */
  counts(cell: number): Float64Array | undefined {
    const base = cell * CELL_SIZE;
    return base < this.table.length && this.table[base + 4]! > 0 ? this.table.subarray(base, base + CELL_SIZE) : undefined;
  }
}

/** The table of cells for `from` sizes moved to the cells of `to` sizes (dictionaries only grow). */
function relayout(table: Float64Array, from: readonly number[], to: readonly number[]): Float64Array {
  const out = new Float64Array(to.reduce((a, b) => a * b, 1) * CELL_SIZE);
  const cells = table.length / CELL_SIZE;
  for (let c = 0; c < cells; c++) {
    let rest = c;
    let cell = 0;
    let stride = 1;
    from.forEach((size, j) => {
      cell += (rest % size) * stride;
      rest = Math.floor(rest / size);
      stride *= to[j]!;
    });
    out.set(table.subarray(c * CELL_SIZE, (c + 1) * CELL_SIZE), cell * CELL_SIZE);
  }
  return out;
}

/** Typed arrays whose elements are integers (labels then need no floating-point checks). */
function integerArray(a: NumberArray): boolean {
  return a instanceof Int32Array || a instanceof Uint8Array || a instanceof Int8Array || a instanceof Uint16Array || a instanceof Int16Array;
}

/**
 * Fills the dense cells; in binary mode returns false (early) when a label is not 0 or 1. The
 * label checks are branch-free arithmetic (random 0/1 labels would defeat branch prediction), and
 * unweighted integer labels take a loop that derives the row counts from the four cells.
 */
function countInto(dense: Float64Array, cells: Int32Array, n: number, t: NumberArray, p: NumberArray, w: NumberArray | undefined, binary: boolean): boolean {
  if (!binary) {
    for (let i = 0; i < n; i++) dense[cells[i]! * CELL + 4]! += 1;
    return true;
  }
  if (w === undefined && integerArray(t) && integerArray(p)) {
    for (let i = 0; i < n; i++) {
      const ti = t[i]!;
      const pi = p[i]!;
      if ((ti | pi) >>> 1 !== 0) return false;
      dense[cells[i]! * CELL + 2 * ti + pi]! += 1;
    }
    for (let base = 0; base < dense.length; base += CELL) dense[base + 4] = dense[base]! + dense[base + 1]! + dense[base + 2]! + dense[base + 3]!;
    return true;
  }
  for (let i = 0; i < n; i++) {
    const ti = t[i]!;
    const pi = p[i]!;
    // x (1 − x) is 0 exactly for x = 0 or 1 (NaN and non-numbers fail too).
    if (Math.abs(ti * (1 - ti)) + Math.abs(pi * (1 - pi)) !== 0 || typeof ti !== 'number' || typeof pi !== 'number') return false;
    const base = cells[i]! * CELL;
    dense[base + 2 * ti + pi]! += w === undefined ? 1 : w[i]!;
    dense[base + 4]! += 1;
  }
  return true;
}

import { isTensor, type LabelsLike } from '../core/labels.js';
import { argMax, tidy, type Tensor } from '../core/tf.js';
import { invalid } from '../core/validate.js';

/**
 * Reads labels as integer class indices (internal). Tensor labels are read asynchronously (a
 * synchronous read on webgpu can lose the device); one-hot rows become their arg-max; a `[N, 1]` column is read as class indices. Checks the
 * count against `rows` and, when `numClasses` is known, the range.
 */
export async function readClassIndices(fn: string, argument: string, y: LabelsLike, rows: number, numClasses?: number): Promise<Int32Array> {
  let values: ArrayLike<number>;
  if (isTensor(y)) {
    if (y.rank === 2 && y.shape[1] === 1) {
      // A [N, 1] column holds binary class indices (0/1), not one-hot rows.
      values = await y.data();
    } else if (y.rank === 2) {
      const idx = tidy(() => argMax(y as Tensor, 1));
      values = await idx.data();
      idx.dispose();
    } else if (y.rank === 1) {
      values = await y.data();
    } else {
      return invalid(fn, argument, y, 'class indices (rank 1) or one-hot rows (rank 2)');
    }
  } else if (Array.isArray(y) || ArrayBuffer.isView(y)) {
    values = y as ArrayLike<number>;
  } else {
    return invalid(fn, argument, y, 'class indices (array or tensor) or one-hot rows (2-D tensor)');
  }
  if (values.length !== rows) invalid(fn, argument, `length ${values.length}`, `${rows} labels (one per row of x)`);
  const out = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const v = values[i] as number;
    if (!Number.isInteger(v) || v < 0 || (numClasses !== undefined && v >= numClasses)) {
      invalid(fn, `${argument}[${i}]`, v, numClasses !== undefined ? `an integer class index in [0, ${numClasses})` : 'a non-negative integer class index');
    }
    out[i] = v;
  }
  return out;
}

/** Checks that `x` is a tensor with at least one row (internal). */
export function inputTensor(fn: string, argument: string, x: unknown): Tensor {
  if (!isTensor(x) || x.rank < 1 || x.shape[0] === 0) invalid(fn, argument, x, 'a tensor [N, ...] with N >= 1 rows');
  return x;
}

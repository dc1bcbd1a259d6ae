/** Row bookkeeping shared by the sampling methods (internal). */
import { gather, tensor1d, type Tensor } from '../core/tf.js';

/**
 * `x.repeat_interleave(copies, 0)` as Captum expands a batch for its samples: row `i·copies + k`
 * is copy `k` of example `i` (a caller-owned tensor).
 */
export function repeatRows(x: Tensor, copies: number): Tensor {
  const batch = x.shape[0] as number;
  const index = new Int32Array(batch * copies);
  for (let r = 0; r < index.length; r++) index[r] = Math.floor(r / copies);
  const indices = tensor1d(index, 'int32');
  try {
    return gather(x, indices);
  } finally {
    indices.dispose();
  }
}

/** The shape `[rows, 1, ..., 1]` that broadcasts one scalar per row over an example of `rank - 1` axes. */
export function perRowShape(rows: number, rank: number): number[] {
  return [rows, ...new Array<number>(rank - 1).fill(1)];
}

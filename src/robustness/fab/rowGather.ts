/**
 * Per-row gathers (internal; call inside `tidy`). tfjs's `gather` with `batchDims = 1` returns
 * wrong values on the wasm backend (tfjs 4.22: its Gather kernel mis-strides batched indices), so
 * every per-row gather here goes through a flat gather over row-offset indices, which is exact on
 * every backend.
 */
import { add, gather, range, reshape, type Tensor, type Tensor1D, type Tensor2D } from '../../core/tf.js';

/** `out[i, j] = m[i, idx[i, j]]` for `m` `[rows, cols]` and int32 `idx` `[rows, k]`: `[rows, k]`. */
export function gatherColumns(m: Tensor2D, idx: Tensor2D): Tensor2D {
  const [rows, cols] = m.shape;
  const offsets = reshape(range(0, rows * cols, cols, 'int32'), [rows, 1]);
  return gather(reshape(m, [-1]) as Tensor, add(idx, offsets)) as Tensor2D;
}

/** `out[i] = m[i, idx[i]]` for `m` `[rows, cols]` and int32 `idx` `[rows]`: `[rows]`. */
export function gatherColumn(m: Tensor2D, idx: Tensor1D): Tensor1D {
  return reshape(gatherColumns(m, reshape(idx, [-1, 1]) as Tensor2D), [-1]) as Tensor1D;
}

/** `out[i] = t[i, idx[i], ...]` for `t` `[rows, n, ...rest]` and int32 `idx` `[rows]`: `[rows, ...rest]`. */
export function gatherPerRow(t: Tensor, idx: Tensor1D): Tensor {
  const [rows, n, ...rest] = t.shape as number[];
  const flat = reshape(t, [rows! * n!, ...rest]);
  return gather(flat, add(idx, range(0, rows! * n!, n!, 'int32')));
}

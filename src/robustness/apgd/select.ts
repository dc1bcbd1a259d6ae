/** Per-row selection for APGD's bookkeeping (internal). */
import { cast, mul, reshape, where, type Tensor } from '../../core/tf.js';

/**
 * A bool `[batch]` mask spread over a full-shape tensor (`ones`: float32 ones of that shape), for
 * `where`. `tf.where` would broadcast a `[batch, 1, ...]` condition with a `Tile`, and wasm's
 * boolean kernels broadcast through a slow generic loop: either costs more on wasm than all the
 * rest of an APGD iteration's bookkeeping. A float multiplication broadcasts fast on every
 * backend, so the condition is `cast(mask_rows · ones)`. Call inside `tidy`.
 */
export function rowCondition(mask: Tensor, ones: Tensor): Tensor {
  const rows = reshape(cast(mask, 'float32'), [mask.shape[0] as number, ...new Array<number>(ones.rank - 1).fill(1)]);
  return cast(mul(rows, ones), 'bool');
}

/** Row `i` of `a` where the row condition ({@link rowCondition}) holds, of `b` elsewhere: an exact selection. */
export function selectRows(condition: Tensor, a: Tensor, b: Tensor): Tensor {
  return where(condition, a, b);
}

/** Per-row selection for APGD's bookkeeping (internal). */
import { cast, mul, reshape, where, type Tensor } from '../../core/tf.js';

/**
 * Row `i` of `a` where `mask[i]` is true, of `b` elsewhere (`mask` bool `[batch]`; `a`, `b` and
 * `ones`, a float32 tensor of ones, of one shape). `tf.where` broadcasts a `[batch, 1, ...]`
 * condition to the full shape with a `Tile`, and wasm's boolean kernels broadcast through a slow
 * generic loop: either costs more on wasm than all the rest of an APGD iteration's bookkeeping.
 * A float multiplication broadcasts fast on every backend, so the full-shape condition is built
 * as `cast(mask_rows · ones)`; the selection itself stays an exact `where`. Call inside `tidy`.
 */
export function selectRows(mask: Tensor, a: Tensor, b: Tensor, ones: Tensor): Tensor {
  const rows = reshape(cast(mask, 'float32'), [mask.shape[0] as number, ...new Array<number>(a.rank - 1).fill(1)]);
  return where(cast(mul(rows, ones), 'bool'), a, b);
}

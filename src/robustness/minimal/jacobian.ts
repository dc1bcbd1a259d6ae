/**
 * The Jacobian DeepFool and similar linearising attacks need (internal): the gradients of every
 * class score difference `s_k - s_y` with respect to the input, for all rows at once.
 */
import {
  concat, expandDims, eye, mul, reshape, slice, sub, sum, tile, type Scalar, type Tensor, type Tensor2D,
} from '../../core/tf.js';
import type { AttackContext } from '../context.js';
import { scoresAt } from '../scores.js';
import { gradWithExtras } from './gradWithExtras.js';

/** Largest tiled input (elements) one backward pass handles; larger problems split the classes. */
const TILE_ELEMENTS = 1 << 23;

/**
 * Scores at `x` `[batch, classes]` and the Jacobian of the score differences
 * `J[k, i] = d(s_k - s_{y_i})(x_i) / d x_i`, shaped `[classes, batch, features]` (call inside
 * `tidy`; `onehot` holds the labels over the score classes, so the row `k = y_i` is 0).
 *
 * Rows are independent, so the gradient of `sum_i (s_k - s_{y_i})(x_i)` holds every row's
 * gradient at once (torchattacks runs one backward pass per class and row). The classes are
 * batched as well: `x` is tiled once per class and a single backward pass of the tiled batch gives
 * all of them (split into several passes when the tile would exceed 2^23 elements), which is the
 * same arithmetic as one pass per class with fewer kernel launches.
 */
export function scoreDifferenceJacobian(ctx: AttackContext, x: Tensor, onehot: Tensor2D): { scores: Tensor2D; jacobian: Tensor } {
  const batch = x.shape[0] as number;
  const classes = onehot.shape[1];
  const features = x.size / batch;
  const perPass = Math.max(1, Math.min(classes, Math.floor(TILE_ELEMENTS / x.size)));
  const parts: Tensor[] = [];
  let scores: Tensor2D | undefined;
  for (let k0 = 0; k0 < classes; k0 += perPass) {
    const k1 = Math.min(classes, k0 + perPass);
    const n = k1 - k0;
    // Weights [n, batch, classes]: e_k - onehot_i, so that the objective is sum_k sum_i (s_k - s_{y_i}).
    const weights = reshape(sub(expandDims(slice(eye(classes), [k0, 0], [n, classes]), 1), expandDims(onehot, 0)), [n * batch, classes]);
    const tiled = tile(x, [n, ...new Array<number>(x.rank - 1).fill(1)]);
    const { grad, extras } = gradWithExtras((xt) => {
      const s = scoresAt(ctx, xt);
      return { objective: sum(mul(s, weights)) as Scalar, extras: { s } };
    }, tiled);
    scores ??= slice(extras.s, [0, 0], [batch, classes]) as Tensor2D;
    parts.push(reshape(grad, [n, batch, features]));
  }
  return { scores: scores!, jacobian: parts.length === 1 ? parts[0]! : concat(parts, 0) };
}

/**
 * FAB's linearised decision boundaries (internal; call inside `tidy`). For a row `x` of true class
 * `y`, class `k`'s boundary is linearised at `x` as `df_k + dg_k·(z - x) = 0`, with
 * `df_k = s_k(x) - s_y(x)` and `dg_k = ∇s_k(x) - ∇s_y(x)` on the class scores `s` of
 * {@link classScores} (logits, `[0, z]` for a single-logit binary model, log-probabilities for a
 * probability model: differences of those are logit differences). As torchattacks'
 * `get_diff_logits_grads_batch`, FAB then keeps, per row, the class whose linearised boundary is
 * nearest in the dual norm: `|df_k| / (1e-12 + ||dg_k||_dual)` (L1 for L-inf, L2 for L2).
 */
import {
  abs, add, argMin, cast, concat, div, grad, mul, neg, oneHot, range, reshape, sqrt, square, sub, sum, tile, transpose,
  type Tensor, type Tensor1D, type Tensor2D, type Tensor3D,
} from '../../core/tf.js';
import { withTapeCleanup } from '../../core/tape.js';
import type { AttackNorm } from '../types.js';
import type { AttackContext } from '../context.js';
import { scoresAt } from '../scores.js';
import { gatherColumn, gatherPerRow } from './rowGather.js';

/** The hyperplane `w·z = b` FAB projects onto, per row. */
export interface Hyperplane {
  /** `[rows, features]`. */
  readonly w: Tensor2D;
  /** `[rows]`. */
  readonly b: Tensor1D;
}

/** Value torchattacks gives `df` at the true class, so that its boundary is never the nearest. */
const OWN_CLASS_DISTANCE = 1e10;

/** Added to the dual norm before dividing, as torchattacks. */
const DIVISION_EPSILON = 1e-12;

/**
 * Most input elements stacked in one gradient pass over class copies (default 2^22, 16 MiB of
 * float32): with more classes than fit, the classes are split into several passes. Internal and
 * mutable only so that tests can exercise the split on small inputs.
 */
export const stacking = { maxElements: 2 ** 22 };

/**
 * One-hot rows of the classes `idx`, float32 `[rows, classes]`. Built as int32 and cast: tfjs 4.22's
 * wasm `OneHot` kernel ignores a float32 `dtype` and writes int32 bit patterns (1 reads as 1.4e-45).
 */
function oneHotRows(idx: Tensor1D, classes: number): Tensor2D {
  return cast(oneHot(idx, classes), 'float32') as Tensor2D;
}

/** Each row's entry at its class `idx[row]` of `m` `[rows, classes]`, as `[rows]`. */
function atClass(m: Tensor2D, idx: Tensor1D): Tensor1D {
  return gatherColumn(m, idx);
}

/** Row `i`'s hyperplane from its chosen `df` `[rows]` and `dg` `[rows, features]` at `x1` `[rows, features]`. */
function hyperplane(df: Tensor1D, dg: Tensor2D, x1: Tensor2D): Hyperplane {
  // b = -df + dg·x1, so that w·z - b = df + dg·(z - x1).
  return { w: dg, b: add(neg(df), sum(mul(dg, x1), 1)) as Tensor1D };
}

/**
 * Gradients `∇(s_k - s_y)` for the classes `first..first+count-1`, `[count, rows, features]`, from
 * one backward pass over `count` stacked copies of the batch: copy k's objective is the sum over
 * rows of `s_k - s_y`, and rows are independent, so each row's gradient is its own.
 */
function classGradients(ctx: AttackContext, x: Tensor, y: Tensor1D, classes: number, first: number, count: number): Tensor3D {
  const rows = x.shape[0] as number;
  const stacked = tile(x, [count, ...new Array<number>(x.rank - 1).fill(1)]);
  const copyClass = reshape(tile(reshape(range(first, first + count, 1, 'int32'), [count, 1]), [1, rows]), [-1]) as Tensor1D;
  const weights = sub(oneHotRows(copyClass, classes), tile(oneHotRows(y, classes), [count, 1]));
  const g = withTapeCleanup(() => grad((xs: Tensor) => sum(mul(scoresAt(ctx, xs), weights)))(stacked));
  return reshape(g, [count, rows, -1]) as Tensor3D;
}

/**
 * Every class's linearised boundary at `x1` and, per row, the nearest one (untargeted FAB).
 * @param x1 - Current points, `x`'s shape. @param y - True classes, int32 `[rows]`.
 */
export function nearestBoundary(ctx: AttackContext, x1: Tensor, y: Tensor1D, classes: number, norm: AttackNorm): Hyperplane {
  const rows = x1.shape[0] as number;
  const features = x1.size / rows;
  const scores = scoresAt(ctx, x1);
  const own = oneHotRows(y, classes);
  const dfRaw = sub(scores, reshape(atClass(scores, y), [-1, 1]));
  const df = add(mul(dfRaw, sub(1, own)), mul(own, OWN_CLASS_DISTANCE)) as Tensor2D;
  const perPass = Math.max(1, Math.floor(stacking.maxElements / Math.max(1, rows * features)));
  const parts: Tensor3D[] = [];
  for (let first = 0; first < classes; first += perPass) {
    parts.push(classGradients(ctx, x1, y, classes, first, Math.min(perPass, classes - first)));
  }
  const g = parts.length === 1 ? parts[0]! : concat(parts, 0);
  const dg = transpose(g, [1, 0, 2]) as Tensor3D; // [rows, classes, features]
  const dual = norm === 'linf' ? sum(abs(dg), 2) : sqrt(sum(square(dg), 2));
  const distance = div(abs(df), add(dual, DIVISION_EPSILON));
  const nearest = argMin(distance, 1) as Tensor1D;
  const w = gatherPerRow(dg, nearest) as Tensor2D;
  return hyperplane(atClass(df, nearest), w, reshape(x1, [rows, features]) as Tensor2D);
}

/**
 * The linearised boundary between each row's true class `y` and its target class `t` at `x1`
 * (targeted FAB, torchattacks' `get_diff_logits_grads_batch_targeted`): `df = s_t - s_y` and its
 * gradient, one backward pass.
 */
export function targetBoundary(ctx: AttackContext, x1: Tensor, y: Tensor1D, target: Tensor1D, classes: number): Hyperplane {
  const rows = x1.shape[0] as number;
  const weights = sub(oneHotRows(target, classes), oneHotRows(y, classes));
  const scores = scoresAt(ctx, x1);
  const df = sub(atClass(scores, target), atClass(scores, y)) as Tensor1D;
  const g = withTapeCleanup(() => grad((xs: Tensor) => sum(mul(scoresAt(ctx, xs), weights)))(x1));
  return hyperplane(df, reshape(g, [rows, -1]) as Tensor2D, reshape(x1, [rows, -1]) as Tensor2D);
}

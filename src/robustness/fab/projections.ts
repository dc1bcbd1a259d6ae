/**
 * FAB's projections onto a hyperplane inside the input box (internal), batched over rows: for each
 * row `t` of `[rows, features]`, the smallest step `d` (in L-inf or L2 norm) such that `t + d`
 * lies on the hyperplane `w·z = b` and inside `[lo, hi]^features`. Both are exact, sorting-based
 * algorithms from Croce & Hein 2020 (https://arxiv.org/abs/1907.02044, section 3.1 and appendix),
 * ported from torchattacks 3.5.1 `projection_linf` / `projection_l2` (in turn fra31's
 * `fab_projections.py`) without boolean indexing: every case is computed for every row and the
 * right one is chosen with `where`. torchattacks' box is `[0, 1]`; the bounds here are general and
 * reduce to its float32 operations when `lo = 0, hi = 1`.
 *
 * When no point of the box reaches the hyperplane, the step goes as far as the box allows towards
 * it (the corner that minimises `w·z`), as in torchattacks.
 */
import {
  abs, add, cast, concat, cumsum, div, equal, floor, greater, greaterEqual, less, logicalAnd, logicalNot, logicalOr,
  maximum, minimum, mul, neg, notEqual, reshape, scalar, slice, sqrt, square, sub, sum, topk, where, zeros, fill, clipByValue,
  type Tensor, type Tensor1D, type Tensor2D,
} from '../../core/tf.js';
import { gatherColumn, gatherColumns } from './rowGather.js';

/** Value of `column` (int32 `[rows]` or float `[rows]` of whole numbers) in each row of `m`: `[rows]`. */
function pick(m: Tensor2D, column: Tensor1D): Tensor1D {
  return gatherColumn(m, column.dtype === 'int32' ? column : cast(column, 'int32') as Tensor1D);
}

/** Last column of `m`: `[rows]`. */
function lastColumn(m: Tensor2D): Tensor1D {
  const cols = m.shape[1];
  return reshape(slice(m, [0, cols - 1], [-1, 1]), [-1]) as Tensor1D;
}

/** As a column `[rows, 1]`. */
function column(v: Tensor): Tensor2D {
  return reshape(v, [-1, 1]) as Tensor2D;
}

/** Per-row sign that puts every row of `t` on the non-negative side of `w·z = b`: +1 or -1, `[rows]`. */
function sideSign(t: Tensor2D, w: Tensor2D, b: Tensor1D): Tensor1D {
  return sub(mul(cast(greaterEqual(sub(sum(mul(w, t), 1), b), 0), 'float32'), 2), 1) as Tensor1D;
}

/**
 * torchattacks' bisection over sorted positions: `ceil(log2(features))` halvings of `[lb, ub]`,
 * starting at `[0, features - 1]`, moving `lb` up where `goRight(mid)` holds and `ub` down
 * elsewhere. @returns The final `lb` as float `[rows]` (whole numbers).
 */
function bisect(rows: number, features: number, goRight: (mid: Tensor1D) => Tensor): Tensor1D {
  let lb: Tensor = zeros([rows]);
  let ub: Tensor = fill([rows], features - 1);
  const iterations = Math.ceil(Math.log2(features));
  for (let k = 0; k < iterations; k++) {
    const mid = floor(div(add(lb, ub), 2)) as Tensor1D;
    const right = goRight(mid);
    lb = where(right, mid, lb);
    ub = where(right, ub, mid);
  }
  return lb as Tensor1D;
}

/**
 * Minimal L-inf step from each row of `t` onto `w·z = b` within `[lo, hi]` (call inside `tidy`).
 *
 * With `c = w·t - b >= 0` (after orienting the hyperplane), moving every coordinate by at most
 * `λ` towards the bound that decreases `w·z` (the upper bound where `w < 0`, the lower one
 * elsewhere) changes `w·z` by `V(λ) = -Σ_j |w_j| min(λ, p_j)`, where `p_j` is coordinate j's
 * distance to that bound. `V` is piecewise linear and decreasing, with kinks at the `p_j`: sorting
 * the `p_j` in decreasing order and accumulating `|w|` and `|w| p` gives `V` at every kink; a
 * bisection finds the piece holding `V(λ) = -c`, which is then solved in closed form.
 * @returns The steps `d`, `[rows, features]`; coordinates with `w_j = 0` do not move.
 */
export function projectLinf(t: Tensor2D, wIn: Tensor2D, bIn: Tensor1D, lo: number, hi: number): Tensor2D {
  const [rows, features] = t.shape;
  const sgn = sideSign(t, wIn, bIn);
  const w = mul(wIn, column(sgn)) as Tensor2D;
  const b0In = mul(bIn, sgn);
  const up = less(w, 0);
  const moves = cast(notEqual(w, 0), 'float32');
  // Farthest move per coordinate (to the bound that lowers w·z) and its length p.
  const dMax = mul(sub(where(up, fill(w.shape, hi), fill(w.shape, lo)), t), moves) as Tensor2D;
  const p = where(up, sub(scalar(hi), t), sub(t, scalar(lo))) as Tensor2D;
  const order = topk(p, features, true).indices as Tensor2D; // decreasing p (torchattacks: argsort, then flip)
  const target = sub(b0In, sum(mul(w, t), 1)) as Tensor1D; // required change of w·z: -c <= 0
  const reach = sum(mul(w, dMax), 1) as Tensor1D; // V(∞): the largest decrease the box allows
  const ws = gatherColumns(w, order);
  const pDesc = gatherColumns(p, order);
  const bs2 = mul(neg(ws), gatherColumns(dMax, order));
  const s = cumsum(abs(ws), 1) as Tensor2D; // Σ |w| over the coordinates clipped at λ
  const sb = add(cumsum(bs2, 1), column(reach)) as Tensor2D; // -Σ |w| p over the others
  // V at the smallest kink: above the target means λ < min p (no coordinate reaches its bound).
  const atSmallest = sub(lastColumn(sb), mul(lastColumn(s), lastColumn(pDesc)));
  const belowKinks = greater(sub(target, atSmallest), 0);
  const onKinks = logicalAnd(greater(sub(target, reach), 0), logicalNot(belowKinks));
  const lb = bisect(rows, features, (mid) => greater(sub(target, sub(pick(sb, mid), mul(pick(s, mid), pick(pDesc, mid)))), 0));
  const direction = where(up, fill(w.shape, 1), fill(w.shape, -1));
  const lambdaFree = maximum(div(sub(target, lastColumn(sb)), neg(lastColumn(s))), 0);
  const dFree = mul(direction, column(lambdaFree));
  const lambda = column(maximum(div(sub(target, pick(sb, lb)), neg(pick(s, lb))), 0));
  const dKinks = where(up, minimum(lambda, dMax), maximum(neg(lambda), dMax));
  const d = where(column(belowKinks), dFree, where(column(onKinks), dKinks, dMax));
  return mul(d, moves) as Tensor2D;
}

/** Stand-in for "no bound": torchattacks' 1e12. */
const FAR = 1e12;

/**
 * Minimal L2 step from each row of `t` onto `w·z = b` within `[lo, hi]` (call inside `tidy`).
 *
 * With `c = w·t - b >= 0`, the step `-α w` clipped to the box reaches coordinate j's bound at
 * `α = r_j`; `w·d(α) = -Σ_j w_j² min(α, r_j)` is piecewise linear in `α` with kinks at the sorted
 * `r_j`, found by bisection as in {@link projectLinf}.
 * @returns The steps `d`, `[rows, features]`; coordinates with `|w_j| <= 1e-8` do not move.
 */
export function projectL2(t: Tensor2D, wIn: Tensor2D, bIn: Tensor1D, lo: number, hi: number): Tensor2D {
  const [rows, features] = t.shape;
  const cIn = sub(sum(mul(wIn, t), 1), bIn);
  const sgn = sub(mul(cast(greaterEqual(cIn, 0), 'float32'), 2), 1);
  const w = mul(wIn, column(sgn)) as Tensor2D;
  const c = mul(cIn, sgn) as Tensor1D;
  const moves = greater(abs(w), 1e-8);
  const rRaw = clipByValue(maximum(div(sub(t, scalar(lo)), w), div(sub(t, scalar(hi)), w)), -FAR, FAR);
  const farFill = fill(w.shape, FAR);
  let r = where(moves, rRaw, farFill);
  r = where(equal(r, -FAR), farFill, r) as Tensor2D;
  const sorted = topk(neg(r), features, true); // increasing r
  const rsRaw = neg(sorted.values) as Tensor2D;
  const rs2Raw = concat([slice(rsRaw, [0, 1], [-1, -1]), zeros([rows, 1])], 1);
  const rs = where(equal(rsRaw, FAR), zeros(rsRaw.shape), rsRaw) as Tensor2D;
  const rs2 = where(equal(rs2Raw, FAR), zeros(rs2Raw.shape), rs2Raw);
  const w3s = gatherColumns(square(w) as Tensor2D, sorted.indices as Tensor2D);
  const w5 = sum(w3s, 1, true);
  const ws = sub(w5, cumsum(w3s, 1)) as Tensor2D; // Σ w² of the coordinates not yet at a bound
  const movesF = cast(moves, 'float32');
  const dMax = mul(neg(mul(r, w)), movesF);
  const first = mul(neg(w5), slice(rs, [0, 0], [-1, 1]));
  const s = concat([first, sub(cumsum(mul(add(neg(rs2), rs), ws), 1), mul(w5, slice(rs, [0, 0], [-1, 1])))], 1) as Tensor2D;
  const beforeKinks = less(add(reshape(slice(s, [0, 0], [-1, 1]), [-1]), c), 0);
  const unreachable = greater(add(sum(mul(dMax, w), 1), c), 0);
  const onKinks = logicalNot(logicalOr(beforeKinks, unreachable));
  const lb = bisect(rows, features, (mid) => greater(add(pick(s, mid), c), 0));
  const alphaFree = div(c, reshape(w5, [-1]));
  const dFree = mul(neg(column(alphaFree)), w);
  const wsAt = pick(ws, lb);
  const alphaRaw = add(div(add(pick(s, lb), c), wsAt), pick(rs, lb));
  const alpha = column(where(equal(wsAt, 0), zeros(alphaRaw.shape), alphaRaw));
  const dKinks = where(greater(alpha, r), dMax, neg(mul(alpha, w)));
  const d = where(column(beforeKinks), dFree, where(column(onKinks), dKinks, dMax));
  return mul(d, movesF) as Tensor2D;
}

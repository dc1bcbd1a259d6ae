/**
 * Per-row windows on the device (internal): each row of the batch gets its own random window
 * position, as in the paper's reference code (torchattacks draws one position for the whole
 * batch). Masks and placements are built from index comparisons, without reading tensors.
 */
import {
  add, cast, equal, expandDims, greaterEqual, less, logicalAnd, matMul, minimum, floor, mul, range, reshape, sub, tidy,
  type Tensor, type Tensor1D,
} from '../../core/tf.js';
import type { SquareGeometry } from './geometry.js';

/**
 * Where windows may sit along each axis: `'all'` positions `0..dim - side`, uniformly (the
 * paper's "random square"), or `'torchattacks'`: `0..dim - side - 1` (0 when the window spans the
 * axis), as torchattacks' `random_int(0, dim - side)`, which floors `(dim - side) U(0, 1)` and so
 * never draws the last position. Unless a window spans the whole axis (never, from `pInit <= 0.8`),
 * the last row and column are then inside no window at all and keep their starting values for
 * the whole run: on 8x8 digits that is 15 of the 64 pixels, and it leaves the attack markedly
 * weaker (see {@link square}).
 */
export type WindowPositions = 'all' | 'torchattacks';

/**
 * Corner offsets `[rows]` (float32 integers) along an axis of `dim` values for windows of
 * `side` values, from uniforms `u` in [0, 1) (see {@link WindowPositions}).
 */
export function corners(u: Tensor1D, dim: number, side: number, where: WindowPositions): Tensor1D {
  return tidy(() => {
    const positions = where === 'all' ? dim - side + 1 : Math.max(dim - side, 1);
    // u * positions may round up to `positions` in float32 when u is within 2^-24 of 1.
    return minimum(floor(mul(u, positions)), positions - 1) as Tensor1D;
  });
}

/**
 * `a` where `mask` is 1 and `b` where it is 0 (`mask` 0/1 float32, broadcast): `a m + b (1 - m)`,
 * exact for finite values (one term is the value times 1, the other 0). On wasm it is about 8
 * times faster than `where` with a broadcast condition, which tiles the condition first.
 */
export function choose(mask: Tensor, a: Tensor, b: Tensor): Tensor {
  return add(mul(a, mask), mul(b, sub(1, mask)));
}

/** `[rows, dim]` 0/1 (float32): whether each index lies in `[start, start + side)`. */
function span(start: Tensor1D, dim: number, side: number): Tensor {
  const idx = reshape(range(0, dim, 1, 'float32'), [1, dim]);
  const s = reshape(start, [-1, 1]);
  return cast(logicalAnd(greaterEqual(idx, s), less(idx, add(s, side))), 'float32');
}

/** Window indicator `[rows, h, w, 1]` (0/1 float32) of windows of `sides` at corners `(vh, vw)`. */
export function windowMask(vh: Tensor1D, vw: Tensor1D, sides: readonly [number, number], g: SquareGeometry): Tensor {
  return tidy(() => {
    const inH = span(vh, g.height, sides[0]);
    const inW = span(vw, g.width, sides[1]);
    return expandDims(mul(expandDims(inH, 2), expandDims(inW, 1)), 3);
  });
}

/** `[rows, dim, side]` 0/1: entry (i, r, k) is 1 when `r = start_i + k` (a shift matrix per row). */
function shift(start: Tensor1D, dim: number, side: number): Tensor {
  const r = reshape(range(0, dim, 1, 'float32'), [1, dim, 1]);
  const k = reshape(range(0, side, 1, 'float32'), [1, 1, side]);
  return cast(equal(sub(r, reshape(start, [-1, 1, 1])), k), 'float32');
}

/**
 * Places each row's window `patterns[i]` (`[rows, sh, sw]`) at its corner `(vh_i, vw_i)` of an
 * otherwise zero `[rows, h, w, 1]` image: `S_h P S_w^T` with 0/1 shift matrices (exact: every
 * output is one pattern value or 0).
 */
export function placePatterns(vh: Tensor1D, vw: Tensor1D, patterns: Tensor, g: SquareGeometry): Tensor {
  return tidy(() => {
    const [sh, sw] = [patterns.shape[1] as number, patterns.shape[2] as number];
    const placed = matMul(matMul(shift(vh, g.height, sh), patterns), shift(vw, g.width, sw), false, true);
    return expandDims(placed, 3);
  });
}

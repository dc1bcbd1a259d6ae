/**
 * The L-inf start and proposal of Square (internal; paper Section 4.1, torchattacks'
 * `attack_single_run`, L-inf branch). Call inside `tidy`.
 */
import { add, cast, greaterEqual, mul, randomUniform, reshape, slice, sub, type Tensor, type Tensor1D } from '../../core/tf.js';
import { clamp } from '../steps.js';
import type { SquareGeometry } from './geometry.js';
import { choose, corners, windowMask, type WindowPositions } from './windows.js';

/** ±1 with equal probability from uniforms in [0, 1) (torchattacks' `random_choice`, never 0). */
export function randomSigns(u: Tensor): Tensor {
  return sub(mul(cast(greaterEqual(u, 0.5), 'float32'), 2), 1);
}

/**
 * The vertical-stripe start: `clip(x + eps s)` with one random sign `s` per row, column and
 * channel, the same down each column.
 */
export function linfStripes(x4: Tensor, eps: number, lo: number, hi: number, seed: number): Tensor {
  const [rows, , w, c] = x4.shape as number[];
  const s = randomSigns(randomUniform([rows as number, 1, w as number, c as number], 0, 1, 'float32', seed));
  return clamp(add(x4, mul(s, eps)), lo, hi);
}

/**
 * The proposal: in a random window of `sides` per row, every value becomes `clip(x + eps s)`
 * with one random sign per row and channel; the rest of the row keeps `best`. This is
 * torchattacks' `clip(P_eps(best + 2 eps s))` on the window, since `best` lies in the ball.
 */
export function linfProposal(
  x4: Tensor, best: Tensor, eps: number, lo: number, hi: number, sides: readonly [number, number], g: SquareGeometry, positions: WindowPositions,
  seed: number,
): Tensor {
  const rows = x4.shape[0] as number;
  const u = randomUniform([rows, 2 + g.channels], 0, 1, 'float32', seed);
  const vh = reshape(slice(u, [0, 0], [rows, 1]), [rows]) as Tensor1D;
  const vw = reshape(slice(u, [0, 1], [rows, 1]), [rows]) as Tensor1D;
  const s = reshape(randomSigns(slice(u, [0, 2], [rows, g.channels])), [rows, 1, 1, g.channels]);
  const mask = windowMask(corners(vh, g.height, sides[0], positions), corners(vw, g.width, sides[1], positions), sides, g);
  return choose(mask, clamp(add(x4, mul(s, eps)), lo, hi), best);
}

/**
 * The L2 start and proposal of Square (internal; paper Section 4.2, torchattacks'
 * `attack_single_run`, L2 branch). Call inside `tidy`.
 */
import {
  add, cast, concat, div, gather, greater, maximum, mul, randomUniform, reshape, slice, sqrt, square, sub, sum, tensor, tensor1d, tensor2d,
  where, zeros, type Tensor, type Tensor1D,
} from '../../core/tf.js';
import { clamp } from '../steps.js';
import type { SquareGeometry } from './geometry.js';
import { randomSigns } from './linf.js';
import type { StartTiles } from './patterns.js';
import { choose, corners, placePatterns, windowMask, type WindowPositions } from './windows.js';

/** Added to norms before dividing, as torchattacks' Square. */
const DIVISION_EPSILON = 1e-12;

/** Per-row L2 norm over every value, `[rows, 1, 1, 1]`. */
function rowNorm(t: Tensor): Tensor {
  return sqrt(sum(square(t), [1, 2, 3], true));
}

/** `clip(x + eps delta / (||delta|| + 1e-12))`: torchattacks' `normalize_delta` scaled to eps. */
function onSphere(x4: Tensor, delta: Tensor, eps: number, lo: number, hi: number): Tensor {
  return clamp(add(x4, mul(div(delta, add(rowNorm(delta), DIVISION_EPSILON)), eps)), lo, hi);
}

/**
 * The L2 start: the tiles of `startTiles`, each holding a two-signed window pattern with a
 * random split (rows or columns) and a random sign per row and channel, rescaled to norm eps and
 * clipped to the box.
 */
export function l2Start(x4: Tensor, eps: number, lo: number, hi: number, tiles: StartTiles, g: SquareGeometry, seed: number): Tensor {
  const rows = x4.shape[0] as number;
  const { tiles: count, tileOf } = tiles;
  const c = g.channels;
  const u = randomUniform([rows, count, 1 + c], 0, 1, 'float32', seed);
  // One extra "tile" of sign 0 for the pixels outside every tile.
  const signs = concat([randomSigns(slice(u, [0, 0, 1], [rows, count, c])), zeros([rows, 1, c])], 1);
  const splits = concat([reshape(slice(u, [0, 0, 0], [rows, count, 1]), [rows, count]), zeros([rows, 1])], 1);
  const pixelTile = tensor1d(tileOf, 'int32');
  const pixelSigns = reshape(gather(signs, pixelTile, 1), [rows, g.height, g.width, c]);
  const pixelSplit = reshape(greater(gather(splits, pixelTile, 1), 0.5), [rows, g.height, g.width, 1]);
  const shape = [1, g.height, g.width, 1];
  const pattern = where(pixelSplit, tensor(tiles.alongColumns, shape), tensor(tiles.alongRows, shape));
  return onSphere(x4, mul(pattern, pixelSigns), eps, lo, hi);
}

/** A window's two patterns: split across rows (`[sh, sw]`) and across columns. */
export interface WindowPatterns {
  readonly alongRows: Float32Array;
  readonly alongColumns: Float32Array;
}

/**
 * The L2 proposal (per row, with `delta = best - x`): pick windows W1 and W2; W1 becomes the
 * sum of a fresh two-signed pattern (random split, one random sign per channel) and the unit
 * direction of delta on W1, rescaled per channel to `sqrt(max(eps^2 - ||delta||^2, 0) / c +
 * ||delta on W1 u W2||^2)`; W2 outside W1 is zeroed, moving its mass into W1; the whole
 * perturbation is then rescaled to norm eps and the image clipped to the box.
 */
export function l2Proposal(
  x4: Tensor, best: Tensor, eps: number, lo: number, hi: number, sides: readonly [number, number], patterns: WindowPatterns,
  g: SquareGeometry, positions: WindowPositions, seed: number,
): Tensor {
  const rows = x4.shape[0] as number;
  const c = g.channels;
  const [sh, sw] = sides;
  const u = randomUniform([rows, 5 + c], 0, 1, 'float32', seed);
  const column = (j: number): Tensor1D => reshape(slice(u, [0, j], [rows, 1]), [rows]) as Tensor1D;
  const vh = corners(column(0), g.height, sh, positions);
  const vw = corners(column(1), g.width, sw, positions);
  const w1 = windowMask(vh, vw, sides, g);
  const w2 = windowMask(corners(column(2), g.height, sh, positions), corners(column(3), g.width, sw, positions), sides, g);
  const split = reshape(cast(greater(column(4), 0.5), 'float32'), [rows, 1, 1]);
  const pattern = choose(split, tensor2d(patterns.alongColumns, [sh, sw]), tensor2d(patterns.alongRows, [sh, sw]));
  const signs = reshape(randomSigns(slice(u, [0, 5], [rows, c])), [rows, 1, 1, c]);

  const delta = sub(best, x4);
  const onW1 = mul(delta, w1);
  const normW1 = sqrt(sum(square(onW1), [1, 2], true));
  const both = maximum(w1, w2);
  const budget = sqrt(add(div(maximum(sub(eps * eps, square(rowNorm(delta))), 0), c), square(rowNorm(mul(delta, both)))));
  const fresh = add(mul(placePatterns(vh, vw, pattern, g), signs), div(onW1, add(normW1, DIVISION_EPSILON)));
  const window = mul(div(fresh, add(sqrt(sum(square(fresh), [1, 2], true)), DIVISION_EPSILON)), budget);
  return onSphere(x4, add(mul(delta, sub(1, both)), window), eps, lo, hi);
}

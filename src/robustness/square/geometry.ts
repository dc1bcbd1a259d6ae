/**
 * How Square sees an input row as an image (internal): the square windows of the attack move over
 * a height-by-width grid with one or more channels, so every supported input shape is first given
 * such a grid.
 */
import type { Tensor } from '../../core/tf.js';
import { invalid } from '../../core/validate.js';

/** An input row seen as a `height x width` image with `channels` values per pixel. */
export interface SquareGeometry {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/**
 * The image grid of a batch `x`:
 * - rank 4 is NHWC `[batch, height, width, channels]`, tfjs's layout for convolutions;
 * - rank 3 `[batch, height, width]` is a one-channel image;
 * - rank 2 `[batch, features]` is a `k x k` one-channel image when `features = k^2` (a flattened
 *   square image, read row-major, e.g. the 64 features of 8x8 digits), and otherwise a
 *   `1 x features` image whose windows are runs of consecutive features.
 * @throws {@link InvalidArgumentError} for any other rank.
 */
export function squareGeometry(fn: string, x: Tensor): SquareGeometry {
  const shape = x.shape;
  if (x.rank === 4) return { height: shape[1] as number, width: shape[2] as number, channels: shape[3] as number };
  if (x.rank === 3) return { height: shape[1] as number, width: shape[2] as number, channels: 1 };
  if (x.rank === 2) {
    const features = shape[1] as number;
    const side = Math.round(Math.sqrt(features));
    return side * side === features ? { height: side, width: side, channels: 1 } : { height: 1, width: features, channels: 1 };
  }
  return invalid(fn, 'x', x, 'a batch of rank 2 ([batch, features]), 3 ([batch, height, width]) or 4 (NHWC [batch, height, width, channels])');
}

/** `[rows, height, width, channels]`: the shape the attack works in. */
export function imageShape(rows: number, g: SquareGeometry): [number, number, number, number] {
  return [rows, g.height, g.width, g.channels];
}

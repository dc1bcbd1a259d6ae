/** The 2-D grids the heatmap draws: their forms, validation, and reading one from a tensor. */
import { isTensor } from '../../core/labels.js';
import { tensorArgument } from '../../core/tensorArgument.js';
import { reshape, slice, sum, tidy, type Tensor } from '../../core/tf.js';
import { finiteArray, invalid, nonNegativeInteger, optionsObject, positiveInteger } from '../../core/validate.js';

/**
 * A 2-D map of numbers in row-major order: `values[row * width + column]`, `height` rows of
 * `width` values (e.g. the attributions of an 8 × 8 digit, or the digit itself).
 */
export interface HeatmapGrid {
  /** `width × height` values, row by row. */
  readonly values: ArrayLike<number>;
  /** Columns. */
  readonly width: number;
  /** Rows. */
  readonly height: number;
}

/** A grid as the pictures accept it: a {@link HeatmapGrid} or an array of equally long rows. */
export type GridInput = HeatmapGrid | readonly (readonly number[])[];

/** A validated grid (internal). */
export interface Grid {
  readonly values: ArrayLike<number>;
  readonly width: number;
  readonly height: number;
}

const ALLOWED = '{ values, width, height } or an array of equally long rows of numbers (read a tensor with gridFromTensor)';

/** Validates a grid argument: positive sizes, `width × height` finite values. */
export function toGrid(fn: string, argument: string, value: unknown): Grid {
  if (isTensor(value)) invalid(fn, argument, value, ALLOWED, 'The pictures are synchronous: read the tensor first with await gridFromTensor(t)');
  let grid: Grid;
  if (Array.isArray(value)) {
    const rows = value as unknown[];
    if (rows.length === 0 || !rows.every((r) => Array.isArray(r))) invalid(fn, argument, value, ALLOWED);
    const width = (rows[0] as unknown[]).length;
    if (width === 0) invalid(fn, argument, value, 'a grid with at least one column');
    rows.forEach((r, i) => {
      if ((r as unknown[]).length !== width) invalid(fn, `${argument}[${i}]`, `a row of ${(r as unknown[]).length} values`, `a row of ${width} values, as row 0`);
    });
    grid = { values: (rows as number[][]).flat(), width, height: rows.length };
  } else if (typeof value === 'object' && value !== null && 'values' in value) {
    const g = value as Partial<HeatmapGrid>;
    const width = positiveInteger(fn, `${argument}.width`, g.width);
    const height = positiveInteger(fn, `${argument}.height`, g.height);
    const values = g.values;
    if (!(Array.isArray(values) || ArrayBuffer.isView(values))) invalid(fn, `${argument}.values`, values, 'an array or typed array of numbers');
    const length = (values as ArrayLike<number>).length;
    if (length !== width * height) invalid(fn, `${argument}.values`, `${length} values`, `width × height = ${width * height} values`);
    grid = { values: values as ArrayLike<number>, width, height };
  } else {
    return invalid(fn, argument, value, ALLOWED);
  }
  for (let i = 0; i < grid.values.length; i++) {
    if (typeof grid.values[i] !== 'number') invalid(fn, `${argument}[${i}]`, grid.values[i], 'a number');
  }
  finiteArray(fn, argument, grid.values);
  return grid;
}

/** Options of {@link gridFromTensor}. */
export interface GridFromTensorOptions {
  /** For a batch `[batch, height, width, channels]`: the example to read. Default 0. */
  readonly example?: number;
}

/**
 * Reads one 2-D map out of a tensor, asynchronously (no stall on GPU backends), for
 * {@link attributionHeatmapSvg}: `[height, width]`, `[height, width, channels]`, or one example of
 * a batch `[batch, height, width, channels]` (NHWC, the tfjs layout). Channels are summed, as
 * Captum's `visualize_image_attr` sums an image's channel attributions (for an input image, pass
 * one channel or its mean).
 *
 * @param t - The tensor (attributions, a layer map, or the input image).
 * @param options - `example`: which example of a batch (default 0).
 * @returns `{ values, width, height }`, a plain-array grid the caller owns.
 * @throws {@link InvalidArgumentError} for a tensor that is disposed, of rank other than 2 to 4, or an
 *   example index out of range.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { attributionHeatmapSvg, gridFromTensor, saliency } from 'responsible-tfjs/explain';
 * const model = await tf.loadLayersModel('/models/digits/model.json');
 * const x = tf.tensor4d(pixels, [4, 8, 8, 1]);            // four 8x8 digits
 * const { attributions } = await saliency(model, x, { abs: false });
 * // The map of the third digit, drawn over the digit itself.
 * const map = await gridFromTensor(attributions, { example: 2 });
 * const image = await gridFromTensor(x, { example: 2 });
 * const svg = attributionHeatmapSvg(map, { image, title: 'Saliency, digit 3' });
 * tf.dispose([x, attributions]);
 * ```
 */
export async function gridFromTensor(t: Tensor, options?: GridFromTensorOptions): Promise<HeatmapGrid> {
  const fn = 'gridFromTensor';
  const tensor = tensorArgument(fn, 't', t, 'a tf.Tensor [height, width], [height, width, channels] or [batch, height, width, channels]');
  const opts = optionsObject(fn, 'options', options);
  if (tensor.rank < 2 || tensor.rank > 4 || tensor.size === 0) {
    invalid(fn, 't', tensor, 'a non-empty tensor [height, width], [height, width, channels] or [batch, height, width, channels]');
  }
  const example = nonNegativeInteger(fn, 'options.example', opts.example ?? 0);
  if (tensor.rank === 4 && example >= (tensor.shape[0] as number)) {
    invalid(fn, 'options.example', example, `an example index in [0, ${tensor.shape[0]})`);
  }
  if (tensor.rank < 4 && opts.example !== undefined && example !== 0) {
    invalid(fn, 'options.example', example, '0 or undefined for a tensor without a batch axis');
  }
  const [height, width] = tensor.rank === 4 ? [tensor.shape[1] as number, tensor.shape[2] as number] : [tensor.shape[0] as number, tensor.shape[1] as number];
  const map = tidy(() => {
    const one = tensor.rank === 4 ? slice(tensor, [example, 0, 0, 0], [1, height, width, -1]) : tensor;
    return tensor.rank === 2 ? one.clone() : sum(reshape(one, [height, width, -1]), 2);
  });
  try {
    return { values: Float32Array.from((await map.data()) as ArrayLike<number>), width, height };
  } finally {
    map.dispose();
  }
}

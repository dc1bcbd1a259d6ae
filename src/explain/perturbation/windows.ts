/**
 * Sliding-window geometry of occlusion (internal), as Captum's `Occlusion` lays it out
 * (`attr/_core/occlusion.py: Occlusion.attribute, _occlusion_mask`): per axis, windows start at
 * 0, s, 2s, ..., `ceil((D - w) / s) + 1` of them, the last one cropped at the edge.
 */
import { invalid } from '../../core/validate.js';

/** The windows over one example's axes. */
export interface WindowGrid {
  /** One example's shape (the input's non-batch axes). */
  readonly shape: readonly number[];
  readonly window: readonly number[];
  readonly strides: readonly number[];
  /** Window positions per axis. */
  readonly counts: readonly number[];
  /** Total number of windows (the product of `counts`). */
  readonly total: number;
}

function describeAxes(values: unknown): string {
  return Array.isArray(values) ? `[${values.join(', ')}]` : String(values);
}

/**
 * Validates `window` (one positive integer per axis, none larger than the axis) and `strides` (a
 * positive integer for every axis or one per axis, none larger than the window, except on an axis
 * the window covers whole, where there is a single position: Captum's assertion).
 */
export function windowGrid(fn: string, shape: readonly number[], window: unknown, strides: unknown): WindowGrid {
  const rank = shape.length;
  const perAxis = `an array of ${rank} positive integers (one per non-batch axis of the input, shape [${shape.join(', ')}])`;
  if (!Array.isArray(window) || window.length !== rank) invalid(fn, 'options.window', describeAxes(window), perAxis);
  const w = (window as unknown[]).map((v, k) => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) invalid(fn, 'options.window', describeAxes(window), perAxis);
    if (v > (shape[k] as number)) invalid(fn, 'options.window', describeAxes(window), `a window no larger than the input's example shape [${shape.join(', ')}] (axis ${k} has ${shape[k]} elements)`);
    return v;
  });
  const rawStrides = strides ?? 1;
  const stridesAllowed = `a positive integer or ${perAxis}`;
  let s: number[];
  if (typeof rawStrides === 'number') {
    if (!Number.isSafeInteger(rawStrides) || rawStrides < 1) invalid(fn, 'options.strides', rawStrides, stridesAllowed);
    s = w.map(() => rawStrides);
  } else {
    if (!Array.isArray(rawStrides) || rawStrides.length !== rank) invalid(fn, 'options.strides', describeAxes(rawStrides), stridesAllowed);
    s = (rawStrides as unknown[]).map((v) => {
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) invalid(fn, 'options.strides', describeAxes(rawStrides), stridesAllowed);
      return v;
    });
  }
  s.forEach((v, k) => {
    if (v > (w[k] as number) && w[k] !== shape[k]) {
      invalid(fn, 'options.strides', describeAxes(rawStrides), `strides no larger than the window [${w.join(', ')}] on every axis the window does not cover whole (axis ${k}), so that every element is occluded`);
    }
  });
  const counts = shape.map((d, k) => Math.ceil((d - (w[k] as number)) / (s[k] as number)) + 1);
  return { shape, window: w, strides: s, counts, total: counts.reduce((a, b) => a * b, 1) };
}

/** Row-major strides of `shape`. */
function elementStrides(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length).fill(1);
  for (let k = shape.length - 2; k >= 0; k--) out[k] = (out[k + 1] as number) * (shape[k + 1] as number);
  return out;
}

/**
 * Flat indices (row-major, within one example) of the elements window `index` covers. Windows are
 * numbered with the first axis varying fastest, as Captum numbers them.
 */
export function windowElements(grid: WindowGrid, index: number): Int32Array {
  const rank = grid.shape.length;
  const lo = new Array<number>(rank);
  const hi = new Array<number>(rank);
  let rest = index;
  let size = 1;
  for (let k = 0; k < rank; k++) {
    const count = grid.counts[k] as number;
    const start = (rest % count) * (grid.strides[k] as number);
    rest = Math.floor(rest / count);
    lo[k] = start;
    hi[k] = Math.min(start + (grid.window[k] as number), grid.shape[k] as number);
    size *= (hi[k] as number) - start;
  }
  const steps = elementStrides(grid.shape);
  const out = new Int32Array(size);
  const position = lo.slice();
  for (let n = 0; n < size; n++) {
    let flat = 0;
    for (let k = 0; k < rank; k++) flat += (position[k] as number) * (steps[k] as number);
    out[n] = flat;
    for (let k = rank - 1; k >= 0; k--) {
      position[k] = (position[k] as number) + 1;
      if ((position[k] as number) < (hi[k] as number)) break;
      position[k] = lo[k] as number;
    }
  }
  return out;
}

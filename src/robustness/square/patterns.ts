/**
 * The L2 perturbation shapes of Square (internal): the paper's Section 4.2 windows, made of two
 * halves of opposite sign, each a sum of nested centred rectangles with weights `1/(k+1)^2` (a
 * discrete, roughly Gaussian bump). Ported from torchattacks' `Square.eta_rectangles` and
 * `Square.eta` (the paper's `meta_pseudo_gaussian_pert`); built once per window size, in JS,
 * on a few dozen numbers.
 */
import type { SquareGeometry } from './geometry.js';

/**
 * `rows x cols` values (row-major) of nested centred rectangles `[c - k, c + k]` (clipped to the
 * window), `c` the centre, each adding `1/(k+1)^2`, normalised to unit L2 norm (torchattacks'
 * `eta_rectangles`). Empty when a side is 0.
 */
export function centredBump(rows: number, cols: number): Float64Array {
  const d = new Float64Array(rows * cols);
  if (rows === 0 || cols === 0) return d;
  let r0 = Math.floor(rows / 2);
  let c0 = Math.floor(cols / 2);
  const rings = Math.max(r0, c0) + 1;
  for (let k = 0; k < rings; k++) {
    const weight = 1 / (k + 1) ** 2;
    for (let r = Math.max(r0, 0); r < Math.min(r0 + 2 * k + 1, rows); r++) {
      for (let c = Math.max(c0, 0); c < Math.min(c0 + 2 * k + 1, cols); c++) d[r * cols + c]! += weight;
    }
    r0--;
    c0--;
  }
  return normalised(d);
}

function normalised(d: Float64Array): Float64Array {
  let sq = 0;
  for (const v of d) sq += v * v;
  const n = Math.sqrt(sq);
  if (n > 0) for (let i = 0; i < d.length; i++) d[i]! /= n;
  return d;
}

/**
 * A `rows x cols` window pattern (row-major, unit L2 norm): a bump of sign + on the first half and
 * a bump of sign - on the second, split across the rows (`alongRows`: top / bottom, torchattacks'
 * `eta(s)`) or across the columns (left / right, its transpose for a square window). A half of
 * zero size is empty (a one-row window split across rows is a single bump of sign -).
 */
export function splitPattern(rows: number, cols: number, alongRows: boolean): Float32Array {
  const out = new Float64Array(rows * cols);
  if (alongRows) {
    const top = Math.floor(rows / 2);
    const a = centredBump(top, cols);
    const b = centredBump(rows - top, cols);
    for (let i = 0; i < a.length; i++) out[i] = a[i]!;
    for (let i = 0; i < b.length; i++) out[a.length + i] = -b[i]!;
  } else {
    const left = Math.floor(cols / 2);
    const a = centredBump(rows, left);
    const b = centredBump(rows, cols - left);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < left; c++) out[r * cols + c] = a[r * left + c]!;
      for (let c = left; c < cols; c++) out[r * cols + c] = -b[r * (cols - left) + c - left]!;
    }
  }
  return Float32Array.from(normalised(out));
}

/** The tiles of the L2 start: their count, each pixel's tile, and both pattern canvases. */
export interface StartTiles {
  /** Number of tiles. */
  readonly tiles: number;
  /** For each pixel (row-major `h x w`), its tile, or `tiles` for pixels outside every tile. */
  readonly tileOf: Int32Array;
  /** Every tile holding `splitPattern(t, t, true)` (row-major `h x w`, 0 outside the tiles). */
  readonly alongRows: Float32Array;
  /** Every tile holding `splitPattern(t, t, false)`. */
  readonly alongColumns: Float32Array;
}

/**
 * The tile grid of the L2 start (torchattacks' `attack_single_run`, L2 branch): tiles of side
 * `t = max(floor(min(h, w) / 5), 1)`, starting at `max(floor((dim - 5t) / 2), 0)` along each axis,
 * every whole tile that fits (on 8x8 images: `t = 1`, pixels 1..7 of rows and columns 1..7, as in
 * torchattacks). Each tile later gets a random sign per row and channel and a random split.
 */
export function startTiles(g: SquareGeometry): StartTiles {
  const { height: h, width: w } = g;
  const t = Math.max(Math.floor(Math.min(h, w) / 5), 1);
  const starts = (dim: number): number[] => {
    const out: number[] = [];
    for (let v = Math.max(Math.floor((dim - 5 * t) / 2), 0); v + t <= dim; v += t) out.push(v);
    return out;
  };
  const rowStarts = starts(h);
  const colStarts = starts(w);
  const tiles = rowStarts.length * colStarts.length;
  const tileOf = new Int32Array(h * w).fill(tiles);
  const alongRows = new Float32Array(h * w);
  const alongColumns = new Float32Array(h * w);
  const pr = splitPattern(t, t, true);
  const pc = splitPattern(t, t, false);
  rowStarts.forEach((vh, i) => {
    colStarts.forEach((vw, j) => {
      for (let r = 0; r < t; r++) {
        for (let c = 0; c < t; c++) {
          const k = (vh + r) * w + vw + c;
          tileOf[k] = i * colStarts.length + j;
          alongRows[k] = pr[r * t + c]!;
          alongColumns[k] = pc[r * t + c]!;
        }
      }
    });
  });
  return { tiles, tileOf, alongRows, alongColumns };
}

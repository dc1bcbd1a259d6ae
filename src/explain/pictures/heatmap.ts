import { fmt, frame, type Margins } from '../../core/svg.js';
import { booleanValue, finiteNumber, invalid, optionsObject, positiveNumber } from '../../core/validate.js';
import { divergingColor } from './colorMap.js';
import { toGrid, type Grid, type GridInput } from './grid.js';

/** Options of {@link attributionHeatmapSvg}. */
export interface AttributionHeatmapOptions {
  /** Title above the map. Default `'Attributions'`. */
  readonly title?: string;
  /**
   * The explained input, drawn in grey under the map (same width and height as the
   * attributions), e.g. the digit whose pixels are attributed.
   */
  readonly image?: GridInput;
  /**
   * Values drawn black and white in the underlay, `[black, white]`; `[1, 0]` inverts a `[0, 1]`
   * image (dark ink on white). Default: the image's minimum and maximum, `[min, max]`.
   */
  readonly imageRange?: readonly [number, number];
  /**
   * Opacity of the colour map over the image (0..1). Default 0.5, the `alpha_overlay` of Captum's
   * `visualize_image_attr` blended heat map; without an image the map is opaque.
   */
  readonly overlayOpacity?: number;
  /** Side of one cell in pixels. Default: the map fits in about 320 pixels (at least 1 pixel a cell). */
  readonly cellSize?: number;
  /**
   * The attribution mapped to the darkest colours: `'symmetric'` (default) uses the largest
   * absolute attribution, so the darkest red is the largest positive or negative value's
   * magnitude and 0 is the neutral centre; a number > 0 fixes it (values beyond it take the end
   * colours), so several maps share one scale. An all-zero map with `'symmetric'` uses 1.
   */
  readonly scale?: 'symmetric' | number;
  /** Draw the colour bar with its numeric scale to the right of the map. Default true. */
  readonly legend?: boolean;
}

/** Legend geometry: colour steps, bar width, gap to the map, room for tick labels. */
const LEGEND = { steps: 64, barWidth: 14, gap: 20, labels: 62, minHeight: 120 } as const;

function px(v: number): string {
  return String(Number(v.toFixed(2)));
}

function extent(values: ArrayLike<number>): [number, number] {
  let [lo, hi] = [Infinity, -Infinity];
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

function cells(grid: Grid, cell: number, left: number, top: number, color: (v: number) => string): string {
  const out: string[] = [];
  for (let r = 0; r < grid.height; r++) {
    for (let c = 0; c < grid.width; c++) {
      const v = grid.values[r * grid.width + c] as number;
      out.push(`<rect x="${px(left + c * cell)}" y="${px(top + r * cell)}" width="${px(cell)}" height="${px(cell)}" fill="${color(v)}"/>`);
    }
  }
  return out.join('');
}

/** Grey of `v` on a ramp from `black` to `white` (either order: `white < black` inverts it; equal ends give mid-grey). */
function grey(v: number, black: number, white: number): string {
  const t = white !== black ? Math.max(0, Math.min(1, (v - black) / (white - black))) : 0.5;
  const g = Math.round(255 * t);
  return `rgb(${g},${g},${g})`;
}

/** The colour bar: `steps` bands from +bound (top) to −bound (bottom), outlined, with five labelled ticks. */
function colourBar(left: number, top: number, height: number, bound: number): string {
  const band = height / LEGEND.steps;
  const parts: string[] = [];
  for (let i = 0; i < LEGEND.steps; i++) {
    const value = bound * (1 - (2 * (i + 0.5)) / LEGEND.steps);
    parts.push(`<rect x="${px(left)}" y="${px(top + i * band)}" width="${LEGEND.barWidth}" height="${px(band + 0.5)}" fill="${divergingColor(value, bound)}"/>`);
  }
  parts.push(`<rect x="${px(left)}" y="${px(top)}" width="${LEGEND.barWidth}" height="${px(height)}" fill="none" stroke="#888"/>`);
  for (const v of [bound, bound / 2, 0, -bound / 2, -bound]) {
    const y = top + ((bound - v) / (2 * bound)) * height;
    const x = left + LEGEND.barWidth;
    parts.push(`<line x1="${px(x)}" y1="${px(y)}" x2="${px(x + 4)}" y2="${px(y)}" stroke="black"/><text x="${px(x + 7)}" y="${px(y + 4)}">${fmt(v)}</text>`);
  }
  return `<g class="legend">${parts.join('')}</g>`;
}

/**
 * Draws a 2-D attribution map as a standalone SVG heatmap: one cell per value, coloured with a
 * diverging map centred on 0 (Paul Tol's colour-blind-safe "BuRd": blue for negative, red for
 * positive, the neutral #F7F7F7 exactly at 0), optionally over the grey input image, with a
 * colour bar showing the numeric scale. The scale is symmetric (±the largest absolute value) so
 * that the colour of 0 never moves; pass a number as `scale` to give several maps one scale.
 *
 * The function is synchronous and pure (a string builder: no DOM, works in Node and browsers),
 * so it takes plain arrays: read a tensor first with {@link gridFromTensor}. Values must be
 * finite: a NaN or infinite attribution is refused (it has no colour) rather than drawn as 0.
 *
 * @param attributions - The map: `{ values, width, height }` (row-major, e.g. a Float32Array) or
 *   an array of rows.
 * @param options - `title`, `image`, `imageRange`, `overlayOpacity`, `cellSize`, `scale`, `legend`.
 * @returns The SVG text; write it to a `.svg` file, set it as `innerHTML`, or put it in
 *   {@link explanationsHtml}.
 * @throws {@link InvalidArgumentError} for an empty or ragged grid, non-finite values, an image of
 *   another size, or a bad option.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { attributionHeatmapSvg, gridFromTensor, integratedGradients } from 'responsible-tfjs/explain';
 * import { writeFileSync } from 'node:fs';
 * const model = await tf.loadLayersModel('file://models/digits/model.json');
 * const x = tf.tensor4d(pixels, [1, 8, 8, 1]);             // one 8x8 digit in [0, 1]
 * const { attributions } = await integratedGradients(model, x);
 * const svg = attributionHeatmapSvg(await gridFromTensor(attributions), {
 *   image: await gridFromTensor(x), title: 'Integrated gradients', cellSize: 24,
 * });
 * writeFileSync('ig.svg', svg);
 * // Plain arrays work too: a 2 x 3 map given row by row, on a fixed scale of ±1.
 * const small = attributionHeatmapSvg([[0.2, -0.5, 0], [1, 0.1, -0.9]], { scale: 1 });
 * ```
 */
export function attributionHeatmapSvg(attributions: GridInput, options?: AttributionHeatmapOptions): string {
  const fn = 'attributionHeatmapSvg';
  const opts = optionsObject(fn, 'options', options);
  const grid = toGrid(fn, 'attributions', attributions);
  const title = opts.title ?? 'Attributions';
  if (typeof title !== 'string') invalid(fn, 'options.title', title, 'a string');
  const legend = booleanValue(fn, 'options.legend', opts.legend ?? true);
  const scale = opts.scale ?? 'symmetric';
  let bound: number;
  if (scale === 'symmetric') {
    const [lo, hi] = extent(grid.values);
    bound = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  } else {
    bound = positiveNumber(fn, 'options.scale', scale);
  }
  const image = opts.image === undefined ? undefined : toGrid(fn, 'options.image', opts.image);
  if (image !== undefined && (image.width !== grid.width || image.height !== grid.height)) {
    invalid(fn, 'options.image', `a ${image.height} × ${image.width} image`, `an image of the attributions' size (${grid.height} × ${grid.width})`);
  }
  let range: [number, number] | undefined;
  if (image !== undefined) {
    if (opts.imageRange !== undefined) {
      const r = opts.imageRange as unknown;
      if (!Array.isArray(r) || r.length !== 2) invalid(fn, 'options.imageRange', r, '[black, white], two finite numbers');
      range = [finiteNumber(fn, 'options.imageRange[0]', r[0]), finiteNumber(fn, 'options.imageRange[1]', r[1])];
    } else {
      range = extent(image.values);
    }
  }
  const opacity = opts.overlayOpacity === undefined ? (image !== undefined ? 0.5 : 1) : finiteNumber(fn, 'options.overlayOpacity', opts.overlayOpacity);
  if (!(opacity >= 0 && opacity <= 1)) invalid(fn, 'options.overlayOpacity', opacity, 'a number in [0, 1]');
  const cell = opts.cellSize === undefined ? Math.max(1, Math.floor(320 / Math.max(grid.width, grid.height))) : positiveNumber(fn, 'options.cellSize', opts.cellSize);

  const M: Margins = { left: 16, right: legend ? LEGEND.gap + LEGEND.barWidth + LEGEND.labels : 16, top: 40, bottom: 16 };
  const [mapW, mapH] = [grid.width * cell, grid.height * cell];
  const legendH = Math.max(mapH, LEGEND.minHeight);
  const w = Math.ceil(Math.max(M.left + mapW + M.right, 8 * title.length + 32));
  const h = Math.ceil(M.top + (legend ? legendH : mapH) + M.bottom);
  const body: string[] = [];
  if (image !== undefined) {
    const [lo, hi] = range as [number, number];
    body.push(`<g class="image" shape-rendering="crispEdges">${cells(image, cell, M.left, M.top, (v) => grey(v, lo, hi))}</g>`);
  }
  const opacityAttr = opacity < 1 ? ` opacity="${opacity}"` : '';
  body.push(`<g class="cells" shape-rendering="crispEdges"${opacityAttr}>${cells(grid, cell, M.left, M.top, (v) => divergingColor(v, bound))}</g>`);
  const bar = legend ? colourBar(M.left + mapW + LEGEND.gap, M.top, legendH, bound) : '';
  return frame(M, { title }, w, h, body.join('\n'), bar);
}

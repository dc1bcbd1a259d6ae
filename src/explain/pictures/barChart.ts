import { esc, fmt, frame, niceDomain, niceTicks, type Margins } from '../../core/svg.js';
import { booleanValue, finiteArray, invalid, optionsObject, positiveInteger, positiveNumber, sameLength } from '../../core/validate.js';
import { NEGATIVE, POSITIVE } from './colorMap.js';

/** Options of {@link attributionBarChartSvg}. */
export interface AttributionBarChartOptions {
  /** Title above the chart. Default `'Attributions'`. */
  readonly title?: string;
  /** Label of the value axis. Default `'attribution'`. */
  readonly xLabel?: string;
  /** Order the bars by absolute value, largest first. Default true; false keeps the given order. */
  readonly sorted?: boolean;
  /** Draw at most this many features, those with the largest absolute values (the rest are counted in a note). Default: all. */
  readonly top?: number;
  /** Width in pixels. Default 640. */
  readonly width?: number;
}

/** Row geometry: bar height and the space between rows. */
const ROW = { height: 24, bar: 16 } as const;

/**
 * Draws tabular attributions as a standalone SVG chart of horizontal bars, one per feature,
 * labelled with the feature names and values, sorted by absolute value (largest first) by
 * default. Positive bars (pushing the explained output up) are red and negative ones blue, the
 * two ends of the heatmaps' colour-blind-safe diverging map (Paul Tol's "BuRd"), with a key.
 * Names are escaped, so any text (`<`, `&`, quotes) is safe. Values must be finite: a NaN is
 * refused rather than drawn as 0.
 *
 * @param values - One attribution per feature (e.g. one row of the attributions of an Adult
 *   example, or Shapley values over feature groups).
 * @param featureNames - The name of each feature, in the same order.
 * @param options - `title`, `xLabel`, `sorted`, `top`, `width`.
 * @returns The SVG text.
 * @throws {@link InvalidArgumentError} when `values` and `featureNames` differ in length, are
 *   empty, hold a non-finite value or a non-string name, or for a bad option.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { attributionBarChartSvg, shapleyValues } from 'responsible-tfjs/explain';
 * const model = await tf.loadLayersModel('/models/adult/model.json');
 * const person = tf.tensor2d([features], [1, features.length]);
 * const { attributions } = await shapleyValues(model, person, { target: [1] });
 * const svg = attributionBarChartSvg(await attributions.data(), featureNames,
 *   { title: 'Why the model predicts >50K', top: 8 });
 * document.querySelector('#why')!.innerHTML = svg;
 * tf.dispose([person, attributions]);
 * ```
 */
export function attributionBarChartSvg(values: ArrayLike<number>, featureNames: readonly string[], options?: AttributionBarChartOptions): string {
  const fn = 'attributionBarChartSvg';
  const opts = optionsObject(fn, 'options', options);
  if (!(Array.isArray(values) || ArrayBuffer.isView(values))) invalid(fn, 'values', values, 'an array or typed array of numbers');
  if (!Array.isArray(featureNames)) invalid(fn, 'featureNames', featureNames, 'an array of strings, one per value');
  if (values.length === 0) invalid(fn, 'values', 'an empty array', 'at least one value');
  sameLength(fn, 'featureNames', featureNames.length, values.length, 'values');
  for (let i = 0; i < values.length; i++) {
    if (typeof values[i] !== 'number') invalid(fn, `values[${i}]`, values[i], 'a number');
  }
  finiteArray(fn, 'values', values);
  featureNames.forEach((name, i) => {
    if (typeof name !== 'string') invalid(fn, `featureNames[${i}]`, name, 'a string');
  });
  const title = opts.title ?? 'Attributions';
  if (typeof title !== 'string') invalid(fn, 'options.title', title, 'a string');
  const xLabel = opts.xLabel ?? 'attribution';
  if (typeof xLabel !== 'string') invalid(fn, 'options.xLabel', xLabel, 'a string');
  const sorted = booleanValue(fn, 'options.sorted', opts.sorted ?? true);
  const top = opts.top === undefined ? values.length : positiveInteger(fn, 'options.top', opts.top);
  const w = opts.width === undefined ? 640 : positiveNumber(fn, 'options.width', opts.width);

  const byMagnitude = Array.from({ length: values.length }, (_, i) => i)
    .sort((a, b) => Math.abs(values[b] as number) - Math.abs(values[a] as number) || a - b);
  const kept = byMagnitude.slice(0, Math.min(top, values.length));
  const order = sorted ? kept : [...kept].sort((a, b) => a - b);
  const hidden = values.length - order.length;

  const longest = Math.max(...order.map((i) => (featureNames[i] as string).length));
  const M: Margins = { left: Math.min(280, Math.max(80, 16 + 7 * longest)), right: 64, top: 58, bottom: hidden > 0 ? 66 : 46 };
  const h = M.top + order.length * ROW.height + M.bottom;
  const shown = order.map((i) => values[i] as number);
  const [vMin, vMax] = [Math.min(0, ...shown), Math.max(0, ...shown)];
  // All zero: an axis from 0 to 1 (the bars have no length).
  const [lo, hi] = niceDomain(vMin, vMax > vMin ? vMax : 1, false, false);
  const plotRight = w - M.right;
  const x = (v: number): number => M.left + ((v - lo) / (hi - lo)) * (plotRight - M.left);
  const bottom = M.top + order.length * ROW.height;

  const parts: string[] = [];
  for (const t of niceTicks(lo, hi)) {
    parts.push(`<line x1="${x(t).toFixed(1)}" y1="${M.top}" x2="${x(t).toFixed(1)}" y2="${bottom}" stroke="#ddd"/>`);
    parts.push(`<text x="${x(t).toFixed(1)}" y="${bottom + 16}" text-anchor="middle">${fmt(t)}</text>`);
  }
  order.forEach((i, row) => {
    const v = values[i] as number;
    const name = featureNames[i] as string;
    const y = M.top + row * ROW.height + (ROW.height - ROW.bar) / 2;
    const [from, to] = [x(Math.min(0, v)), x(Math.max(0, v))];
    const color = v >= 0 ? POSITIVE : NEGATIVE;
    parts.push(`<text x="${M.left - 8}" y="${(y + ROW.bar / 2 + 4).toFixed(1)}" text-anchor="end">${esc(name)}</text>`);
    parts.push(`<rect class="bar" x="${from.toFixed(1)}" y="${y.toFixed(1)}" width="${(to - from).toFixed(1)}" height="${ROW.bar}" fill="${color}"><title>${esc(`${name}: ${fmt(v)}`)}</title></rect>`);
    const labelX = v >= 0 ? to + 4 : from - 4;
    parts.push(`<text x="${labelX.toFixed(1)}" y="${(y + ROW.bar / 2 + 4).toFixed(1)}" text-anchor="${v >= 0 ? 'start' : 'end'}" font-size="11">${fmt(v)}</text>`);
  });
  parts.push(`<line x1="${x(0).toFixed(1)}" y1="${M.top}" x2="${x(0).toFixed(1)}" y2="${bottom}" stroke="black"/>`);
  parts.push(`<line x1="${M.left}" y1="${bottom}" x2="${plotRight}" y2="${bottom}" stroke="black"/>`);
  if (hidden > 0) {
    parts.push(`<text class="note" x="${M.left}" y="${bottom + 34}" font-size="11" fill="#555">${hidden} more feature${hidden === 1 ? '' : 's'} with smaller absolute attributions not shown</text>`);
  }
  const key = [
    `<g class="legend">`,
    `<rect x="${M.left}" y="32" width="12" height="12" fill="${POSITIVE}"/><text x="${M.left + 16}" y="42">positive (raises the output)</text>`,
    `<rect x="${M.left + 200}" y="32" width="12" height="12" fill="${NEGATIVE}"/><text x="${M.left + 216}" y="42">negative (lowers it)</text>`,
    `</g>`,
  ].join('');
  return frame(M, { title, xLabel }, w, h, parts.join('\n'), key);
}

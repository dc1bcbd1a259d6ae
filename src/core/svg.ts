/**
 * A small dependency-free SVG chart writer for the few chart kinds the library and its examples
 * draw: lines against a numeric x axis and grouped bars. Output is a standalone SVG string that
 * opens in any browser; it works in Node and in the browser alike.
 */

/**
 * One line of a {@link lineChartSvg}.
 */
export interface LineSeries {
  readonly label: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
  /** CSS colour; a palette colour by default. */
  readonly color?: string;
  /** Draw dashed. */
  readonly dashed?: boolean;
}

/**
 * Options shared by {@link lineChartSvg} and {@link barChartSvg}.
 */
export interface ChartOptions {
  readonly title: string;
  readonly xLabel?: string;
  readonly yLabel?: string;
  /** Pixel size; 640 × 400 by default. */
  readonly width?: number;
  readonly height?: number;
  /** Fix the y range instead of fitting the data. */
  readonly yMin?: number;
  readonly yMax?: number;
  /** Log-scale x axis (all x must be > 0). */
  readonly xLog?: boolean;
  /** Fix the x range of a line chart instead of fitting the data (e.g. whole decades on a log axis). */
  readonly xMin?: number;
  readonly xMax?: number;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const BASE_MARGIN = { left: 64, right: 150, top: 40, bottom: 52 };
/** Plot margins in pixels (internal: shared with the explain pictures). */
export type Margins = typeof BASE_MARGIN;

/** Widens the right margin so that the longest legend label fits (about 7 px a character). */
function marginsFor(labels: readonly string[]): Margins {
  const longest = Math.max(0, ...labels.map((l) => l.length));
  return { ...BASE_MARGIN, right: Math.min(360, Math.max(BASE_MARGIN.right, 48 + 7 * longest)) };
}

/** Extends [lo, hi] outwards to the nearest round ticks so the axis ends on a labelled value. */
export function niceDomain(lo: number, hi: number, fixLo: boolean, fixHi: boolean): [number, number] {
  const ticks = niceTicks(lo, hi);
  const step = ticks.length > 1 ? ticks[1]! - ticks[0]! : 1;
  return [fixLo ? lo : Math.floor(lo / step + 1e-9) * step, fixHi ? hi : Math.ceil(hi / step - 1e-9) * step];
}

/** Escapes text for SVG/HTML content and attribute values (internal). */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A short label for a number: three significant digits, exponent form when very large or small (internal). */
export function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(1);
  return String(Number(v.toPrecision(3)));
}

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const ticks: number[] = [];
  // Integer multiples of the step, not a running sum: the tick at 0 is exactly 0, never 1.4e-17.
  for (let k = Math.ceil(lo / step); k * step <= hi + step * 1e-9; k++) ticks.push(Number((k * step).toPrecision(12)));
  return ticks;
}

/** The SVG document around a chart body: white background, bold title, axis labels (internal). */
export function frame(M: Margins, opts: ChartOptions, w: number, h: number, body: string, legend: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="12">`,
    `<rect width="${w}" height="${h}" fill="white"/>`,
    `<text x="${w / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(opts.title)}</text>`,
    opts.xLabel !== undefined ? `<text x="${M.left + (w - M.left - M.right) / 2}" y="${h - 10}" text-anchor="middle">${esc(opts.xLabel)}</text>` : '',
    opts.yLabel !== undefined ? `<text transform="translate(16 ${M.top + (h - M.top - M.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(opts.yLabel)}</text>` : '',
    body,
    legend,
    '</svg>',
  ].join('\n');
}

function legendBlock(M: Margins, items: { label: string; color: string; dashed?: boolean }[], w: number): string {
  return items
    .map((it, i) => {
      const y = M.top + 10 + i * 18;
      const x = w - M.right + 12;
      const dash = it.dashed === true ? ' stroke-dasharray="5 3"' : '';
      return `<line x1="${x}" y1="${y}" x2="${x + 20}" y2="${y}" stroke="${it.color}" stroke-width="3"${dash}/><text x="${x + 26}" y="${y + 4}">${esc(it.label)}</text>`;
    })
    .join('\n');
}

function axes(M: Margins, w: number, h: number, xTicks: { v: number; px: number; label: string }[], yTicks: { v: number; py: number }[]): string {
  const parts = [
    `<line x1="${M.left}" y1="${h - M.bottom}" x2="${w - M.right}" y2="${h - M.bottom}" stroke="black"/>`,
    `<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${h - M.bottom}" stroke="black"/>`,
  ];
  for (const t of xTicks) {
    parts.push(`<line x1="${t.px}" y1="${h - M.bottom}" x2="${t.px}" y2="${h - M.bottom + 5}" stroke="black"/>`);
    parts.push(`<text x="${t.px}" y="${h - M.bottom + 18}" text-anchor="middle">${esc(t.label)}</text>`);
  }
  for (const t of yTicks) {
    parts.push(`<line x1="${M.left}" y1="${t.py}" x2="${w - M.right}" y2="${t.py}" stroke="#ddd"/>`);
    parts.push(`<text x="${M.left - 6}" y="${t.py + 4}" text-anchor="end">${fmt(t.v)}</text>`);
  }
  return parts.join('\n');
}

/**
 * Renders line series as a standalone SVG document.
 *
 * @returns The SVG text; write it to a `.svg` file or set it as `innerHTML`.
 * @example
 * ```ts
 * import { lineChartSvg } from 'responsible-tfjs';
 * const svg = lineChartSvg([{ label: 'RDP', x: [1, 2, 3], y: [0.9, 1.4, 1.8] }],
 *   { title: 'Privacy spent', xLabel: 'epoch', yLabel: 'epsilon' });
 * ```
 */
export function lineChartSvg(series: readonly LineSeries[], opts: ChartOptions): string {
  const M = marginsFor(series.map((s) => s.label));
  const w = opts.width ?? Math.max(640, M.left + M.right + 360);
  const h = opts.height ?? 400;
  const xs = series.flatMap((s) => s.x as number[]);
  const ys = series.flatMap((s) => s.y as number[]).filter(Number.isFinite);
  const tx = (v: number): number => (opts.xLog === true ? Math.log10(v) : v);
  let x0 = opts.xMin !== undefined ? tx(opts.xMin) : Math.min(...xs.map(tx));
  let x1 = opts.xMax !== undefined ? tx(opts.xMax) : Math.max(...xs.map(tx));
  if (!(x1 > x0)) [x0, x1] = [x0 - 1, x0 + 1];
  let y0 = opts.yMin ?? Math.min(...ys);
  let y1 = opts.yMax ?? Math.max(...ys);
  if (!(y1 > y0)) [y0, y1] = [y0 - 1, y0 + 1];
  [y0, y1] = niceDomain(y0, y1, opts.yMin !== undefined, opts.yMax !== undefined);
  const px = (v: number): number => M.left + ((tx(v) - x0) / (x1 - x0)) * (w - M.left - M.right);
  const py = (v: number): number => h - M.bottom - ((v - y0) / (y1 - y0)) * (h - M.top - M.bottom);
  const xTickValues = opts.xLog === true ? niceTicks(x0, x1).filter(Number.isInteger).map((e) => 10 ** e) : niceTicks(x0, x1);
  const xTicks = xTickValues.map((v) => ({ v, px: px(v), label: fmt(v) }));
  const yTicks = niceTicks(y0, y1).map((v) => ({ v, py: py(v) }));
  const lines = series.map((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length]!;
    const pts = s.x.map((x, j) => [x, s.y[j]!] as const).filter(([, y]) => Number.isFinite(y));
    const d = pts.map(([x, y], j) => `${j === 0 ? 'M' : 'L'}${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
    const dash = s.dashed === true ? ' stroke-dasharray="6 4"' : '';
    const dots = pts.map(([x, y]) => `<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="2.5" fill="${color}"/>`).join('');
    return `<path d="${d}" fill="none" stroke="${color}" stroke-width="2"${dash}/>${dots}`;
  });
  const legend = legendBlock(M, series.map((s, i) => ({ label: s.label, color: s.color ?? PALETTE[i % PALETTE.length]!, dashed: s.dashed ?? false })), w);
  return frame(M, opts, w, h, axes(M, w, h, xTicks, yTicks) + '\n' + lines.join('\n'), legend);
}

/**
 * Data of a {@link barChartSvg}: one bar group per category, one bar per series.
 */
export interface BarChartData {
  readonly categories: readonly string[];
  readonly series: readonly { readonly label: string; readonly values: readonly number[]; readonly color?: string }[];
}

/**
 * Renders grouped vertical bars as a standalone SVG document (e.g. a metric per group, before
 * and after a mitigation).
 *
 * @example
 * ```ts
 * import { barChartSvg } from 'responsible-tfjs';
 * const svg = barChartSvg(
 *   { categories: ['Female', 'Male'], series: [{ label: 'selection rate', values: [0.08, 0.25] }] },
 *   { title: 'Selection rate by sex', yLabel: 'rate' });
 * ```
 */
export function barChartSvg(data: BarChartData, opts: ChartOptions): string {
  const M = marginsFor(data.series.map((s) => s.label));
  const w = opts.width ?? Math.max(640, M.left + M.right + 360);
  const h = opts.height ?? 400;
  const all = data.series.flatMap((s) => s.values as number[]).filter(Number.isFinite);
  let y0 = opts.yMin ?? Math.min(0, ...all);
  let y1 = opts.yMax ?? Math.max(0, ...all);
  if (!(y1 > y0)) y1 = y0 + 1;
  [y0, y1] = niceDomain(y0, y1, opts.yMin !== undefined, opts.yMax !== undefined);
  const plotW = w - M.left - M.right;
  const groupW = plotW / Math.max(1, data.categories.length);
  const barW = (groupW * 0.8) / Math.max(1, data.series.length);
  const py = (v: number): number => h - M.bottom - ((v - y0) / (y1 - y0)) * (h - M.top - M.bottom);
  const xTicks = data.categories.map((c, i) => ({ v: i, px: M.left + groupW * (i + 0.5), label: c }));
  const yTicks = niceTicks(y0, y1).map((v) => ({ v, py: py(v) }));
  const bars: string[] = [];
  data.series.forEach((s, si) => {
    const color = s.color ?? PALETTE[si % PALETTE.length]!;
    s.values.forEach((v, ci) => {
      if (!Number.isFinite(v)) return;
      const x = M.left + groupW * ci + groupW * 0.1 + barW * si;
      const top = Math.min(py(v), py(0));
      const height = Math.abs(py(v) - py(0));
      bars.push(`<rect x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${(barW * 0.95).toFixed(1)}" height="${height.toFixed(1)}" fill="${color}"><title>${esc(`${s.label} · ${data.categories[ci]}: ${fmt(v)}`)}</title></rect>`);
    });
  });
  const legend = legendBlock(M, data.series.map((s, i) => ({ label: s.label, color: s.color ?? PALETTE[i % PALETTE.length]! })), w);
  return frame(M, opts, w, h, axes(M, w, h, xTicks, yTicks) + '\n' + bars.join('\n'), legend);
}

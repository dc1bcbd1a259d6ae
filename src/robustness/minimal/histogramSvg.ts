import { esc, fmt, frame, niceDomain, niceTicks, type Margins } from '../../core/svg.js';
import { invalid, oneOf, optionsObject, positiveInteger, positiveNumber } from '../../core/validate.js';
import type { AttackNorm } from '../types.js';
import type { MinimalPerturbationSummary } from './summary.js';

/** Options of {@link minimalPerturbationSvg}. */
export interface MinimalPerturbationSvgOptions {
  /** Which norm to draw. Default `'l2'`. */
  readonly norm?: AttackNorm;
  /** Number of equal-width bins between 0 and the axis end (an integer from 1 to 200). Default 20. */
  readonly bins?: number;
  /** Chart title. Default "Minimal adversarial perturbations (L2)" (or L-inf). */
  readonly title?: string;
  /** x-axis label. Default "L2 norm of the perturbation" (or L-inf). */
  readonly xLabel?: string;
  /** Pixel width (> 0). Default 640. */
  readonly width?: number;
  /** Pixel height (> 0). Default 400. */
  readonly height?: number;
  /**
   * Prefix of the ids of the chart's `<title>` and `<desc>` (which `aria-labelledby` points to);
   * give each chart inlined in one page its own. Default `'minimal-perturbation'`.
   */
  readonly id?: string;
}

/** Okabe & Ito's colour-blind-safe palette: blue bars, vermillion median. */
const BAR_COLOUR = '#0072B2';
const MEDIAN_COLOUR = '#D55E00';
const MARGINS: Margins = { left: 64, right: 150, top: 40, bottom: 52 };

/** Counts of `values` in `bins` equal bins over [0, hi]; the last bin includes hi (internal). */
export function histogramCounts(values: readonly number[], bins: number, hi: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[Math.min(bins - 1, Math.max(0, Math.floor((v / hi) * bins)))]! += 1;
  return counts;
}

function checkSummary(fn: string, summary: unknown): MinimalPerturbationSummary {
  const s = summary as Partial<MinimalPerturbationSummary> | null;
  const ok = typeof s === 'object' && s !== null && Array.isArray(s.l2) && Array.isArray(s.linf) && s.l2.length === s.linf.length &&
    (s.success === null || (Array.isArray(s.success) && s.success.length === s.l2.length));
  if (!ok) invalid(fn, 'summary', summary, 'a summary returned by minimalPerturbation');
  return s as MinimalPerturbationSummary;
}

/**
 * Draws the distribution of minimal perturbation norms from a {@link minimalPerturbation} summary
 * as a histogram, a standalone SVG document: bars of the rows the summary's statistics cover (the
 * successful ones when success is known), the median as a dashed line, and an accessible
 * description (`role="img"`, `<title>`, and a `<desc>` giving the count, median and quartiles).
 * Colours are colour-blind safe (Okabe & Ito); the median is also told apart by its dash.
 *
 * @param summary - What {@link minimalPerturbation} returned.
 * @param options - The norm, bins, labels, size and id prefix.
 * @returns The SVG text: write it to a `.svg` file or set it as `innerHTML`.
 * @throws {@link InvalidArgumentError} for something other than a summary, an unknown norm, bins
 *   not an integer in [1, 200], or a size <= 0.
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { carliniWagnerL2, minimalPerturbation, minimalPerturbationSvg } from 'responsible-tfjs/robustness';
 * const xAdv = await carliniWagnerL2(model, x, y, { steps: 100 });
 * const summary = await minimalPerturbation(x, xAdv, { model, y });
 * writeFileSync('cw-l2.svg', minimalPerturbationSvg(summary, { norm: 'l2', bins: 15, title: 'C&W L2 on the digits MLP' }));
 * ```
 */
export function minimalPerturbationSvg(summary: MinimalPerturbationSummary, options?: MinimalPerturbationSvgOptions): string {
  const fn = 'minimalPerturbationSvg';
  const s = checkSummary(fn, summary);
  const opts = optionsObject(fn, 'options', options);
  const norm = oneOf(fn, 'options.norm', opts.norm ?? 'l2', ['l2', 'linf'] as const);
  const bins = positiveInteger(fn, 'options.bins', opts.bins ?? 20);
  if (bins > 200) invalid(fn, 'options.bins', bins, 'an integer from 1 to 200');
  const w = positiveNumber(fn, 'options.width', opts.width ?? 640);
  const h = positiveNumber(fn, 'options.height', opts.height ?? 400);
  const id = opts.id ?? 'minimal-perturbation';
  if (typeof id !== 'string' || !/^[A-Za-z][\w-]*$/.test(id)) invalid(fn, 'options.id', id, 'a letter followed by letters, digits, - or _');
  const normName = norm === 'l2' ? 'L2' : 'L-inf';
  const title = opts.title ?? `Minimal adversarial perturbations (${normName})`;
  const xLabel = opts.xLabel ?? `${normName} norm of the perturbation`;

  const all = norm === 'l2' ? s.l2 : s.linf;
  const values = all.filter((_, i) => s.success === null || s.success[i] === true);
  const rowsWord = s.success === null ? 'rows' : 'successful rows';
  const M = MARGINS;
  const plotW = w - M.left - M.right;
  const plotH = h - M.top - M.bottom;
  const [, hi] = niceDomain(0, Math.max(0, ...values) > 0 ? Math.max(...values) : 1, true, false);
  const counts = histogramCounts(values, bins, hi);
  const [, yHi] = niceDomain(0, Math.max(1, ...counts), true, false);
  const px = (v: number): number => M.left + (v / hi) * plotW;
  const py = (c: number): number => h - M.bottom - (c / yHi) * plotH;

  const body: string[] = [
    `<line x1="${M.left}" y1="${h - M.bottom}" x2="${w - M.right}" y2="${h - M.bottom}" stroke="black"/>`,
    `<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${h - M.bottom}" stroke="black"/>`,
  ];
  for (const t of niceTicks(0, hi)) {
    body.push(`<line x1="${px(t).toFixed(1)}" y1="${h - M.bottom}" x2="${px(t).toFixed(1)}" y2="${h - M.bottom + 5}" stroke="black"/>`);
    body.push(`<text x="${px(t).toFixed(1)}" y="${h - M.bottom + 18}" text-anchor="middle">${fmt(t)}</text>`);
  }
  for (const t of niceTicks(0, yHi).filter(Number.isInteger)) {
    body.push(`<line x1="${M.left}" y1="${py(t).toFixed(1)}" x2="${w - M.right}" y2="${py(t).toFixed(1)}" stroke="#ddd"/>`);
    body.push(`<text x="${M.left - 6}" y="${(py(t) + 4).toFixed(1)}" text-anchor="end">${fmt(t)}</text>`);
  }
  body.push(`<text transform="translate(16 ${M.top + plotH / 2}) rotate(-90)" text-anchor="middle">${esc(rowsWord)}</text>`);
  const bars = counts.map((c, b) => {
    const x0 = px((b * hi) / bins);
    const x1 = px(((b + 1) * hi) / bins);
    const range = `${fmt((b * hi) / bins)} to ${fmt(((b + 1) * hi) / bins)}`;
    return `<rect x="${x0.toFixed(1)}" y="${py(c).toFixed(1)}" width="${Math.max(0, x1 - x0 - 1).toFixed(1)}" height="${(py(0) - py(c)).toFixed(1)}" fill="${BAR_COLOUR}"><title>${esc(`${range}: ${c} ${rowsWord}`)}</title></rect>`;
  });
  body.push(`<g class="bars">${bars.join('')}</g>`);

  const stats = norm === 'l2' ? s.statistics?.l2 : s.statistics?.linf;
  let legend = '';
  let desc = `Histogram of the ${normName} norms of ${values.length} ${rowsWord} out of ${s.l2.length}: no row to draw.`;
  if (values.length > 0 && stats !== null && stats !== undefined) {
    const q = (p: number): string => fmt(stats.quantiles.find((e) => e.probability === p)?.value ?? Number.NaN);
    const quartiles = stats.quantiles.some((e) => e.probability === 0.25) && stats.quantiles.some((e) => e.probability === 0.75)
      ? `, quartiles ${q(0.25)} and ${q(0.75)}` : '';
    desc = `Histogram of the ${normName} norms of ${values.length} ${rowsWord} out of ${s.l2.length}, in ${bins} bins from 0 to ${fmt(hi)}: ` +
      `median ${fmt(stats.median)}${quartiles}, minimum ${fmt(stats.min)}, maximum ${fmt(stats.max)}.`;
    const mx = px(stats.median).toFixed(1);
    body.push(`<line class="median" x1="${mx}" y1="${M.top}" x2="${mx}" y2="${h - M.bottom}" stroke="${MEDIAN_COLOUR}" stroke-width="2" stroke-dasharray="6 4"/>`);
    const lx = w - M.right + 12;
    legend = [
      `<rect x="${lx}" y="${M.top + 4}" width="20" height="12" fill="${BAR_COLOUR}"/><text x="${lx + 26}" y="${M.top + 14}">${esc(rowsWord)}</text>`,
      `<line x1="${lx}" y1="${M.top + 32}" x2="${lx + 20}" y2="${M.top + 32}" stroke="${MEDIAN_COLOUR}" stroke-width="2" stroke-dasharray="6 4"/><text x="${lx + 26}" y="${M.top + 36}">median ${esc(fmt(stats.median))}</text>`,
    ].join('\n');
  } else {
    body.push(`<text x="${M.left + plotW / 2}" y="${M.top + plotH / 2}" text-anchor="middle">no ${esc(rowsWord)}</text>`);
  }
  const svg = frame(M, { title, xLabel }, w, h, body.join('\n'), legend);
  // Accessibility: the frame's opening tag gains role and label, followed by <title> and <desc>.
  const firstBreak = svg.indexOf('\n');
  const open = svg.slice(0, firstBreak).replace('<svg ', `<svg role="img" aria-labelledby="${id}-title ${id}-desc" `);
  return `${open}\n<title id="${id}-title">${esc(title)}</title>\n<desc id="${id}-desc">${esc(desc)}</desc>${svg.slice(firstBreak)}`;
}

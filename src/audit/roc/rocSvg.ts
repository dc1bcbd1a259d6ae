import { esc, fmt, frame, niceTicks, type Margins } from '../../core/svg.js';
import { booleanValue, invalid, numberInRange, optionsObject, positiveNumber } from '../../core/validate.js';
import { checkCurve } from './checkCurve.js';
import { rocCurveAuc } from './rocCurveAuc.js';
import { tprAtFpr } from './tprAtFpr.js';
import type { RocCurve } from './types.js';

/** One curve of a {@link rocSvg} plot (a {@link MembershipAttackEvaluation} fits). */
export interface RocSvgAttack {
  /** The legend's name for the attack. */
  readonly name: string;
  /** Its ROC curve ({@link rocCurve}). */
  readonly roc: RocCurve;
}

/** Options of {@link rocSvg}. */
export interface RocSvgOptions {
  /** Title above the plot. Default `'Membership inference ROC'`. */
  readonly title?: string;
  /**
   * Log-log axes (default true), the view of Carlini et al. 2022 that shows the low-FPR regime;
   * false draws the familiar linear ROC from 0 to 1.
   */
  readonly logScale?: boolean;
  /**
   * Smallest rate shown on log axes, in (0, 1). Default: the power of ten at or just above (by
   * at most 11%) the smallest non-zero rate of any curve, about 1/N for N examples of a class.
   */
  readonly minRate?: number;
  /** Pixel width, default 560. */
  readonly width?: number;
  /** Pixel height, default 520. */
  readonly height?: number;
}

// The library's chart palette (core/svg.ts), kept in step by hand.
const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const MARGINS: Margins = { left: 64, right: 24, top: 40, bottom: 52 };

/**
 * Draws ROC curves of membership-inference attacks as a standalone SVG document: one coloured
 * line per attack, the chance diagonal dashed, and a legend giving each attack's AUC and TPR at
 * 0.1% FPR. By default both axes are logarithmic, from about 1/N to 1 with decades labelled
 * 10^-3 etc., as Carlini et al. 2022 recommend: the linear ROC hides the low false-positive
 * regime where an attack is confident. A rate of 0 (the curve's start, and TPR before the first
 * member) has no place on a log axis: such points are drawn on the axis minimum, as are rates
 * below `options.minRate`.
 *
 * @param attacks - Curves to draw, each with a name (e.g. results of {@link evaluateMembershipAttack}).
 * @param options - {@link RocSvgOptions}.
 * @returns The SVG text; write it to a `.svg` file or set it as `innerHTML`.
 * @example
 * ```ts
 * import { evaluateMembershipAttack, rocSvg } from 'responsible-tfjs/audit';
 * const loss = evaluateMembershipAttack(lossScores, isMember, { name: 'loss' });
 * const lira = evaluateMembershipAttack(liraResult.scores, isMember, { name: 'LiRA online' });
 * const svg = rocSvg([loss, lira], { title: 'Membership inference on the target model' });
 * // Node: (await import('node:fs')).writeFileSync('roc.svg', svg);
 * ```
 */
export function rocSvg(attacks: readonly RocSvgAttack[], options?: RocSvgOptions): string {
  const fn = 'rocSvg';
  if (!Array.isArray(attacks) || attacks.length === 0) invalid(fn, 'attacks', attacks, 'a non-empty array of { name, roc }');
  attacks.forEach((a, i) => {
    if (typeof a !== 'object' || a === null || typeof a.name !== 'string') invalid(fn, `attacks[${i}].name`, a?.name, 'a string');
    checkCurve(fn, `attacks[${i}].roc`, a.roc);
  });
  const o = optionsObject(fn, 'options', options);
  const title = o.title ?? 'Membership inference ROC';
  if (typeof title !== 'string') invalid(fn, 'options.title', title, 'a string');
  const logScale = booleanValue(fn, 'options.logScale', o.logScale ?? true);
  const w = positiveNumber(fn, 'options.width', o.width ?? 560);
  const h = positiveNumber(fn, 'options.height', o.height ?? 520);
  const lo = o.minRate === undefined ? defaultMinRate(attacks) : numberInRange(fn, 'options.minRate', o.minRate, { min: 0, max: 1, minInclusive: false, maxInclusive: false });
  const M = MARGINS;
  const plotW = w - M.left - M.right;
  const plotH = h - M.top - M.bottom;
  // Position in [0, 1] along an axis; on log axes rates below `lo` (0 included) sit on the minimum.
  const unit = logScale ? (v: number) => (Math.log10(Math.max(v, lo)) - Math.log10(lo)) / -Math.log10(lo) : (v: number) => v;
  const px = (v: number): number => M.left + unit(v) * plotW;
  const py = (v: number): number => h - M.bottom - unit(v) * plotH;
  const body = [
    logScale ? logGrid(M, w, h, lo, px, py) : linearGrid(M, w, h, px, py),
    `<line x1="${px(logScale ? lo : 0)}" y1="${py(logScale ? lo : 0)}" x2="${px(1)}" y2="${py(1)}" stroke="#888" stroke-width="1.5" stroke-dasharray="6 4"/>`,
    ...attacks.map((a, i) => curvePath(a.roc, PALETTE[i % PALETTE.length]!, px, py)),
  ].join('\n');
  const scale = logScale ? ' (log scale)' : '';
  return frame(M, { title, xLabel: `False positive rate${scale}`, yLabel: `True positive rate${scale}` }, w, h, body, legend(attacks, M, w, h));
}

/** The decade at or below the smallest positive rate of any curve (at least 1e-9). */
function defaultMinRate(attacks: readonly RocSvgAttack[]): number {
  let smallest = 1;
  for (const a of attacks) {
    for (const rates of [a.roc.falsePositiveRate, a.roc.truePositiveRate]) {
      for (const v of rates) if (v > 0 && v < smallest) smallest = v;
    }
  }
  // A rate just under a decade (1/1005 members) rounds up to it rather than adding a near-empty decade.
  return Math.max(1e-9, Math.min(0.1, 10 ** Math.floor(Math.log10(smallest) + 0.05)));
}

/** One polyline through the curve's points, skipping points that land on the previous pixel. */
function curvePath(roc: RocCurve, color: string, px: (v: number) => number, py: (v: number) => number): string {
  const parts: string[] = [];
  let last = '';
  for (let i = 0; i < roc.falsePositiveRate.length; i++) {
    const point = `${px(roc.falsePositiveRate[i] as number).toFixed(1)},${py(roc.truePositiveRate[i] as number).toFixed(1)}`;
    if (point !== last) parts.push(`${parts.length === 0 ? 'M' : 'L'}${point}`);
    last = point;
  }
  return `<path d="${parts.join(' ')}" fill="none" stroke="${color}" stroke-width="2" stroke-linejoin="round"/>`;
}

/** Decade grid lines with labels 10^k on both axes, and unlabelled lines at 2..9 x 10^k. */
function logGrid(M: Margins, w: number, h: number, lo: number, px: (v: number) => number, py: (v: number) => number): string {
  const parts = axisLines(M, w, h);
  const first = Math.ceil(Math.log10(lo) - 1e-9);
  for (let k = first; k <= 0; k++) {
    const v = 10 ** k;
    const label = k === 0 ? '1' : `10<tspan dy="-6" font-size="9">${k < 0 ? '\u2212' : ''}${Math.abs(k)}</tspan>`;
    parts.push(gridLine(px(v), py(v), M, w, h, '#ccc'));
    parts.push(`<text x="${px(v)}" y="${h - M.bottom + 20}" text-anchor="middle">${label}</text>`);
    parts.push(`<text x="${M.left - 8}" y="${py(v) + 4}" text-anchor="end">${label}</text>`);
    if (k < 0) for (let m = 2; m <= 9; m++) parts.push(gridLine(px(m * v), py(m * v), M, w, h, '#eee'));
  }
  return parts.join('\n');
}

function linearGrid(M: Margins, w: number, h: number, px: (v: number) => number, py: (v: number) => number): string {
  const parts = axisLines(M, w, h);
  for (const v of niceTicks(0, 1)) {
    parts.push(gridLine(px(v), py(v), M, w, h, '#ddd'));
    parts.push(`<text x="${px(v)}" y="${h - M.bottom + 18}" text-anchor="middle">${fmt(v)}</text>`);
    parts.push(`<text x="${M.left - 6}" y="${py(v) + 4}" text-anchor="end">${fmt(v)}</text>`);
  }
  return parts.join('\n');
}

function axisLines(M: Margins, w: number, h: number): string[] {
  return [
    `<rect x="${M.left}" y="${M.top}" width="${w - M.left - M.right}" height="${h - M.top - M.bottom}" fill="none" stroke="black"/>`,
  ];
}

/** A vertical grid line at x and a horizontal one at y, across the plot. */
function gridLine(x: number, y: number, M: Margins, w: number, h: number, color: string): string {
  return `<line x1="${x}" y1="${M.top}" x2="${x}" y2="${h - M.bottom}" stroke="${color}"/>` +
    `<line x1="${M.left}" y1="${y}" x2="${w - M.right}" y2="${y}" stroke="${color}"/>`;
}

/** Legend in the plot's lower right, where ROC curves of useful attacks never pass. */
function legend(attacks: readonly RocSvgAttack[], M: Margins, w: number, h: number): string {
  const labels = attacks.map((a) => `${a.name}: AUC ${rocCurveAuc(a.roc).toFixed(3)}, TPR@0.1%FPR ${percent(tprAtFpr(a.roc, 1e-3))}`);
  const boxW = Math.min(w - M.left - M.right - 16, 36 + 6.6 * Math.max(...labels.map((l) => l.length)));
  const boxH = 10 + 18 * (labels.length + 1);
  const x0 = w - M.right - 8 - boxW;
  const y0 = h - M.bottom - 8 - boxH;
  const rows = labels.map((label, i) => {
    const y = y0 + 16 + i * 18;
    return `<line x1="${x0 + 8}" y1="${y}" x2="${x0 + 28}" y2="${y}" stroke="${PALETTE[i % PALETTE.length]}" stroke-width="3"/>` +
      `<text x="${x0 + 34}" y="${y + 4}">${esc(label)}</text>`;
  });
  const yc = y0 + 16 + labels.length * 18;
  rows.push(`<line x1="${x0 + 8}" y1="${yc}" x2="${x0 + 28}" y2="${yc}" stroke="#888" stroke-width="1.5" stroke-dasharray="6 4"/>` +
    `<text x="${x0 + 34}" y="${yc + 4}">chance</text>`);
  return `<rect x="${x0}" y="${y0}" width="${boxW}" height="${boxH}" fill="white" fill-opacity="0.9" stroke="#999"/>\n${rows.join('\n')}`;
}

/** A rate as a percentage with about three significant digits. */
function percent(rate: number): string {
  return `${fmt(rate * 100)}%`;
}

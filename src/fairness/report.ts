/**
 * Reports people read: a metric frame as an aligned text table and as an SVG grouped bar chart.
 */
import { barChartSvg } from '../core/svg.js';
import { invalid, optionsObject, positiveInteger } from '../core/validate.js';
import type { MetricFrame } from './metricFrame.js';

/**
 * Options of {@link metricFrameTable}.
 */
export interface FrameTableOptions {
  /** Significant decimals of non-integer values (4 by default). */
  readonly digits?: number;
  /** Add rows for overall, min, max, difference and ratio (true by default). */
  readonly aggregates?: boolean;
}

function cell(v: number, digits: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (Number.isInteger(v)) return String(v);
  return v.toFixed(digits);
}

/**
 * Renders a frame as an aligned text table: one row per group, one column per metric, then
 * (optionally) overall, group min/max, difference and ratio between groups.
 *
 * @returns Plain text (lines joined with `\n`).
 * @example
 * ```ts
 * import { metricFrame, metricFrameTable, selectionRate } from 'responsible-tfjs/fairness';
 * const f = metricFrame({ metrics: { selectionRate }, yTrue: [1, 0], yPred: [1, 0], sensitiveFeatures: ['a', 'b'] });
 * console.log(metricFrameTable(f));
 * ```
 */
export function metricFrameTable(frame: MetricFrame, options: FrameTableOptions = {}): string {
  const o = optionsObject('metricFrameTable', 'options', options);
  const digits = o.digits === undefined ? 4 : positiveInteger('metricFrameTable', 'options.digits', o.digits);
  const header = [frame.sensitiveFeatureNames.join(' × '), ...frame.metricNames];
  const rows: string[][] = frame.groups.map((g) => [g.key, ...frame.metricNames.map((m) => cell(frame.byGroup[g.key]![m]!, digits))]);
  const sep = rows.length;
  if (o.aggregates !== false) {
    const add = (label: string, rec: Record<string, number>): void => {
      rows.push([label, ...frame.metricNames.map((m) => cell(rec[m]!, digits))]);
    };
    add('overall', { ...frame.overall });
    add('group min', frame.groupMin());
    add('group max', frame.groupMax());
    add('difference', frame.difference());
    add('ratio', frame.ratio());
  }
  const all = [header, ...rows];
  const widths = header.map((_, j) => Math.max(...all.map((r) => r[j]!.length)));
  const line = (r: string[]): string => r.map((c, j) => (j === 0 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const out = [line(header), rule, ...rows.slice(0, sep).map(line)];
  if (sep < rows.length) out.push(rule, ...rows.slice(sep).map(line));
  return out.join('\n');
}

/**
 * Options of {@link metricFrameSvg}.
 */
export interface FrameSvgOptions {
  /** Chart title. */
  readonly title: string;
  /** Metrics to draw (all by default); one bar colour per metric. */
  readonly metrics?: readonly string[];
  /** Y axis label ('value' by default). */
  readonly yLabel?: string;
  /** Fix the top of the y axis (e.g. 1 for rates). */
  readonly yMax?: number;
  /** Pixel width (640 by default). */
  readonly width?: number;
  /** Pixel height (400 by default). */
  readonly height?: number;
}

/**
 * Renders a frame as an SVG grouped bar chart: one bar group per sensitive group, one bar per
 * metric (NaN groups are left empty).
 *
 * @returns A standalone SVG document.
 * @example
 * ```ts
 * import { metricFrameSvg } from 'responsible-tfjs/fairness';
 * const svg = metricFrameSvg(frame, { title: 'Selection rate and TPR by sex', metrics: ['selectionRate', 'tpr'], yMax: 1 });
 * ```
 */
export function metricFrameSvg(frame: MetricFrame, options: FrameSvgOptions): string {
  const o = optionsObject('metricFrameSvg', 'options', options);
  const metrics = o.metrics ?? frame.metricNames;
  for (const m of metrics) if (!frame.metricNames.includes(m)) invalid('metricFrameSvg', 'options.metrics', m, `one of the frame's metrics (${frame.metricNames.join(', ')})`);
  return barChartSvg(
    {
      categories: frame.groups.map((g) => g.key),
      series: metrics.map((m) => ({ label: m, values: frame.groups.map((g) => frame.byGroup[g.key]![m]!) })),
    },
    {
      title: o.title,
      xLabel: frame.sensitiveFeatureNames.join(' × '),
      yLabel: o.yLabel ?? 'value',
      ...(o.yMax !== undefined ? { yMax: o.yMax } : {}),
      ...(o.width !== undefined ? { width: o.width } : {}),
      ...(o.height !== undefined ? { height: o.height } : {}),
    },
  );
}

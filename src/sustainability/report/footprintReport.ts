import { barChartSvg, esc, lineChartSvg } from '../../core/svg.js';
import { invalid, numberInRange, optionsObject } from '../../core/validate.js';
import { carbonFromEnergy, type GridIntensityOption } from '../energy/carbonFromEnergy.js';
import type { EnergyEstimate } from '../energy/measureEnergy.js';
import type { InferenceMeasurement } from '../measure/types.js';
import type { OperationCounts } from '../operations/types.js';

/** One model variant of a {@link footprintReport}: what was measured of it (every field but `name` optional). */
export interface FootprintVariant {
  /** e.g. `'baseline'`, `'pruned 80 %'`, `'int8'`, `'distilled'`. */
  readonly name: string;
  /** Test accuracy in [0, 1]. */
  readonly accuracy?: number;
  /** Its {@link countOperations} report (MACs and sparse MACs are divided by its batch size). */
  readonly operations?: OperationCounts;
  /** Stored size in bytes (e.g. the weights' bytes, or a quantized model's serialized size). */
  readonly sizeBytes?: number;
  /** Its {@link measureInference} result (latency per example = median / batch size). */
  readonly latency?: InferenceMeasurement;
  /** Energy measured over `inferences` examples ({@link measureEnergy} around that many inferences). */
  readonly energy?: { readonly estimate: EnergyEstimate; readonly inferences: number };
}

/** One row of a {@link FootprintReport}: per-example figures, `undefined` where not measured. */
export interface FootprintRow {
  readonly name: string;
  readonly accuracy: number | undefined;
  readonly parameters: number | undefined;
  /** Multiply-accumulates per example (dense: what tfjs runs). */
  readonly macsPerExample: number | undefined;
  /** MACs per example with a non-zero weight (what a sparse kernel could run). */
  readonly sparseMacsPerExample: number | undefined;
  readonly sizeBytes: number | undefined;
  /** Median latency per example, milliseconds, on `backend`. */
  readonly msPerExample: number | undefined;
  readonly backend: string | undefined;
  /** Energy per 1,000 inferences, joules, and how it was obtained. */
  readonly joulesPer1000: number | undefined;
  readonly energyMethod: string | undefined;
  /** Grams CO2e per 1,000 inferences (when a grid intensity was given). */
  readonly gramsCo2ePer1000: number | undefined;
}

/** Options of {@link footprintReport}. */
export interface FootprintReportOptions {
  /** Heading of the HTML page (default `'Model footprint'`). */
  readonly title?: string;
  /** Grid carbon intensity to turn energy into emissions (a region code or `{ gramsPerKwh, source }`). */
  readonly grid?: GridIntensityOption;
}

/** Result of {@link footprintReport}. */
export interface FootprintReport {
  readonly rows: readonly FootprintRow[];
  /** An aligned text table of the rows. */
  readonly table: string;
  /** A standalone HTML page with the table, the figures and the energy methods. */
  readonly html: string;
  /** SVG figures, for the metrics at least one variant has. */
  readonly charts: {
    readonly accuracyVsMacs?: string;
    readonly macs?: string;
    readonly size?: string;
    readonly latency?: string;
    readonly energy?: string;
  };
}

/**
 * Puts model variants side by side: accuracy, parameters, MACs (dense and sparse), size, measured
 * latency and estimated energy (and emissions) per 1,000 inferences, as a table, an HTML page and
 * SVG charts, including accuracy against MACs. Each energy figure keeps its method and uncertainty
 * (RAPL, device power or the TDP model) in the page; nothing is extrapolated beyond what was given.
 *
 * @param variants - The variants (at least one), each with what was measured of it.
 * @param options - {@link FootprintReportOptions}.
 * @returns The rows, a text table, an HTML page and the charts.
 * @example
 * ```ts
 * import { countOperations, footprintReport, measureInference } from 'responsible-tfjs/sustainability';
 * const report = footprintReport([
 *   { name: 'teacher', accuracy: 0.97, operations: await countOperations(teacher), latency: await measureInference(teacher, xBatch) },
 *   { name: 'student', accuracy: 0.95, operations: await countOperations(student), latency: await measureInference(student, xBatch) },
 * ]);
 * console.log(report.table);
 * ```
 */
export function footprintReport(variants: readonly FootprintVariant[], options: FootprintReportOptions = {}): FootprintReport {
  const fn = 'footprintReport';
  if (!Array.isArray(variants) || variants.length === 0) invalid(fn, 'variants', variants, 'a non-empty array of { name, ... }');
  const o = optionsObject(fn, 'options', options);
  const rows = variants.map((v, i) => rowOf(fn, v, i, o.grid));
  const names = rows.map((r) => r.name);
  const bar = (values: (number | undefined)[], title: string, yLabel: string, label: string): string | undefined =>
    values.some((x) => x !== undefined)
      ? barChartSvg({ categories: names, series: [{ label, values: values.map((x) => x ?? Number.NaN) }] }, { title, yLabel, width: Math.max(640, 320 + 120 * names.length) })
      : undefined;
  const plotted = rows.filter((r) => r.accuracy !== undefined && r.macsPerExample !== undefined && r.macsPerExample > 0);
  // Whole decades around the points, so that no point sits on the frame and the axis has labels.
  const decades = plotted.map((r) => Math.log10(r.macsPerExample!));
  const charts = {
    accuracyVsMacs: plotted.length > 0
      ? lineChartSvg(plotted.map((r) => ({ label: r.name, x: [r.macsPerExample!], y: [r.accuracy!] })), {
        title: 'Accuracy against MACs per example', xLabel: 'MACs per example (log scale)', yLabel: 'accuracy', xLog: true,
        xMin: 10 ** (Math.floor(Math.min(...decades) - 0.25)), xMax: 10 ** (Math.ceil(Math.max(...decades) + 0.25)),
      })
      : undefined,
    macs: bar(rows.map((r) => r.macsPerExample), 'MACs per example', 'MACs', 'dense MACs'),
    size: bar(rows.map((r) => r.sizeBytes), 'Stored size', 'bytes', 'size'),
    latency: bar(rows.map((r) => r.msPerExample), `Median latency per example${backendNote(rows)}`, 'ms', 'latency'),
    energy: bar(rows.map((r) => r.joulesPer1000), 'Estimated energy per 1,000 inferences', 'joules', 'energy'),
  };
  const header = ['variant', 'accuracy', 'parameters', 'MACs/example', 'sparse MACs/example', 'size (bytes)', 'ms/example', 'J per 1,000', 'g CO2e per 1,000', 'energy method'];
  const cells = rows.map((r) => [
    r.name, num(r.accuracy, 4), num(r.parameters), num(r.macsPerExample), num(r.sparseMacsPerExample), num(r.sizeBytes),
    num(r.msPerExample, 4), num(r.joulesPer1000, 3), num(r.gramsCo2ePer1000, 4), r.energyMethod ?? '',
  ]);
  const widths = header.map((h, j) => Math.max(h.length, ...cells.map((c) => c[j]!.length)));
  const line = (c: readonly string[]): string => c.map((x, j) => x.padStart(widths[j]!)).join('  ');
  const table = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
  const methods = variants
    .filter((v) => v.energy !== undefined)
    .map((v) => `<li><b>${esc(v.name)}</b>: ${esc(v.energy!.estimate.method)}; ${esc(v.energy!.estimate.uncertainty)}</li>`);
  const title = o.title ?? 'Model footprint';
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child,th:first-child{text-align:left}</style>
</head><body>
<h1>${esc(title)}</h1>
<table><thead><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>
${cells.map((c) => `<tr>${c.map((x) => `<td>${esc(x)}</td>`).join('')}</tr>`).join('\n')}
</tbody></table>
${methods.length > 0 ? `<h2>How the energy was obtained</h2><ul>${methods.join('')}</ul>` : ''}
${Object.values(charts).filter((c): c is string => c !== undefined).join('\n')}
</body></html>
`;
  return { rows, table, html, charts: Object.fromEntries(Object.entries(charts).filter(([, c]) => c !== undefined)) };
}

function rowOf(fn: string, v: FootprintVariant, i: number, grid: GridIntensityOption | undefined): FootprintRow {
  const at = `variants[${i}]`;
  if (typeof v !== 'object' || v === null || typeof v.name !== 'string' || v.name === '') invalid(fn, at, v, 'an object with a non-empty string name');
  if (v.accuracy !== undefined) numberInRange(fn, `${at}.accuracy`, v.accuracy, { min: 0, max: 1 });
  if (v.sizeBytes !== undefined) numberInRange(fn, `${at}.sizeBytes`, v.sizeBytes, { min: 0, max: Number.MAX_VALUE });
  const ops = v.operations;
  if (ops !== undefined && (typeof ops !== 'object' || ops === null || typeof ops.total?.macs !== 'number' || !(ops.batchSize >= 1))) {
    invalid(fn, `${at}.operations`, ops, 'a countOperations report');
  }
  const lat = v.latency;
  if (lat !== undefined && (typeof lat !== 'object' || lat === null || typeof lat.latencyMs?.median !== 'number' || !(lat.batchSize >= 1))) {
    invalid(fn, `${at}.latency`, lat, 'a measureInference result');
  }
  const energy = v.energy;
  if (energy !== undefined) {
    if (typeof energy !== 'object' || energy === null || typeof energy.estimate?.joules !== 'number' || !(energy.estimate.joules >= 0)) {
      invalid(fn, `${at}.energy`, energy, '{ estimate: a measureEnergy result, inferences: number }');
    }
    if (!Number.isInteger(energy.inferences) || energy.inferences < 1) invalid(fn, `${at}.energy.inferences`, energy.inferences, 'a positive integer (the inferences the energy was measured over)');
  }
  const joulesPer1000 = energy === undefined ? undefined : (energy.estimate.joules / energy.inferences) * 1000;
  return {
    name: v.name,
    accuracy: v.accuracy,
    parameters: ops?.total.parameters,
    macsPerExample: ops === undefined ? undefined : ops.total.macs / ops.batchSize,
    sparseMacsPerExample: ops === undefined || ops.total.sparseMacs === null ? undefined : ops.total.sparseMacs / ops.batchSize,
    sizeBytes: v.sizeBytes,
    msPerExample: lat === undefined ? undefined : lat.latencyMs.median / lat.batchSize,
    backend: lat?.backend,
    joulesPer1000,
    energyMethod: energy?.estimate.method,
    gramsCo2ePer1000: joulesPer1000 === undefined || grid === undefined ? undefined : carbonFromEnergy(joulesPer1000, grid).grams,
  };
}

function backendNote(rows: readonly FootprintRow[]): string {
  const backends = [...new Set(rows.map((r) => r.backend).filter((b): b is string => b !== undefined))];
  return backends.length > 0 ? ` (${backends.join(', ')})` : '';
}

function num(v: number | undefined, digits?: number): string {
  if (v === undefined) return '';
  if (digits === undefined) return Number.isInteger(v) ? String(v) : v.toFixed(1);
  return Math.abs(v) !== 0 && Math.abs(v) < 10 ** -digits ? v.toExponential(2) : v.toFixed(digits);
}

/**
 * Bootstrap confidence intervals for a metric frame (as Fairlearn's `MetricFrame(n_boot=...)`,
 * `*_ci` results): resample the rows with replacement, rebuild the frame, take quantiles.
 */
import { resolveRng, statisticalRng, type Rng } from '../core/rng.js';
import { invalid, optionsObject, positiveInteger } from '../core/validate.js';
import { metricFrame, type MetricFrame, type MetricFrameOptions } from './metricFrame.js';
import { isColumn, type SensitiveColumn } from './inputs.js';

/**
 * Options of {@link bootstrapMetricFrame}: a frame's options plus the resampling settings.
 */
export interface BootstrapOptions extends MetricFrameOptions {
  /** Resamples (100 by default). */
  readonly numBootstrap?: number;
  /** Quantiles to report, each in [0, 1] ([0.025, 0.975] by default: a 95% interval). */
  readonly quantiles?: readonly number[];
  /** Source of the resampling (default `Math.random`, as for all statistical randomness; `seededRng(seed)` to reproduce). */
  readonly rng?: Rng;
}

/**
 * Quantiles of one value over the resamples, in the order of `quantiles`.
 */
export type BootstrapQuantiles = Record<string, number[]>;

/**
 * Result of {@link bootstrapMetricFrame}.
 */
export interface BootstrapResult {
  /** The frame on the original rows. */
  readonly frame: MetricFrame;
  /** The quantile levels. */
  readonly quantiles: readonly number[];
  /** Quantiles of each overall value. */
  readonly overall: BootstrapQuantiles;
  /** Quantiles of each group's values, keyed by group key. */
  readonly byGroup: Record<string, BootstrapQuantiles>;
  /** Quantiles of `difference({ method: 'between_groups' })`. */
  readonly difference: BootstrapQuantiles;
  /** Quantiles of `ratio({ method: 'between_groups' })`. */
  readonly ratio: BootstrapQuantiles;
}

/** numpy's default (linear) quantile of sorted values. */
function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * Bootstrap intervals for every value of a metric frame: `numBootstrap` resamples of the rows
 * (with replacement, same size), each turned into a frame on the original groups; a group missing
 * from a resample contributes NaN, and NaN resamples are left out of the quantiles (linear
 * interpolation, numpy's default).
 *
 * @returns The original frame and quantiles of its overall, per-group, difference and ratio values.
 * @throws InvalidArgumentError for invalid frame options, a bad count or quantile levels outside [0, 1].
 * @example
 * ```ts
 * import { seededRng } from 'responsible-tfjs';
 * import { bootstrapMetricFrame, selectionRate } from 'responsible-tfjs/fairness';
 * const ci = bootstrapMetricFrame({ metrics: { selectionRate }, yTrue, yPred, sensitiveFeatures: sex, numBootstrap: 200, rng: seededRng(1) });
 * console.log(ci.difference.selectionRate); // 95% interval of the demographic parity difference
 * ```
 */
export function bootstrapMetricFrame(options: BootstrapOptions): BootstrapResult {
  const fn = 'bootstrapMetricFrame';
  const o = optionsObject(fn, 'options', options);
  const numBootstrap = o.numBootstrap === undefined ? 100 : positiveInteger(fn, 'options.numBootstrap', o.numBootstrap);
  const quantiles = o.quantiles ?? [0.025, 0.975];
  if (!Array.isArray(quantiles) || quantiles.length === 0) invalid(fn, 'options.quantiles', quantiles, 'a non-empty array of numbers in [0, 1]');
  quantiles.forEach((q, i) => {
    if (!(typeof q === 'number' && q >= 0 && q <= 1)) invalid(fn, `options.quantiles[${i}]`, q, 'a number in [0, 1]');
  });
  const rng = resolveRng(fn, o.rng, statisticalRng);
  const frame = metricFrame(o);
  const n = o.yTrue.length;
  const sf = o.sensitiveFeatures;
  const columns: [string | undefined, SensitiveColumn][] = isColumn(sf) ? [[undefined, sf]] : Object.entries(sf);
  const samples: MetricFrame[] = [];
  const idx = new Int32Array(n);
  for (let b = 0; b < numBootstrap; b++) {
    for (let i = 0; i < n; i++) idx[i] = Math.floor(rng.next() * n);
    const pick = <T>(a: ArrayLike<T>): T[] => Array.from(idx, (i) => a[i]!);
    const resampledSf = columns[0]![0] === undefined ? pick(columns[0]![1]) : Object.fromEntries(columns.map(([name, col]) => [name!, pick(col)]));
    samples.push(
      metricFrame({
        metrics: o.metrics,
        yTrue: pick(o.yTrue),
        yPred: pick(o.yPred),
        sensitiveFeatures: resampledSf as MetricFrameOptions['sensitiveFeatures'],
        ...(o.sampleWeight !== undefined ? { sampleWeight: pick(o.sampleWeight) } : {}),
      }),
    );
  }
  const summarize = (values: (s: MetricFrame) => Record<string, number> | undefined): BootstrapQuantiles =>
    Object.fromEntries(
      frame.metricNames.map((m) => {
        const v = samples.map((s) => values(s)?.[m] ?? Number.NaN).filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
        return [m, quantiles.map((q) => quantile(v, q))];
      }),
    );
  return {
    frame,
    quantiles: [...quantiles],
    overall: summarize((s) => s.overall as Record<string, number>),
    byGroup: Object.fromEntries(frame.groups.map((g) => [g.key, summarize((s) => s.byGroup[g.key] as Record<string, number> | undefined)])),
    difference: summarize((s) => s.difference()),
    ratio: summarize((s) => s.ratio()),
  };
}

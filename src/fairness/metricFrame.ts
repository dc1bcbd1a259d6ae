/**
 * `metricFrame`: Fairlearn's MetricFrame over plain arrays: metrics overall and per group, with
 * group minimum and maximum, differences and ratios.
 */
import { invalid, oneOf, optionsObject } from '../core/validate.js';
import { differenceOf, nanMax, nanMin, ratioOf, type DisparityMethod } from './aggregates.js';
import { countsOf } from './counts.js';
import { CountsEngine } from './engine.js';
import type { GroupInfo } from './groups.js';
import type { NumberArray, SensitiveFeatures } from './inputs.js';
import { isCountsMetric, type MetricFunction } from './metrics.js';

/**
 * Metrics for a frame: one function, or named functions (the names become the frame's keys).
 */
export type Metrics = MetricFunction | Readonly<Record<string, MetricFunction>>;

/**
 * Options of {@link metricFrame}.
 */
export interface MetricFrameOptions {
  /** Metrics to compute. Built-in metrics use the shared counts; other functions get each group's rows. */
  readonly metrics: Metrics;
  /** Labels (0/1 for the built-in metrics). */
  readonly yTrue: NumberArray;
  /** Predictions (0/1 for the built-in metrics; user metrics may receive scores). */
  readonly yPred: NumberArray;
  /** One column of group labels, or named columns forming intersectional groups. */
  readonly sensitiveFeatures: SensitiveFeatures;
  /** Optional non-negative weights, passed to every metric except `count`. */
  readonly sampleWeight?: NumberArray;
}

/**
 * Options of {@link MetricFrame.difference} and {@link MetricFrame.ratio}.
 */
export interface AggregateOptions {
  /** `'between_groups'` (default) or `'to_overall'`. */
  readonly method?: DisparityMethod;
}

/**
 * A metric frame: plain numbers keyed by metric name (and by group key for `byGroup`), plus
 * Fairlearn's aggregations. Groups that never occur (an unobserved combination of several
 * features) are NaN for every metric, including `count`, and are skipped by the aggregations.
 *
 * @example
 * ```ts
 * import { metricFrame, selectionRate } from 'responsible-tfjs/fairness';
 * const f = metricFrame({ metrics: { selectionRate }, yTrue: [1, 0, 1, 0], yPred: [1, 1, 0, 0], sensitiveFeatures: ['a', 'a', 'b', 'b'] });
 * f.byGroup.a!.selectionRate; // 1
 * f.difference().selectionRate; // 1
 * ```
 */
export interface MetricFrame {
  /** Metric names, in the order given. */
  readonly metricNames: readonly string[];
  /** Sensitive feature names (`sensitive_feature_0` for a single unnamed column). */
  readonly sensitiveFeatureNames: readonly string[];
  /** Groups in Fairlearn's order: the product of each feature's sorted values. */
  readonly groups: readonly GroupInfo[];
  /** Each metric on all rows. */
  readonly overall: Readonly<Record<string, number>>;
  /** Each metric per group, keyed by {@link GroupInfo.key}. */
  readonly byGroup: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Keys of groups with no rows (unobserved combinations): NaN rows. */
  readonly missingGroups: readonly string[];
  /** Keys of groups whose rows all have weight 0 (rates that divide by the weight are NaN there). */
  readonly zeroWeightGroups: readonly string[];
  /** Smallest group value of each metric (NaN skipped). */
  groupMin(): Record<string, number>;
  /** Largest group value of each metric (NaN skipped). */
  groupMax(): Record<string, number>;
  /** Largest gap between groups, or from a group to overall. */
  difference(options?: AggregateOptions): Record<string, number>;
  /** Smallest ratio between groups (min / max), or of a group to overall folded into [0, 1]. */
  ratio(options?: AggregateOptions): Record<string, number>;
}

/** Names and functions of a {@link Metrics} argument. */
export function metricEntries(fn: string, metrics: unknown): [string, MetricFunction][] {
  if (typeof metrics === 'function') {
    const name = isCountsMetric(metrics) ? metrics.metricName : 'metric';
    return [[name, metrics as MetricFunction]];
  }
  if (typeof metrics !== 'object' || metrics === null || Array.isArray(metrics)) {
    invalid(fn, 'metrics', metrics, 'a metric function or an object of named metric functions');
  }
  const entries = Object.entries(metrics as Record<string, unknown>);
  if (entries.length === 0) invalid(fn, 'metrics', metrics, 'at least one metric');
  for (const [name, m] of entries) if (typeof m !== 'function') invalid(fn, `metrics.${name}`, m, 'a metric function');
  return entries as [string, MetricFunction][];
}

/** Row data a frame needs for metrics that are not counts-based. */
export interface FrameRows {
  readonly yTrue: NumberArray;
  readonly yPred: NumberArray;
  readonly sampleWeight: NumberArray | undefined;
  /** Each row's cell in the engine's encoder. */
  readonly cells: Int32Array;
}

/** The rows of each cell (a counting sort), for metrics called on a group's rows. */
function rowsByCell(cells: Int32Array, size: number): Int32Array[] {
  const sizes = new Int32Array(size);
  for (let i = 0; i < cells.length; i++) sizes[cells[i]!]!++;
  const out = Array.from(sizes, (k) => new Int32Array(k));
  sizes.fill(0);
  for (let i = 0; i < cells.length; i++) out[cells[i]!]![sizes[cells[i]!]!++] = i;
  return out;
}

function take(values: NumberArray, idx: Int32Array): Float64Array {
  const out = new Float64Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = values[idx[i]!]!;
  return out;
}

/** Builds the frame from an engine (and, for user metrics, the rows of a single batch). */
export function buildFrame(fn: string, engine: CountsEngine, entries: [string, MetricFunction][], rows?: FrameRows): MetricFrame {
  const groups = engine.encoder?.groups() ?? [];
  const userMetric = entries.find(([, m]) => !isCountsMetric(m));
  if (userMetric !== undefined && rows === undefined) {
    invalid(fn, `metrics.${userMetric[0]}`, userMetric[0], 'a counts-based metric (built-in metrics) when frames are accumulated batch by batch');
  }
  const byCell = userMetric !== undefined && rows !== undefined ? rowsByCell(rows.cells, engine.encoder?.size ?? 0) : [];
  const evaluate = (m: MetricFunction, idx: Int32Array | undefined, counts: Float64Array): number => {
    if (isCountsMetric(m)) return m.fromCounts(countsOf(counts));
    if (rows === undefined) return Number.NaN;
    if (idx === undefined) return m(rows.yTrue, rows.yPred, rows.sampleWeight);
    const w = rows.sampleWeight === undefined ? undefined : take(rows.sampleWeight, idx);
    return m(take(rows.yTrue, idx), take(rows.yPred, idx), w);
  };
  const metricNames = entries.map(([name]) => name);
  const anyCounts = entries.some(([, m]) => isCountsMetric(m));
  const overall: Record<string, number> = {};
  for (const [name, m] of entries) overall[name] = evaluate(m, undefined, engine.overall);
  const byGroup: Record<string, Record<string, number>> = {};
  const missingGroups: string[] = [];
  const zeroWeightGroups: string[] = [];
  for (const { info, cell } of groups) {
    const counts = engine.counts(cell);
    const row: Record<string, number> = {};
    if (counts === undefined) {
      missingGroups.push(info.key);
      for (const name of metricNames) row[name] = Number.NaN;
    } else {
      if (anyCounts && counts[0]! + counts[1]! + counts[2]! + counts[3]! === 0) zeroWeightGroups.push(info.key);
      for (const [name, m] of entries) row[name] = evaluate(m, byCell[cell], counts);
    }
    byGroup[info.key] = row;
  }
  const column = (name: string): number[] => groups.map(({ info }) => byGroup[info.key]![name]!);
  const perMetric = (f: (values: number[], overall: number) => number): Record<string, number> =>
    Object.fromEntries(metricNames.map((name) => [name, f(column(name), overall[name]!)]));
  const method = (options: AggregateOptions | undefined, which: string): DisparityMethod => {
    const o = optionsObject(`MetricFrame.${which}`, 'options', options);
    return o.method === undefined ? 'between_groups' : oneOf(`MetricFrame.${which}`, 'options.method', o.method, ['between_groups', 'to_overall'] as const);
  };
  return {
    metricNames,
    sensitiveFeatureNames: [...(engine.encoder?.names ?? [])],
    groups: groups.map((g) => g.info),
    overall,
    byGroup,
    missingGroups,
    zeroWeightGroups,
    groupMin: () => perMetric((v) => nanMin(v)),
    groupMax: () => perMetric((v) => nanMax(v)),
    difference: (options) => {
      const m = method(options, 'difference');
      return perMetric((v, o) => differenceOf(v, o, m));
    },
    ratio: (options) => {
      const m = method(options, 'ratio');
      return perMetric((v, o) => ratioOf(v, o, m));
    },
  };
}

/**
 * Computes metrics overall and per group, like Fairlearn's `MetricFrame`. Built-in metrics come
 * from one pass of per-group weighted confusion counts; any other metric function is called on
 * each group's rows (`yTrue`, `yPred`, `sampleWeight` sliced to the group).
 *
 * @returns A {@link MetricFrame} of plain numbers.
 * @throws InvalidArgumentError on empty input, length mismatches, NaN, negative weights, labels
 *   other than 0/1 when a built-in metric is requested, or unusable sensitive values.
 * @example
 * ```ts
 * import { metricFrame, selectionRate, truePositiveRate } from 'responsible-tfjs/fairness';
 * const frame = metricFrame({
 *   metrics: { selectionRate, tpr: truePositiveRate },
 *   yTrue: [1, 0, 1, 1, 0, 1], yPred: [1, 1, 0, 1, 0, 0],
 *   sensitiveFeatures: { sex: ['F', 'F', 'F', 'M', 'M', 'M'] },
 * });
 * console.log(frame.byGroup.F, frame.difference({ method: 'between_groups' }));
 * ```
 */
export function metricFrame(options: MetricFrameOptions): MetricFrame {
  const fn = 'metricFrame';
  const o = optionsObject(fn, 'options', options);
  const entries = metricEntries(fn, o.metrics);
  const binary = entries.some(([, m]) => isCountsMetric(m));
  const engine = new CountsEngine();
  const userMetrics = entries.some(([, m]) => !isCountsMetric(m));
  const cells = engine.add(fn, o, binary, userMetrics);
  return buildFrame(fn, engine, entries, cells === undefined ? undefined : { yTrue: o.yTrue, yPred: o.yPred, sampleWeight: o.sampleWeight, cells });
}

/**
 * Streaming metric frames: add batches of labels, predictions and groups as a model is evaluated,
 * then build the same frame {@link metricFrame} would build on all rows at once.
 */
import { optionsObject } from '../core/validate.js';
import { countsOf, type ConfusionCounts } from './counts.js';
import { CountsEngine } from './engine.js';
import type { GroupInfo } from './groups.js';
import type { NumberArray, SensitiveFeatures } from './inputs.js';
import { buildFrame, metricEntries, type MetricFrame, type Metrics } from './metricFrame.js';

/**
 * One batch for {@link MetricFrameAccumulator.add}.
 */
export interface FairnessBatch {
  /** Binary labels. */
  readonly yTrue: NumberArray;
  /** Binary predictions. */
  readonly yPred: NumberArray;
  /** Group labels: one column or named columns (the same names in every batch). */
  readonly sensitiveFeatures: SensitiveFeatures;
  /** Optional non-negative weights. */
  readonly sampleWeight?: NumberArray;
}

/**
 * Counts accumulated so far: every group (Fairlearn order) with its weighted confusion counts,
 * `undefined` for combinations never seen.
 */
export interface GroupCountsTable {
  /** Groups in Fairlearn's order. */
  readonly groups: readonly GroupInfo[];
  /** Counts per group, aligned with `groups`. */
  readonly byGroup: readonly (ConfusionCounts | undefined)[];
  /** Counts over all rows. */
  readonly overall: ConfusionCounts;
}

/**
 * A streaming metric frame (see {@link metricFrameAccumulator}).
 *
 * @example
 * ```ts
 * import { metricFrameAccumulator, selectionRate } from 'responsible-tfjs/fairness';
 * const acc = metricFrameAccumulator();
 * acc.add({ yTrue: [1, 0], yPred: [1, 1], sensitiveFeatures: ['a', 'b'] });
 * acc.frame({ metrics: { selectionRate } }).overall.selectionRate; // 1
 * ```
 */
export interface MetricFrameAccumulator {
  /** Adds one batch (validated like {@link metricFrame}'s input, labels 0/1). */
  add(batch: FairnessBatch): void;
  /** Rows added so far. */
  readonly rows: number;
  /** The counts so far. */
  counts(): GroupCountsTable;
  /** A frame of counts-based (built-in) metrics over every row added so far. */
  frame(options: { readonly metrics: Metrics }): MetricFrame;
}

/**
 * Creates a streaming accumulator of per-group weighted confusion counts. Adding batches and then
 * calling `frame` gives exactly the frame of the concatenated rows for the built-in metrics
 * (which are all functions of these counts); groups first seen in later batches are merged in
 * Fairlearn's order.
 *
 * @example
 * ```ts
 * import { metricFrameAccumulator, selectionRate, truePositiveRate } from 'responsible-tfjs/fairness';
 * const acc = metricFrameAccumulator();
 * for (const batch of batches) acc.add(batch); // { yTrue, yPred, sensitiveFeatures, sampleWeight? }
 * const frame = acc.frame({ metrics: { selectionRate, truePositiveRate } });
 * ```
 */
export function metricFrameAccumulator(): MetricFrameAccumulator {
  const engine = new CountsEngine();
  return {
    add(batch) {
      engine.add('metricFrameAccumulator.add', optionsObject('metricFrameAccumulator.add', 'batch', batch), true);
    },
    get rows() {
      return engine.rows;
    },
    counts() {
      const groups = engine.encoder?.groups() ?? [];
      return {
        groups: groups.map((g) => g.info),
        byGroup: groups.map((g) => {
          const c = engine.counts(g.cell);
          return c === undefined ? undefined : countsOf(c);
        }),
        overall: countsOf(engine.overall),
      };
    },
    frame(options) {
      const fn = 'metricFrameAccumulator.frame';
      const o = optionsObject(fn, 'options', options);
      return buildFrame(fn, engine, metricEntries(fn, o.metrics));
    },
  };
}

import { invalid, optionsObject } from '../../core/validate.js';
import { paretoFront, type ParetoObjectives } from './paretoFront.js';

/**
 * One trained point of a {@link paretoSweep}.
 *
 * @example
 * ```ts
 * import type { SweepPoint } from 'responsible-tfjs/objectives';
 * const p: SweepPoint = { weights: { demographicParity: 1 }, metrics: { accuracy: 0.82, dpDifference: 0.04 } };
 * ```
 */
export interface SweepPoint {
  /** The weights trained with. */
  readonly weights: Readonly<Record<string, number>>;
  /** The metrics the run reported. */
  readonly metrics: Readonly<Record<string, number>>;
}

/**
 * Options of {@link paretoSweep}.
 *
 * @example
 * ```ts
 * import { weightGrid, type ParetoSweepOptions } from 'responsible-tfjs/objectives';
 * const o: ParetoSweepOptions = {
 *   grid: weightGrid({ demographicParity: [0, 1, 4] }),
 *   run: async (weights) => ({ accuracy: 0.8, dpDifference: 0.1 }),
 *   objectives: { accuracy: 'max', dpDifference: 'min' },
 * };
 * ```
 */
export interface ParetoSweepOptions {
  /** Weight records to train with (e.g. from {@link weightGrid}); at least one. */
  readonly grid: readonly Readonly<Record<string, number>>[];
  /**
   * Trains a fresh model with the given weights and resolves to its metrics (evaluated on held-out
   * data: the task metric and each term). Runs one at a time, in grid order.
   */
  readonly run: (weights: Readonly<Record<string, number>>, index: number) => Promise<Readonly<Record<string, number>>>;
  /** Which metrics define the front, and their directions. */
  readonly objectives: ParetoObjectives;
  /** Called after each run (progress). */
  readonly onPoint?: (point: SweepPoint, index: number, total: number) => void | Promise<void>;
}

/**
 * Result of {@link paretoSweep}.
 *
 * @example
 * ```ts
 * const { points, front } = await paretoSweep(options);
 * for (const p of front) console.log(p.weights, p.metrics);
 * ```
 */
export interface ParetoSweepResult {
  /** Every run, in grid order. */
  readonly points: readonly SweepPoint[];
  /** The non-dominated runs ({@link paretoFront} of the metrics), in grid order. */
  readonly front: readonly SweepPoint[];
}

/**
 * Trains across a grid of weights and returns the Pareto front of the resulting (task metric,
 * term metrics): the settings no other setting beats on every objective at once.
 *
 * @returns Every point and the non-dominated ones.
 * @throws InvalidArgumentError for an empty grid, a missing `run`, or a run that does not report
 * every objective as a finite number.
 * @example
 * ```ts
 * import { paretoSweep, weightGrid } from 'responsible-tfjs/objectives';
 * const { front } = await paretoSweep({
 *   grid: weightGrid({ demographicParity: [0, 0.5, 2, 8] }),
 *   run: async (w) => trainAndEvaluate(w), // your code: fresh model, ethicalLoss with weights w
 *   objectives: { accuracy: 'max', dpDifference: 'min' },
 * });
 * ```
 */
export async function paretoSweep(options: ParetoSweepOptions): Promise<ParetoSweepResult> {
  const fn = 'paretoSweep';
  const o = optionsObject(fn, 'options', options);
  if (!Array.isArray(o.grid) || o.grid.length === 0) invalid(fn, 'options.grid', o.grid, 'a non-empty array of weight records');
  if (typeof o.run !== 'function') invalid(fn, 'options.run', o.run, 'an async function (weights, index) => metrics');
  if (o.onPoint !== undefined && typeof o.onPoint !== 'function') invalid(fn, 'options.onPoint', o.onPoint, 'a function');
  paretoFront([], o.objectives); // validates the objectives
  const points: SweepPoint[] = [];
  for (let i = 0; i < o.grid.length; i++) {
    const weights = { ...o.grid[i]! };
    const metrics = await o.run(weights, i);
    for (const k of Object.keys(o.objectives)) {
      const v = (metrics as Record<string, unknown>)?.[k];
      if (typeof v !== 'number' || !Number.isFinite(v)) invalid(fn, `run(grid[${i}]).${k}`, v, 'a finite number (every objective must be reported)');
    }
    const point = { weights, metrics: { ...metrics } };
    points.push(point);
    await o.onPoint?.(point, i, o.grid.length);
  }
  const front = paretoFront(points.map((p) => p.metrics), o.objectives).map((i) => points[i]!);
  return { points, front };
}

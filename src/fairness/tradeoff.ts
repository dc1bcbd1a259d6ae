/**
 * Per-group trade-off curves of Fairlearn's ThresholdOptimizer (`_tradeoff_curve_utilities.py`,
 * v0.12): every threshold of a group's scores, the upper convex hull of (x, y) metric points, and
 * its interpolation on a grid of x values.
 */
import { invalid } from '../core/validate.js';

/**
 * A threshold rule: predict 1 when `score > threshold` (`'>'`) or `score < threshold` (`'<'`).
 */
export interface ThresholdOperation {
  /** `'>'` or `'<'` (the latter only with `flip`). */
  readonly operator: '>' | '<';
  /** The threshold (±Infinity at the ends of the curve). */
  readonly threshold: number;
}

/**
 * A metric of the trade-off curve, by Fairlearn's name.
 */
export type TradeoffMetric =
  | 'selection_rate'
  | 'false_positive_rate'
  | 'false_negative_rate'
  | 'true_positive_rate'
  | 'true_negative_rate'
  | 'accuracy_score'
  | 'balanced_accuracy_score';

interface Counts {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/** Fairlearn's METRIC_DICT on (possibly fractional) counts. */
export function tradeoffMetric(name: TradeoffMetric, c: Counts): number {
  const n = c.tp + c.tn + c.fp + c.fn;
  const pos = c.tp + c.fn;
  const neg = c.tn + c.fp;
  switch (name) {
    case 'selection_rate':
      return (c.tp + c.fp) / n;
    case 'false_positive_rate':
      return c.fp / neg;
    case 'false_negative_rate':
      return c.fn / pos;
    case 'true_positive_rate':
      return c.tp / pos;
    case 'true_negative_rate':
      return c.tn / neg;
    case 'accuracy_score':
      return (c.tp + c.tn) / n;
    case 'balanced_accuracy_score':
      return (0.5 * c.tp) / pos + (0.5 * c.tn) / neg;
  }
}

interface Point {
  x: number;
  y: number;
  op: ThresholdOperation;
}

/** One interpolated grid point: p0 of the left hull point's operation, p1 of the right one's. */
export interface GridPoint {
  readonly x: number;
  readonly y: number;
  readonly p0: number;
  readonly operation0: ThresholdOperation;
  readonly p1: number;
  readonly operation1: ThresholdOperation;
}

/** The upper convex hull of a group's achievable (x, y) points (Andrew's monotone chain). */
export function tradeoffHull(fn: string, group: string, scores: number[], labels: number[], xMetric: TradeoffMetric, yMetric: TradeoffMetric, flip: boolean): Point[] {
  const order = scores.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  const s = order.map((i) => scores[i]!);
  const l = order.map((i) => labels[i]!);
  const n = s.length;
  const nPos = l.reduce((a, b) => a + b, 0);
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) invalid(fn, 'yTrue', `labels of group ${JSON.stringify(group)}`, 'both labels 0 and 1 in every group', `Degenerate labels for sensitive feature value ${group}`);
  s.push(-Infinity);
  const points: Point[] = [];
  const count = [0, 0];
  let i = 0;
  while (i < n) {
    let threshold: number;
    if (points.length === 0) threshold = Infinity;
    else {
      threshold = s[i]!;
      while (s[i] === threshold) {
        count[l[i]!]! += 1;
        i += 1;
      }
      threshold = (threshold + s[i]!) / 2;
    }
    const actual = { fp: count[0]!, tp: count[1]!, tn: nNeg - count[0]!, fn: nPos - count[1]! };
    points.push({ x: tradeoffMetric(xMetric, actual), y: tradeoffMetric(yMetric, actual), op: { operator: '>', threshold } });
    if (flip) {
      const flipped = { fp: nNeg - count[0]!, tp: nPos - count[1]!, tn: count[0]!, fn: count[1]! };
      points.push({ x: tradeoffMetric(xMetric, flipped), y: tradeoffMetric(yMetric, flipped), op: { operator: '<', threshold } });
    }
  }
  // Stable sort by x, then y (pandas sort_values on two columns).
  const sorted = points.map((p, k) => ({ p, k })).sort((a, b) => a.p.x - b.p.x || a.p.y - b.p.y || a.k - b.k).map((e) => e.p);
  const hull: Point[] = [];
  for (const r2 of sorted) {
    while (hull.length >= 2) {
      const r1 = hull[hull.length - 1]!;
      const r0 = hull[hull.length - 2]!;
      if ((r1.y - r0.y) * (r2.x - r0.x) <= (r2.y - r0.y) * (r1.x - r0.x)) hull.pop();
      else break;
    }
    hull.push(r2);
  }
  return hull;
}

/** Interpolates the hull at every grid x (`_interpolate_curve`). */
export function interpolateHull(hull: readonly Point[], grid: readonly number[]): GridPoint[] {
  let i = 0;
  const x0 = hull[0]!.x;
  while (hull[i + 1]!.x === x0) i += 1;
  return grid.map((x) => {
    while (x > hull[i + 1]!.x) i += 1;
    const a = hull[i]!;
    const b = hull[i + 1]!;
    const p0 = (b.x - x) / (b.x - a.x);
    const p1 = 1 - p0;
    return { x, y: p0 * a.y + p1 * b.y, p0, operation0: a.op, p1, operation1: b.op };
  });
}

/** numpy's `linspace(0, 1, gridSize + 1)`. */
export function unitGrid(gridSize: number): number[] {
  const step = 1 / gridSize;
  const out = Array.from({ length: gridSize + 1 }, (_, i) => i * step);
  out[gridSize] = 1;
  return out;
}

/**
 * Order statistics of a sample of latencies (internal, plain doubles).
 */

/**
 * The `q`-quantile of an ascending-sorted sample by linear interpolation between order statistics:
 * Hyndman & Fan (1996), "Sample quantiles in statistical packages", The American Statistician 50(4),
 * definition 7 (the default of R's `quantile` and NumPy's `percentile`): h = (n - 1) q, then
 * x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]).
 */
export function sortedQuantile(sorted: readonly number[], q: number): number {
  const n = sorted.length;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (h - lo) * (b - a);
}

/** Latency summary of a run: percentiles, mean, extremes and the raw per-run times (in run order). */
export interface LatencySummary {
  /** 50th percentile, ms. */
  readonly median: number;
  /** 10th percentile, ms. */
  readonly p10: number;
  /** 90th percentile, ms. */
  readonly p90: number;
  /** 99th percentile, ms; present only with at least 100 runs (below that it is an interpolation toward the maximum, not a tail estimate). */
  readonly p99?: number;
  /** Arithmetic mean, ms. */
  readonly mean: number;
  /** Fastest run, ms. */
  readonly min: number;
  /** Slowest run, ms. */
  readonly max: number;
  /** Every timed run, ms, in the order they ran. */
  readonly runs: number[];
}

/** Summarises per-run times (ms; at least one). Percentiles use Hyndman & Fan definition 7. */
export function summarizeLatencies(runs: readonly number[]): LatencySummary {
  const sorted = [...runs].sort((a, b) => a - b);
  const mean = runs.reduce((s, v) => s + v, 0) / runs.length;
  return {
    median: sortedQuantile(sorted, 0.5),
    p10: sortedQuantile(sorted, 0.1),
    p90: sortedQuantile(sorted, 0.9),
    ...(runs.length >= 100 ? { p99: sortedQuantile(sorted, 0.99) } : {}),
    mean,
    min: sorted[0] as number,
    max: sorted[sorted.length - 1] as number,
    runs: [...runs],
  };
}

// Small statistics helpers for goodness-of-fit tests.
import erfc from '@stdlib/math-base-special-erfc';

export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

export function laplaceCdf(x: number, b: number): number {
  return x < 0 ? 0.5 * Math.exp(x / b) : 1 - 0.5 * Math.exp(-x / b);
}

/** Kolmogorov–Smirnov statistic of a sample against a continuous CDF. */
export function ksStatistic(sample: ArrayLike<number>, cdf: (x: number) => number): number {
  const xs = Float64Array.from(sample).sort();
  const n = xs.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(xs[i] as number);
    d = Math.max(d, f - i / n, (i + 1) / n - f);
  }
  return d;
}

/** Pearson chi-square statistic of integer samples against a pmf over [lo, hi] (tails pooled). */
export function chiSquare(sample: readonly number[], pmf: (k: number) => number, lo: number, hi: number): { stat: number; df: number } {
  const counts = new Map<number, number>();
  for (const s of sample) {
    const k = Math.min(hi + 1, Math.max(lo - 1, s));
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const n = sample.length;
  let below = 0;
  for (let k = lo - 200; k < lo; k++) below += pmf(k);
  let above = 0;
  for (let k = hi + 1; k <= hi + 200; k++) above += pmf(k);
  let stat = 0;
  let cells = 0;
  const cell = (observed: number, p: number): void => {
    const e = n * p;
    stat += ((observed - e) * (observed - e)) / e;
    cells++;
  };
  cell(counts.get(lo - 1) ?? 0, below);
  for (let k = lo; k <= hi; k++) cell(counts.get(k) ?? 0, pmf(k));
  cell(counts.get(hi + 1) ?? 0, above);
  return { stat, df: cells - 1 };
}

/** Upper critical value of chi-square at 0.1% (Wilson–Hilferty approximation). */
export function chiSquareCritical(df: number): number {
  const z = 3.09;
  const a = 2 / (9 * df);
  return df * Math.pow(1 - a + z * Math.sqrt(a), 3);
}

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

const f64 = new DataView(new ArrayBuffer(8));
const f32 = new DataView(new ArrayBuffer(4));

/** The next double above x (finite x). */
export function nextUp64(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  f64.setFloat64(0, x);
  f64.setBigInt64(0, f64.getBigInt64(0) + (x > 0 ? 1n : -1n));
  return f64.getFloat64(0);
}

/** The next float32 above x (finite float32 x). */
export function nextUp32(x: number): number {
  if (x === 0) return 1.401298464324817e-45;
  f32.setFloat32(0, x);
  f32.setInt32(0, f32.getInt32(0) + (x > 0 ? 1 : -1));
  return f32.getFloat32(0);
}

/**
 * Whether the double y can be written fl(a + v) for some double v: the outputs an additive
 * floating-point mechanism can produce from the input a, whatever its noise. The reals v with
 * fl(a + v) = y form an interval around y − a, so checking fl(y − a) and its two neighbours decides.
 */
export function reachableFrom64(a: number, y: number): boolean {
  const v = y - a;
  return a + v === y || a + nextUp64(v) === y || a - nextUp64(-v) === y;
}

/**
 * The same for float32 outputs fl32(a + v) of float32 noise v. Math.fround(a + w) models tfjs's
 * cpu kernel (double sum, then float32); for the outputs that matter here (|y| < 1/2, a = 1) the
 * double sum is exact, so it also models a single float32 rounding (wasm, GPUs).
 */
export function reachableFrom32(a: number, y: number): boolean {
  const v = Math.fround(y - a);
  return [v, nextUp32(v), -nextUp32(-v)].some((w) => Math.fround(a + w) === y);
}

/** Result of {@link distinguisherGap}. */
export interface DistinguisherGap {
  /** Share of outputs for input 0 in S. */
  readonly p0: number;
  /** Share of outputs for input 1 in S. */
  readonly p1: number;
  /** p0 − e^ε p1: at most δ for an (ε, δ)-DP mechanism (up to sampling error). */
  readonly gap: number;
  /** Five standard errors of `gap`. */
  readonly margin: number;
}

/**
 * The grid-membership distinguisher of Mironov (2012) for neighbours 0 and 1: S is the set of
 * outputs no additive floating-point computation from input 1 can produce (`reachable(1, y)`
 * false). For an (ε, δ)-DP release P[M(0) ∈ S] − e^ε P[M(1) ∈ S] <= δ, whatever S.
 */
export function distinguisherGap(
  out0: ArrayLike<number>,
  out1: ArrayLike<number>,
  reachable: (a: number, y: number) => boolean,
  epsilon: number,
): DistinguisherGap {
  let in0 = 0;
  let in1 = 0;
  for (let i = 0; i < out0.length; i++) if (!reachable(1, out0[i] as number)) in0++;
  for (let i = 0; i < out1.length; i++) if (!reachable(1, out1[i] as number)) in1++;
  const p0 = in0 / out0.length;
  const p1 = in1 / out1.length;
  const e = Math.exp(epsilon);
  const se = Math.sqrt((p0 * (1 - p0)) / out0.length + (e * e * p1 * (1 - p1)) / out1.length);
  return { p0, p1, gap: p0 - e * p1, margin: 5 * se };
}

/**
 * Per-step RDP of the Poisson-subsampled Gaussian mechanism (internal), after Mironov, Talwar and
 * Zhang (2019) §3.3, evaluated so that it is never below the true value: every number returned
 * is an upper bound on the RDP at that order, and it is > 0 whenever q > 0.
 *
 * At each order we take the smallest of these upper bounds:
 * 1. the MTZ sum (integer α: finite, all terms positive; fractional α: Opacus' signed series with
 *    a certified tail bound), computed as log(1 + (A_α − 1)) from an upper bound on A_α − 1;
 * 2. only when 1 has no certified value at a fractional α: log-convexity in α (log A_α is a
 *    cumulant generating function, hence convex, and log A_1 = 0), so
 *    log A_α <= (⌈α⌉ − α) log A_⌊α⌋ + (α − ⌊α⌋) log A_⌈α⌉ from the integer neighbours;
 * 3. the RDP of the Gaussian without subsampling, α/(2σ²) (subsampling never increases Rényi
 *    divergence: joint quasi-convexity, van Erven and Harremoës 2014).
 * A bound that cannot be certified (NaN, overflow) is dropped, never replaced by 0; since 3 is
 * always there, an order is +∞ only if α/(2σ²) is. Above order 1e5 only 3 is used (the sums
 * would need that many terms). A positive value that underflows is rounded up to the smallest
 * double: for q > 0 the true RDP is > 0.
 */
import { log1pExp } from '../math/special.js';
import { logAMinusOneFrac } from './logAFractional.js';
import { logAMinusOneInt } from './logAInteger.js';

/** Above this order the series would need more than this many terms; only bound 3 is used. */
const MAX_SERIES_ORDER = 100_000;

function logAUpperInt(q: number, sigma: number, alpha: number): number {
  if (alpha === 1) return 0;
  return log1pExp(logAMinusOneInt(q, sigma, alpha));
}

/**
 * Upper bound on log A_α at a fractional α from its integer neighbours, by convexity of log A_α
 * in α (internal; exported for tests).
 */
export function logAConvexBound(q: number, sigma: number, alpha: number): number {
  const lo = Math.floor(alpha);
  const w = alpha - lo;
  return (1 - w) * logAUpperInt(q, sigma, lo) + w * logAUpperInt(q, sigma, lo + 1);
}

/**
 * RDP at one order of one step of the sampled Gaussian with sample rate q and noise multiplier
 * σ (sensitivity 1, add/remove adjacency): an upper bound, > 0 for q > 0.
 */
export function subsampledGaussianRdp(q: number, sigma: number, alpha: number): number {
  if (q === 0) return 0;
  const gaussian = alpha / (2 * sigma * sigma);
  if (q === 1 || !Number.isFinite(gaussian)) return gaussian;
  let best = gaussian;
  const consider = (logA: number): void => {
    const r = logA / (alpha - 1);
    if (r < best) best = r; // NaN never passes
  };
  if (alpha <= MAX_SERIES_ORDER) {
    if (Number.isInteger(alpha)) consider(logAUpperInt(q, sigma, alpha));
    else {
      const series = logAMinusOneFrac(q, sigma, alpha);
      if (Number.isFinite(series)) consider(log1pExp(series));
      else consider(logAConvexBound(q, sigma, alpha)); // fallback only: the series is far tighter
    }
  }
  return Math.max(best, Number.MIN_VALUE);
}

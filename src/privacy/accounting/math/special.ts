/**
 * Double-precision special functions used by the accountants (internal). Thin wrappers over
 * stdlib's ports of the classic Cephes/Boost routines.
 */
import erfc from '@stdlib/math-base-special-erfc';
import erfcinv from '@stdlib/math-base-special-erfcinv';
import normalLogcdf from '@stdlib/stats-base-dists-normal-logcdf';

const SQRT1_2 = Math.SQRT1_2;

/** Standard normal CDF Φ(z). */
export function normCdf(z: number): number {
  return 0.5 * erfc(-z * SQRT1_2);
}

/** log Φ(z), accurate in the far left tail. */
export function normLogCdf(z: number): number {
  return normalLogcdf(z, 0, 1);
}

/** Standard normal quantile Φ⁻¹(p) for p in (0, 1). */
export function normPpf(p: number): number {
  return -Math.SQRT2 * erfcinv(2 * p);
}

/** log erfc(x) = log 2 + log Φ(−x√2). */
export function logErfc(x: number): number {
  return Math.LN2 + normLogCdf(-x * Math.SQRT2);
}

/** log(e^a + e^b) without overflow. */
export function logAdd(a: number, b: number): number {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  if (lo === -Infinity) return hi;
  return Math.log1p(Math.exp(lo - hi)) + hi;
}

/** log(e^a − e^b) for a >= b; −∞ when equal. */
export function logSub(a: number, b: number): number {
  if (b === -Infinity) return a;
  if (a === b) return -Infinity;
  const d = Math.expm1(a - b);
  if (!Number.isFinite(d)) return a;
  return Math.log(d) + b;
}

/**
 * log Φ(x), accurate on both sides: for x > 0 it is log1p(−Φ(−x)), which keeps the tiny negative
 * value that log(Φ(x)) would round to 0 (the RDP series need it when z0/σ is large).
 */
export function logNdtr(x: number): number {
  if (x > 0) return Math.log1p(-0.5 * erfc(x * SQRT1_2));
  return normLogCdf(x);
}

/** log |e^v − 1| without overflow or cancellation; −∞ at v = 0. */
export function logAbsExpm1(v: number): number {
  if (v > 1) return v + Math.log1p(-Math.exp(-v));
  if (v < -1) return Math.log1p(-Math.exp(v));
  return Math.log(Math.abs(Math.expm1(v)));
}

/** log(1 + e^l) without overflow, and without losing a tiny e^l. */
export function log1pExp(l: number): number {
  return l > 0 ? l + Math.log1p(Math.exp(-l)) : Math.log1p(Math.exp(l));
}

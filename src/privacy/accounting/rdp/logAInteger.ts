/**
 * A_α − 1 of the Poisson-subsampled Gaussian at an integer order (internal).
 *
 * Mironov, Talwar and Zhang (2019), §3.3: A_α = Σ_{k=0}^{α} C(α,k) (1−q)^{α−k} q^k e^{(k²−k)/(2σ²)}
 * and the RDP is log(A_α)/(α − 1). Because Σ_k C(α,k)(1−q)^{α−k} q^k = 1 and the k = 0, 1 terms
 * have exponent 0,
 *
 *     A_α − 1 = Σ_{k=2}^{α} C(α,k) (1−q)^{α−k} q^k (e^{(k²−k)/(2σ²)} − 1),
 *
 * a sum of positive terms only. Summing it (instead of A_α, then subtracting 1 through a
 * logarithm) keeps a tiny positive RDP positive: the leading term α(α−1)/2 · q² (e^{1/σ²} − 1)
 * survives for q = 1e-9 and σ = 100, where log A_α itself would round to 0.
 */
import { BinomialRecurrence } from '../math/binomialRecurrence.js';
import { SignedLogSeries } from '../math/signedLogSeries.js';
import { logAbsExpm1 } from '../math/special.js';

/** Per-term relative error allowance, per unit of "rounding scale" (see `scale` below). */
const EPS8 = 8 * Number.EPSILON;

/**
 * log of an upper bound on A_α − 1 for an integer α >= 2 and 0 < q < 1 (NaN if it cannot be
 * bounded, which the caller treats as "no value from this formula").
 */
export function logAMinusOneInt(q: number, sigma: number, alpha: number): number {
  const logQ = Math.log(q);
  const log1mQ = Math.log1p(-q);
  const twoSigma2 = 2 * sigma * sigma;
  const series = new SignedLogSeries();
  const binom = new BinomialRecurrence(alpha);
  binom.next();
  for (let k = 2; k <= alpha; k++) {
    binom.next();
    const c = (k * k - k) / twoSigma2;
    const logC = binom.log;
    const partA = (alpha - k) * log1mQ;
    const partQ = k * logQ;
    const logT = logC + partA + partQ + logAbsExpm1(c);
    // Each log component is rounded relative to its own size; the recurrence adds k roundings.
    const scale = Math.abs(logC) + Math.abs(partA) + Math.abs(partQ) + c + 2 * k + 4;
    series.add(logT, 1, logT + Math.log(EPS8 * scale));
  }
  return series.logUpper();
}

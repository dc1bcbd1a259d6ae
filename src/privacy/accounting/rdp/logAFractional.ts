/**
 * A_α − 1 of the Poisson-subsampled Gaussian at a fractional order (internal).
 *
 * Mironov, Talwar and Zhang (2019), §3.3, split A_α = E_{z~N(0,σ²)}[(1 − q + q e^{(2z−1)/(2σ²)})^α]
 * at z0 = σ² log(1/q − 1) + ½, where the two summands of the base are equal, and expand each side
 * in a binomial series whose ratio is at most 1 (generalized coefficients C(α,k), k = 0, 1, ...):
 *
 *     s0_k = C(α,k) (1−q)^{α−k} q^k e^{(k²−k)/(2σ²)} Φ((z0 − k)/σ)          (z < z0)
 *     s1_k = C(α,k) q^{α−k} (1−q)^k e^{(j²−j)/(2σ²)} Φ((j − z0)/σ), j = α−k (z > z0)
 *
 * As Opacus does, we keep the signs of C(α,k), so the sums are the exact A_α. What differs:
 *
 * - The tail. Opacus stops when a term is below e^−30, which is wrong while the terms are still
 *   growing (q = 0.4, σ = 12, α ≈ 59: log A = −30.01 instead of +2.09), and past the peak the
 *   terms only decay like k^{−α−2}. For k > α, |s_k| is |C(α,k)| (a Beta integral in k) times an
 *   integral of the k-th power of a ratio in [0, 1]: a moment sequence, with alternating signs.
 *   So we sum k <= α directly and the rest with the Cohen–Rodriguez Villegas–Zagier acceleration,
 *   whose truncation error has a rigorous bound that we add to the result.
 * - Small q. For q < ½ we use Σ_k C(α,k)(1−q)^{α−k} q^k = 1 to sum A_α − 1 directly:
 *   A_α − 1 = Σ_k C(α,k)(1−q)^{α−k} q^k (e^{(k²−k)/(2σ²)} Φ((z0−k)/σ) − 1) + Σ_k s1_k, each bracket
 *   evaluated as expm1 of a sum of logs. The leading term α(α−1)/2 · q² (e^{1/σ²} − 1) then
 *   survives instead of vanishing in 1 + tiny. (The identity's own terms, C(α,k) x^k with
 *   x = q/(1−q) < 1, are a moment sequence too.)
 */
import { alternatingBound, alternatingSum, alternatingTerms } from '../math/alternatingSum.js';
import { BinomialRecurrence } from '../math/binomialRecurrence.js';
import { SignedLogSeries } from '../math/signedLogSeries.js';
import { logAbsExpm1, logAdd, logNdtr } from '../math/special.js';

const EPS = Number.EPSILON;
const EPS8 = 8 * EPS;
/** Target of the tail's truncation bound relative to the sum (1e-17), and to Σ|terms| (1e-20). */
const LOG_REL_TOL = /* @__PURE__ */ Math.log(1e-17);
const LOG_NOISE_TOL = /* @__PURE__ */ Math.log(1e-20);
const MAX_TAIL_TERMS = 120;

/** One k of the series: the signed term (log |t|, sign, log of its error bound) and the log bound M_k of the moment sequences it is made of. */
interface Term {
  logAbs: number;
  sign: number;
  logErr: number;
  logMoments: number;
}

/** The per-(q, σ, α) constants of the series. */
interface Setting {
  readonly sigma: number;
  readonly alpha: number;
  readonly identity: boolean;
  readonly logQ: number;
  readonly log1mQ: number;
  readonly twoSigma2: number;
  readonly z0: number;
}

function makeTerm(setting: Setting, binom: BinomialRecurrence): Term {
  const { sigma, alpha, identity, logQ, log1mQ, twoSigma2, z0 } = setting;
  const k = binom.k;
  const logC = binom.log;
  const sign = binom.sign;
  const j = alpha - k;
  const c0 = (k * k - k) / twoSigma2;
  const c1 = (j * j - j) / twoSigma2;
  const logPhi0 = logNdtr((z0 - k) / sigma);
  const logPhi1 = logNdtr((j - z0) / sigma);
  const p0a = j * log1mQ;
  const p0b = k * logQ;
  const p1a = j * logQ;
  const p1b = k * log1mQ;
  const logT0 = logC + p0a + p0b; // |C(α,k)| (1−q)^{α−k} q^k
  const logS0 = logT0 + c0 + logPhi0;
  const logS1 = logC + p1a + p1b + c1 + logPhi1;
  // Each log component is rounded relative to its own size; the binomial recurrence adds ~k roundings.
  const common = Math.abs(logC) + 2 * k + 4;
  const scale0 = common + Math.abs(p0a) + Math.abs(p0b) + Math.abs(c0) + Math.abs(logPhi0);
  const scale1 = common + Math.abs(p1a) + Math.abs(p1b) + Math.abs(c1) + Math.abs(logPhi1);
  let log0: number;
  let sign0: number;
  let err0: number;
  if (identity) {
    // e^{c0} Φ − 1 = expm1(v): an absolute error ε·(|c0| + |log Φ|) in v becomes e^v times that.
    const v = c0 + logPhi0;
    log0 = logT0 + logAbsExpm1(v);
    sign0 = v >= 0 ? sign : -sign;
    err0 = logAdd(log0 + Math.log(EPS8 * scale0), logT0 + v + Math.log(EPS8 * (Math.abs(c0) + Math.abs(logPhi0))));
  } else {
    log0 = logS0;
    sign0 = sign;
    err0 = logS0 + Math.log(EPS8 * scale0);
  }
  const err1 = logS1 + Math.log(EPS8 * scale1);
  // Combine the two parts into one signed term.
  const hi = Math.max(log0, logS1);
  const v = (sign0 * Math.exp(log0 - hi) + sign * Math.exp(logS1 - hi)) || 0;
  const logAbs = v === 0 ? -Infinity : hi + Math.log(Math.abs(v));
  const logErr = logAdd(logAdd(err0, err1), hi + Math.log(2 * EPS));
  const logMoments = logAdd(identity ? logAdd(logS0, logT0) : logS0, logS1);
  return { logAbs, sign: v >= 0 ? 1 : -1, logErr, logMoments };
}

/**
 * log of an upper bound on A_α − 1 for a non-integer α > 1 and 0 < q < 1, or NaN when no bound
 * could be certified.
 */
export function logAMinusOneFrac(q: number, sigma: number, alpha: number): number {
  const identity = q < 0.5;
  const logQ = Math.log(q);
  const log1mQ = Math.log1p(-q);
  const z0 = sigma * sigma * (log1mQ - logQ) + 0.5;
  const setting: Setting = { sigma, alpha, identity, logQ, log1mQ, twoSigma2: 2 * sigma * sigma, z0 };
  const series = new SignedLogSeries();
  if (!identity) series.add(0, -1, Math.log(EPS)); // the "− 1"
  const k0 = Math.floor(alpha) + 1;
  const binom = new BinomialRecurrence(alpha);
  for (let k = 0; k < k0; k++) {
    if (k > 0) binom.next();
    const t = makeTerm(setting, binom);
    series.add(t.logAbs, t.sign, t.logErr);
  }
  // The tail k >= k0: alternating (sign of C(α,k0) first), sums of moment sequences.
  binom.next();
  const first = makeTerm(setting, binom);
  const ref = first.logMoments;
  if (ref === -Infinity) return series.logUpper();
  const target = Math.max(series.logAbsEstimate + LOG_REL_TOL, series.logScale + LOG_NOISE_TOL);
  const n = Math.min(MAX_TAIL_TERMS, alternatingTerms(target - ref));
  const startSign = binom.sign;
  const a = new Float64Array(n);
  let errScaled = 0;
  let t = first;
  for (let m = 0; m < n; m++) {
    if (m > 0) {
      binom.next();
      t = makeTerm(setting, binom);
    }
    // (−1)^m · startSign · t_k, scaled by e^{−ref}
    const alt = (m % 2 === 0 ? 1 : -1) * startSign * t.sign;
    a[m] = alt * Math.exp(t.logAbs - ref);
    errScaled += Math.exp(t.logErr - ref) + Math.abs(a[m] as number) * EPS * (2 + Math.abs(t.logAbs) + Math.abs(ref));
  }
  const tail = startSign * alternatingSum(a, n);
  // Truncation (rigorous, relative to the moments' own sums, each <= its first term) and rounding.
  errScaled += alternatingBound(n) + 2 * n * EPS * a.reduce((s, x) => s + Math.abs(x), 0);
  series.add(tail === 0 ? -Infinity : ref + Math.log(Math.abs(tail)), tail >= 0 ? 1 : -1, ref + Math.log(errScaled));
  return series.logUpper();
}

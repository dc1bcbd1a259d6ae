/**
 * RDP of the Gaussian mechanism on a fixed-size sample drawn without replacement (internal):
 * Wang, Balle and Kasiviswanathan (2019), Theorem 27 (https://arxiv.org/abs/1808.00087), under the
 * replace-one relation, as dp_accounting's `_compute_rdp_sample_wor_gaussian` evaluates it:
 * exactly up to order 256 (forward differences of the Gaussian's CGF in log space), with the
 * looser term 2·e^{CGF(i−1)} above, and by linear interpolation of the CGF (Corollary 10) at
 * fractional orders. Capped by the RDP of the Gaussian without sampling, α/(2σ²): a sample of
 * the two neighbouring datasets can be coupled to differ in at most the one record, and Rényi
 * divergence is jointly quasi-convex (van Erven and Harremoës 2014). dp_accounting does not cap;
 * its bound exceeds α/(2σ²) at large sample fractions (up to 5× at q = 0.99, σ = 5, α = 1.5).
 */
import { logAdd, logSub } from '../math/special.js';

const MAX_EXACT_ORDER = 256;
const LOG2 = Math.LN2;
const LOG4 = 2 * Math.LN2;

/** log|Δ^i f(0)| for i = 0..n+1 of f(x) = exp(cgf(x)), by repeated differences in log space with signs. */
function logForwardDiffs(cgf: (x: number) => number, n: number): Float64Array {
  const vec = new Float64Array(n + 3);
  const pos = new Array<boolean>(n + 3).fill(true);
  for (let i = 1; i < n + 3; i++) vec[i] = cgf(i - 1);
  const deltas = new Float64Array(n + 2);
  for (let i = 0; i < n + 2; i++) {
    const m = n + 2 - i;
    for (let j = 0; j < m; j++) {
      const a = vec[j] as number;
      const b = vec[j + 1] as number;
      if (pos[j] === pos[j + 1]) {
        // log|e^b − e^a| with the sign of (e^b − e^a), flipped when both are negative
        const bigger = b >= a;
        vec[j] = bigger ? logSub(b, a) : logSub(a, b);
        pos[j] = (b > a || a === b) === (pos[j + 1] as boolean);
      } else {
        vec[j] = logAdd(a, b);
        pos[j] = pos[j + 1] as boolean;
      }
    }
    deltas[i] = vec[0] as number;
  }
  return deltas;
}

/** log A_α for an integer α >= 2 (the α = 1 value is 0). */
function logAInt(q: number, sigma: number, alpha: number): number {
  const s2 = 2 * sigma * sigma;
  const cgf = (x: number): number => (x * (x + 1)) / s2;
  const f2 = 2 / s2;
  const logF2m1 = f2 + Math.log1p(-Math.exp(-f2));
  const logQ = Math.log(q);
  let logComb = Math.log((alpha * (alpha - 1)) / 2); // log C(α, i), updated as i grows
  const first = 2 * logQ + logComb + Math.min(LOG4 + logF2m1, f2 + LOG2);
  let logA = logAdd(0, first);
  const deltas = alpha <= MAX_EXACT_ORDER ? logForwardDiffs(cgf, alpha) : undefined;
  for (let i = 3; i <= alpha; i++) {
    let s = LOG2 + cgf(i - 1);
    if (deltas !== undefined) {
      const lo = deltas[2 * Math.floor(i / 2) - 1] as number;
      const hi = deltas[2 * Math.ceil(i / 2) - 1] as number;
      s = Math.min(LOG4 + 0.5 * (lo + hi), s);
    }
    logComb += Math.log((alpha - i + 1) / i);
    logA = logAdd(logA, s + i * logQ + logComb);
  }
  return logA;
}

/** RDP at order α of the Gaussian (noise multiplier σ) on a sample of a fraction q without replacement. */
export function sampleWorGaussianRdp(q: number, sigma: number, alpha: number): number {
  if (q === 0 || sigma === Infinity) return 0;
  const gaussian = alpha / (2 * sigma * sigma);
  if (q === 1) return gaussian;
  let r: number;
  if (Number.isInteger(alpha)) r = logAInt(q, sigma, alpha) / (alpha - 1);
  else {
    const lo = Math.floor(alpha);
    const t = alpha - lo;
    const x = lo === 1 ? 0 : logAInt(q, sigma, lo);
    r = ((1 - t) * x + t * logAInt(q, sigma, lo + 1)) / (alpha - 1);
  }
  // Rounding allowance (the sums are of positive terms; the differences are done in log space).
  const bound = r * (1 + 1e-12) + Number.MIN_VALUE;
  return bound < gaussian ? bound : gaussian; // NaN never passes
}

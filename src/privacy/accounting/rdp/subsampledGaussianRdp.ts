/**
 * Per-step RDP of the Poisson-subsampled Gaussian mechanism (internal), following Mironov, Talwar
 * and Zhang (2019) §3.3 exactly as Opacus' `analysis/rdp.py` evaluates it: a finite binomial sum
 * in log space for integer orders, two erfc-weighted series split at z0 for fractional orders.
 */
import gammaln from '@stdlib/math-base-special-gammaln';
import { logAdd, logErfc, logSub } from '../math/special.js';

const LOG_HALF = /* @__PURE__ */ Math.log(0.5);

/** log A_α for integer α: log Σ_k C(α,k) (1−q)^{α−k} q^k exp((k²−k)/(2σ²)). */
function logAInt(q: number, sigma: number, alpha: number): number {
  const logQ = Math.log(q);
  const log1mQ = Math.log(1 - q);
  const twoSigma2 = 2 * sigma * sigma;
  let logA = -Infinity;
  // C(alpha, i) multiplicatively for moderate orders (exact to a few ulp), via log-gamma beyond.
  const useGamma = alpha > 200;
  const logGammaA = useGamma ? gammaln(alpha + 1) : 0;
  let binom = 1;
  for (let i = 0; i <= alpha; i++) {
    let logBinom: number;
    if (useGamma) logBinom = logGammaA - gammaln(i + 1) - gammaln(alpha - i + 1);
    else {
      if (i > 0) binom = (binom * (alpha - i + 1)) / i;
      logBinom = Math.log(binom);
    }
    const s = logBinom + i * logQ + (alpha - i) * log1mQ + (i * i - i) / twoSigma2;
    logA = logAdd(logA, s);
  }
  return logA;
}

/** log A_α for fractional α (signed generalized binomial coefficients). */
function logAFrac(q: number, sigma: number, alpha: number): number {
  let logA0 = -Infinity;
  let logA1 = -Infinity;
  const z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5;
  const logQ = Math.log(q);
  const log1mQ = Math.log(1 - q);
  const twoSigma2 = 2 * sigma * sigma;
  const sqrt2Sigma = Math.SQRT2 * sigma;
  let coef = 1; // generalized C(alpha, i)
  for (let i = 0; ; i++) {
    if (i > 0) coef = (coef * (alpha - i + 1)) / i;
    const logCoef = Math.log(Math.abs(coef));
    const j = alpha - i;
    const logT0 = logCoef + i * logQ + j * log1mQ;
    const logT1 = logCoef + j * logQ + i * log1mQ;
    const logE0 = LOG_HALF + logErfc((i - z0) / sqrt2Sigma);
    const logE1 = LOG_HALF + logErfc((z0 - j) / sqrt2Sigma);
    const logS0 = logT0 + (i * i - i) / twoSigma2 + logE0;
    const logS1 = logT1 + (j * j - j) / twoSigma2 + logE1;
    if (coef > 0) {
      logA0 = logAdd(logA0, logS0);
      logA1 = logAdd(logA1, logS1);
    } else {
      logA0 = logSub(logA0, logS0);
      logA1 = logSub(logA1, logS1);
    }
    if (Math.max(logS0, logS1) < -30 || i > 100000) break;
  }
  return logAdd(logA0, logA1);
}

/**
 * RDP at one order of one step of the sampled Gaussian with sample rate q and noise multiplier
 * σ (sensitivity 1, add/remove adjacency).
 */
export function subsampledGaussianRdp(q: number, sigma: number, alpha: number): number {
  if (q === 0) return 0;
  if (q === 1) return alpha / (2 * sigma * sigma);
  if (!Number.isFinite(alpha)) return Infinity;
  const logA = Number.isInteger(alpha) ? logAInt(q, sigma, alpha) : logAFrac(q, sigma, alpha);
  return logA / (alpha - 1);
}

/**
 * RDP at one order of the Laplace mechanism with noise scale b = 1/eps over L1 sensitivity
 * (Mironov 2017, Prop. 6; same evaluation as dp_accounting's `_laplace_rdp`).
 */
export function laplaceRdp(eps: number, alpha: number): number {
  if (alpha === 1) return eps + Math.expm1(-eps);
  if (alpha < 1.1) {
    const c = Math.expm1(eps * (1 - 2 * alpha)) / (2 * alpha - 1);
    const v = -c * (alpha - 1);
    let sum = 0;
    let p = 1;
    for (let k = 1; k < 100; k++) {
      sum += p / k;
      p *= v;
    }
    return eps + c * sum;
  }
  return eps + Math.log1p(((alpha - 1) * Math.expm1(eps * (1 - 2 * alpha))) / (2 * alpha - 1)) / (alpha - 1);
}

/**
 * RDP of repeat-and-select (internal): run a mechanism a random number of times, release the
 * best run (Papernot and Steinke 2022, https://arxiv.org/abs/2110.03620), as dp_accounting's
 * `_compute_rdp_repeat_and_select`.
 */
import { deltaFromRdp } from './rdpToEpsilon.js';

/** (e^x − 1)/x, stable near 0. */
function expm1OverX(x: number): number {
  return x === 0 ? 1 : Math.expm1(x) / x;
}

/** log(x)/(x − 1), stable near 1. */
function logxOverXm1(x: number): number {
  return x === 1 ? 1 : Math.log1p(x - 1) / (x - 1);
}

/** Mean of the truncated negative binomial with halting probability γ and the given shape. */
function tnbMean(gamma: number, shape: number): number {
  if (shape === 1) return 1 / gamma;
  if (shape === 0) return 1 / (gamma * logxOverXm1(gamma));
  return 1 / (gamma * expm1OverX(shape * Math.log(gamma)) * logxOverXm1(gamma));
}

/** γ of the truncated negative binomial with this mean, by bisection (the smaller, conservative end). */
function tnbGamma(shape: number, mean: number): number {
  if (shape === 1) return 1 / mean;
  let lo = 0;
  let hi = Math.min(1, (2 * (shape + 1)) / mean);
  while (hi > lo * (1 + 1e-9)) {
    const g = (lo + hi) / 2;
    if (g === lo || g === hi) break;
    if (tnbMean(g, shape) < mean) hi = g;
    else lo = g;
  }
  return lo;
}

/**
 * The RDP curve of repeat-and-select given the curve `rdp` of one run.
 * @param orders - Rényi orders (> 1).
 * @param rdp - RDP of one run at each order.
 * @param mean - Mean number of runs, >= 1.
 * @param shape - 0 logarithmic, 1 geometric, Infinity Poisson, otherwise truncated negative binomial.
 */
export function repeatAndSelectRdp(orders: readonly number[], rdp: Float64Array, mean: number, shape: number): Float64Array {
  const n = orders.length;
  const out = new Float64Array(n).fill(Infinity);
  if (shape === Infinity) {
    // Theorem 6: rdp(λ) + mean·δ̂ + log(mean)/(λ − 1), δ̂ the delta of the curve at ε̂ = log(1 + 1/(λ − 1)).
    for (let i = 0; i < n; i++) {
      const a = orders[i] as number;
      const deltaHat = deltaFromRdp(orders, rdp, Math.log1p(1 / (a - 1))).delta;
      out[i] = (rdp[i] as number) + mean * deltaHat + Math.log(mean) / (a - 1);
    }
    return out;
  }
  // Theorem 2, with the constant term minimized over the orders.
  const gamma = tnbGamma(shape, mean);
  let m = Infinity;
  for (let j = 0; j < n; j++) {
    const a = orders[j] as number;
    m = Math.min(m, (1 - 1 / a) * (rdp[j] as number) - Math.log(gamma) / a);
  }
  const c = (1 + shape) * m;
  for (let i = 0; i < n; i++) out[i] = (rdp[i] as number) + Math.log(mean) / ((orders[i] as number) - 1) + c;
  // Monotonicity of RDP in the order: a bound at a higher order holds at every lower one.
  const mono = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let best = Infinity;
    for (let j = 0; j < n; j++) if ((orders[i] as number) <= (orders[j] as number)) best = Math.min(best, out[j] as number);
    mono[i] = best;
  }
  return mono;
}

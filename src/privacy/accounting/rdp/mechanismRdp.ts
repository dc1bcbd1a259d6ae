/**
 * RDP at one order of the mechanisms without subsampling added with dp_accounting's event
 * vocabulary (internal). Same formulas as dp_accounting's `RdpAccountant`; where a formula
 * subtracts nearly equal numbers the result gets a rounding allowance and is capped by bounds that
 * hold for any epsilon-DP mechanism, so that each value is an upper bound, as in {@link laplaceRdp}.
 */
import { log1pExp } from '../math/special.js';

const ALLOWANCE = 16 * Number.EPSILON;

/** `upper` capped by `cap` (a NaN from overflowing terms gives `cap`), and > 0. */
function capped(upper: number, cap: number): number {
  return Math.max(upper < cap ? upper : cap, Number.MIN_VALUE);
}

/** The two bounds every eps-DP mechanism satisfies: eps and α·eps²/2 (Bun and Steinke 2016, Prop. 3.3). */
function pureDpCap(eps: number, alpha: number): number {
  return Math.min(eps, (alpha * eps * eps) / 2);
}

/**
 * RDP of any eps-DP mechanism, attained by randomized response (Mironov 2017, Prop. 5):
 * (eps·α + log(1 + e^{eps(1−2α)}) − log(1 + e^{eps})) / (α − 1). dp_accounting's bound for an
 * `EpsilonDeltaDpEvent` (whose delta is accounted separately).
 */
export function pureDpRdp(eps: number, alpha: number): number {
  if (eps === 0) return 0;
  const a = eps * alpha;
  const b = log1pExp(eps * (1 - 2 * alpha));
  const c = log1pExp(eps);
  const r = (a + b - c) / (alpha - 1);
  const upper = r + (ALLOWANCE * (a + Math.abs(b) + c)) / (alpha - 1);
  return capped(upper, pureDpCap(eps, alpha));
}

/**
 * RDP of the eps-DP exponential mechanism: min(ξ + α·eps²/8, eps) with
 * ξ = t − 1 − log t − eps²/8, t = eps/(e^eps − 1) (Cesar and Rogers 2021, §3, as dp_accounting).
 */
export function exponentialRdp(eps: number, alpha: number): number {
  if (eps === 0) return 0;
  const t = eps / Math.expm1(eps);
  const e8 = (eps * eps) / 8;
  const xi = t - 1 - Math.log(t) - e8;
  const r = xi + e8 * alpha;
  const upper = r + ALLOWANCE * (Math.abs(t) + 1 + Math.abs(Math.log(t)) + 2 * e8 * alpha);
  return capped(upper, eps);
}

/**
 * RDP of k-ary randomized response with noise parameter p under replace-one (dp_accounting's
 * `_randomized_response_rdp_replace_one`): the Rényi divergence between
 * P = (1 − p + p/k, p/k, …, p/k) and Q = (p/k, 1 − p + p/k, p/k, …, p/k), i.e.
 * log((p/k)·L^α + (1 − p + p/k)·L^{−α} + (1 − 2/k)·p)/(α − 1) with L = k/p − k + 1.
 */
export function randomizedResponseRdp(p: number, k: number, alpha: number): number {
  if (k === 1 || p === 1) return 0;
  if (p === 0) return Infinity;
  const logL = Math.log(k / p - k + 1);
  const terms: [number, number][] = [
    [alpha * logL, p / k],
    [-alpha * logL, 1 - p + p / k],
    [0, (1 - 2 / k) * p],
  ];
  let max = -Infinity;
  for (const [x, w] of terms) if (w > 0 && x > max) max = x;
  let sum = 0;
  for (const [x, w] of terms) if (w > 0) sum += w * Math.exp(x - max);
  const r = (max + Math.log(sum)) / (alpha - 1);
  const upper = r + (ALLOWANCE * (Math.abs(max) + 4)) / (alpha - 1);
  // randomized response is log(L)-DP
  return capped(upper, pureDpCap(logL, alpha));
}

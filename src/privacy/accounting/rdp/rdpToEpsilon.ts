import { invalid, nonNegativeNumber, numberInRange, optionsObject, sameLength } from '../../../core/validate.js';

/**
 * Options of {@link rdpToEpsilon}.
 */
export interface RdpToEpsilonOptions {
  /** Rényi orders, each > 1. */
  readonly orders: readonly number[];
  /** RDP at each order (same length as `orders`), each >= 0 (Infinity allowed). */
  readonly rdp: ArrayLike<number>;
  /** Target delta in (0, 1). */
  readonly delta: number;
}

/**
 * Result of {@link rdpToEpsilon}.
 */
export interface RdpConversion {
  /** The smallest epsilon over the orders (> 0 for a positive RDP curve, see {@link rdpToEpsilon}). */
  readonly epsilon: number;
  /** The order attaining it. */
  readonly order: number;
}

function checkCurve(fn: string, orders: readonly number[], rdp: ArrayLike<number>): void {
  if (!Array.isArray(orders) || orders.length === 0) invalid(fn, 'orders', orders, 'a non-empty array of numbers > 1');
  orders.forEach((a, i) => {
    if (typeof a !== 'number' || !(a > 1) || !Number.isFinite(a)) invalid(fn, `orders[${i}]`, a, 'a finite number > 1');
  });
  if (rdp === null || typeof rdp !== 'object' || typeof rdp.length !== 'number') invalid(fn, 'rdp', rdp, 'an array of numbers');
  sameLength(fn, 'rdp', rdp.length, orders.length, 'orders');
  for (let i = 0; i < rdp.length; i++) {
    const r = rdp[i] as number;
    if (typeof r !== 'number' || Number.isNaN(r) || r < 0) invalid(fn, `rdp[${i}]`, r, 'a number >= 0 (Infinity allowed)');
  }
}

/**
 * Converts an RDP curve into an (epsilon, delta) guarantee: the smallest over the orders of
 * `rdp(α) + ln(1 − 1/α) − (ln δ + ln α)/(α − 1)` (Balle et al. 2020, Thm 21; Canonne, Kamath and
 * Steinke 2020, Prop. 12), the conversion used by Opacus and dp_accounting. Orders at or below
 * 1.01 are skipped (numerically unstable), as dp_accounting does.
 *
 * Unlike dp_accounting, a positive RDP never yields epsilon 0. dp_accounting reports 0 when the
 * KL bound gives δ² ≥ 1 − e^{−rdp}; that is where an RDP rounded to a tiny or zero value turned
 * into "no privacy loss" (issue 11). Here an order whose bound is <= 0 although its RDP is
 * positive is skipped (it would certify (0, δ)-DP; any positive epsilon is then also valid), and
 * epsilon is 0 only when the RDP is 0 at some order (no mechanism at all), or in the degenerate
 * case where every order's bound is <= 0 (δ near 1, or only orders above about 1/(e·δ)).
 *
 * @param options - Orders, RDP values and delta.
 * @returns `{ epsilon, order }`; epsilon is `Infinity` when every order's RDP is infinite.
 * @example
 * ```ts
 * import { computeRdp, rdpToEpsilon, DEFAULT_RDP_ORDERS } from 'responsible-tfjs/privacy';
 * const rdp = computeRdp({ sampleRate: 0.04, noiseMultiplier: 1.5, steps: 2250 });
 * console.log(rdpToEpsilon({ orders: DEFAULT_RDP_ORDERS, rdp, delta: 1e-5 })); // { epsilon: 7.3291..., order: ... }
 * ```
 */
export function rdpToEpsilon(options: RdpToEpsilonOptions): RdpConversion {
  const fn = 'rdpToEpsilon';
  const { orders, rdp, delta } = optionsObject(fn, 'options', options);
  checkCurve(fn, orders, rdp);
  numberInRange(fn, 'delta', delta, { min: 0, max: 1, minInclusive: false, maxInclusive: false });
  return epsilonFromRdp(orders, rdp, delta);
}

/** Unchecked conversion (internal). */
export function epsilonFromRdp(orders: readonly number[], rdp: ArrayLike<number>, delta: number): RdpConversion {
  const logDelta = Math.log(delta);
  let best = Infinity;
  let bestOrder = orders[0] as number;
  let certifiesZero = false;
  for (let i = 0; i < orders.length; i++) {
    const a = orders[i] as number;
    const r = rdp[i] as number;
    let eps: number;
    if (r === 0) eps = 0; // D_α = 0: the two distributions are equal, (0, 0)-DP
    else if (a > 1.01) eps = r + Math.log1p(-1 / a) - (logDelta + Math.log(a)) / (a - 1);
    else eps = Infinity;
    if (r > 0 && !(eps > 0)) {
      certifiesZero ||= eps <= 0;
      continue;
    }
    if (eps < best || (i === 0 && !(eps > best))) {
      best = eps;
      bestOrder = a;
    }
  }
  if (best === Infinity && certifiesZero) return { epsilon: 0, order: bestOrder };
  return { epsilon: Math.max(0, best), order: bestOrder };
}

/**
 * Options of {@link rdpToDelta}.
 */
export interface RdpToDeltaOptions {
  /** Rényi orders, each > 1. */
  readonly orders: readonly number[];
  /** RDP at each order (same length as `orders`), each >= 0. */
  readonly rdp: ArrayLike<number>;
  /** Target epsilon >= 0. */
  readonly epsilon: number;
}

/**
 * Result of {@link rdpToDelta}.
 */
export interface RdpDeltaConversion {
  /** The smallest delta over the orders, in [0, 1]. */
  readonly delta: number;
  /** The order attaining it. */
  readonly order: number;
}

/**
 * The smallest delta an RDP curve implies at a given epsilon (dp_accounting's `compute_delta`):
 * the minimum over orders of the KL bound `√(1 − e^{−rdp})` and
 * `exp((α − 1)(rdp − ε + ln(1 − 1/α)) − ln α)`.
 *
 * @returns `{ delta, order }` with delta in [0, 1].
 * @example
 * ```ts
 * import { computeRdp, rdpToDelta, DEFAULT_RDP_ORDERS } from 'responsible-tfjs/privacy';
 * const rdp = computeRdp({ sampleRate: 0.01, noiseMultiplier: 1.1, steps: 1000 });
 * console.log(rdpToDelta({ orders: DEFAULT_RDP_ORDERS, rdp, epsilon: 2 }).delta);
 * ```
 */
export function rdpToDelta(options: RdpToDeltaOptions): RdpDeltaConversion {
  const fn = 'rdpToDelta';
  const { orders, rdp, epsilon } = optionsObject(fn, 'options', options);
  checkCurve(fn, orders, rdp);
  nonNegativeNumber(fn, 'epsilon', epsilon);
  return deltaFromRdp(orders, rdp, epsilon);
}

/** Unchecked inverse conversion (internal). */
export function deltaFromRdp(orders: readonly number[], rdp: ArrayLike<number>, epsilon: number): { delta: number; order: number } {
  let best = Infinity;
  let bestOrder = orders[0] as number;
  let positive = false;
  for (let i = 0; i < orders.length; i++) {
    const a = orders[i] as number;
    const r = rdp[i] as number;
    positive ||= r > 0;
    // KL bound √(1 − e^{−rdp}); −expm1 keeps it positive for a tiny rdp.
    let logDelta = r === 0 ? -Infinity : 0.5 * Math.log(-Math.expm1(-r));
    if (a > 1.01) logDelta = Math.min(logDelta, (a - 1) * (r - epsilon + Math.log1p(-1 / a)) - Math.log(a));
    if (i === 0 || logDelta < best) {
      best = logDelta;
      bestOrder = a;
    }
  }
  // A positive RDP means a delta > 0: one that underflows is rounded up, not to 0.
  const delta = Math.min(Math.exp(best), 1);
  return { delta: positive && delta === 0 ? Number.MIN_VALUE : delta, order: bestOrder };
}

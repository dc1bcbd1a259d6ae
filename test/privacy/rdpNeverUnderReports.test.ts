/**
 * The RDP accountant must never under-report epsilon (issue 11): per-order RDP is an upper bound
 * (checked against 50-digit values), it is > 0 for any q > 0, and the epsilon it converts to is
 * > 0 and above a certified lower bound on the true epsilon, across q down to 1e-9, σ up to 100
 * and up to 1e9 steps.
 */
import normalLogcdf from '@stdlib/stats-base-dists-normal-logcdf';
import gammaln from '@stdlib/math-base-special-gammaln';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { logAConvexBound } from '../../src/privacy/accounting/rdp/subsampledGaussianRdp.js';
import { DEFAULT_RDP_ORDERS, DP_ACCOUNTING_RDP_ORDERS, PldAccountant, RdpAccountant, computeRdp } from '../../src/privacy/index.js';

const CUSTOM_ORDERS = [1.25, 1.5, 58.75, 59, 59.25, 59.5, 64.5];
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

/** log of the standard normal upper tail P(Z > z). */
const logSf = (z: number): number => normalLogcdf(-z, 0, 1);

function logSumExp(xs: readonly number[]): number {
  const m = Math.max(...xs);
  if (m === -Infinity) return m;
  let s = 0;
  for (const x of xs) s += Math.exp(x - m);
  return m + Math.log(s);
}

/**
 * A certified lower bound on the true epsilon(delta) of `steps` Poisson-subsampled Gaussian steps.
 * The sum of the noisy outputs is a post-processing, so its hockey-stick divergence bounds the
 * mechanism's from below: with the added record, the sum is N(B, steps·σ²) with B ~ Bin(steps, q);
 * without it, N(0, steps·σ²). Keeping only the binomial terms in a window (a sub-probability,
 * when the window does not cover the binomial) only lowers the divergence, so the bound stays valid.
 */
function sumStatisticEpsilon(q: number, sigma: number, steps: number, delta: number): number {
  const mean = steps * q;
  const sd = Math.sqrt(steps * q * (1 - q));
  const mid = Math.round(mean);
  const from = Math.max(0, Math.floor(mean - 12 * sd - 5), mid - 300);
  const to = Math.min(steps, Math.ceil(mean + 12 * sd + 5), mid + 300);
  const bs: number[] = [];
  const logW: number[] = [];
  const logBinomBase = gammaln(steps + 1);
  for (let b = from; b <= to; b++) {
    bs.push(b);
    const rest = steps - b === 0 ? 0 : (steps - b) * Math.log1p(-q); // q = 1: 0 · (−∞) is 0 here
    logW.push(logBinomBase - gammaln(b + 1) - gammaln(steps - b + 1) + b * Math.log(q) + rest);
  }
  const tau = sigma * Math.sqrt(steps);
  const logRatio = (s: number): number => logSumExp(bs.map((b, i) => (logW[i] as number) + (2 * b * s - b * b) / (2 * tau * tau)));
  // δ(ε) = P(S > s*) − e^ε Q(S > s*), where the likelihood ratio (increasing in s) crosses e^ε.
  const hockeyStick = (eps: number): number => {
    let lo = -1e3 * tau - 10 * to;
    let hi = 1e3 * tau + 10 * to;
    for (let i = 0; i < 120; i++) {
      const m = 0.5 * (lo + hi);
      if (logRatio(m) < eps) lo = m;
      else hi = m;
    }
    const s = 0.5 * (lo + hi);
    const logP = logSumExp(bs.map((b, i) => (logW[i] as number) + logSf((s - b) / tau)));
    return Math.exp(logP) - Math.exp(eps + logSf(s / tau));
  };
  if (hockeyStick(0) <= delta) return 0;
  let lo = 0;
  let hi = 1;
  while (hockeyStick(hi) > delta) hi *= 2;
  for (let i = 0; i < 50; i++) {
    const m = 0.5 * (lo + hi);
    if (hockeyStick(m) > delta) lo = m;
    else hi = m;
  }
  return lo;
}

describe('regressions (issue 11)', () => {
  it('sigma 10, q 1e-6, 1e6 steps, delta 1e-5: epsilon > 0 (was 0), >= 0.0035 and above a certified lower bound', () => {
    const step = { noiseMultiplier: 10, sampleRate: 1e-6 };
    const opacusOrders = new RdpAccountant().step(step, 1_000_000);
    const dpaccOrders = new RdpAccountant({ orders: DP_ACCOUNTING_RDP_ORDERS }).step(step, 1_000_000);
    for (const acc of [opacusOrders, dpaccOrders]) {
      expect(Array.from(acc.rdp).every((r) => r > 0 && Number.isFinite(r))).toBe(true);
      expect(acc.getEpsilon(1e-5)).toBeGreaterThanOrEqual(0.0035);
    }
    // Opacus' orders end at 63 and give 0.1029; order 1024 gives dp_accounting's 0.0035.
    expect(opacusOrders.getEpsilonAndOrder(1e-5)).toEqual({ epsilon: expect.closeTo(0.10287, 5) as number, order: 63 });
    expect(dpaccOrders.getEpsilonAndOrder(1e-5)).toEqual({ epsilon: expect.closeTo(0.0035066, 7) as number, order: 1024 });
    // The truth lies between 9.0e-5 (the sum statistic) and 0.0035. (Our PLD reports 0.0065 here:
    // at interval 1e-4 a million pessimistic roundings add up, so PLD is not the tighter one.)
    const lower = sumStatisticEpsilon(1e-6, 10, 1_000_000, 1e-5);
    expect(lower).toBeGreaterThan(8e-5);
    expect(dpaccOrders.getEpsilon(1e-5)).toBeGreaterThanOrEqual(lower);
    expect(dpaccOrders.getDelta(0.001)).toBeGreaterThan(0);
  });

  it('q 0.4, sigma 12, orders 58.75-59.5: RDP >= 0 at every order, log A equals the 50-digit value (was -30.01)', () => {
    const orders = [58.75, 59, 59.25, 59.5];
    const exactLogA = [2.090674115213872, 2.109654114107613, 2.128729206254384, 2.147899528517723];
    const rdp = computeRdp({ sampleRate: 0.4, noiseMultiplier: 12, steps: 1, orders });
    orders.forEach((a, i) => {
      const logA = (rdp[i] as number) * (a - 1);
      expect(logA).toBeGreaterThanOrEqual(exactLogA[i] as number);
      expect(rel(logA, exactLogA[i] as number)).toBeLessThan(1e-12);
    });
    const eps = new RdpAccountant({ orders: CUSTOM_ORDERS }).step({ noiseMultiplier: 12, sampleRate: 0.4 }, 1).getEpsilon(1e-5);
    expect(eps).toBeGreaterThanOrEqual(sumStatisticEpsilon(0.4, 12, 1, 1e-5));
    expect(eps).toBeGreaterThanOrEqual(new PldAccountant().step({ noiseMultiplier: 12, sampleRate: 0.4 }, 1).getEpsilon(1e-5));
  });
});

describe('per-order RDP against 50-digit quadrature (mpmath)', () => {
  // [q, sigma, order, exact RDP]: small q (where log A would round to 0), q near 1/2 on both sides
  // of the series' switch, q near 1, large and near-integer orders.
  const table: [number, number, number, number][] = [
    [0.4, 12, 64.5, 0.04018137875484544],
    [1e-6, 10, 1.25, 6.2813543800999426e-15],
    [1e-6, 10, 1.5, 7.537625275121956e-15],
    [1e-6, 10, 64.5, 3.24118092736355e-13],
    [1e-6, 10, 1024.5, 5.148251171182522e-12],
    [1e-9, 100, 1.1, 5.500275009166401e-23],
    [1e-9, 100, 1.5, 7.500375012499938e-23],
    [1e-9, 100, 64.5, 3.2251612553952937e-21],
    [1e-9, 1, 1.25, 1.073926140610233e-18],
    [0.49, 0.5, 1.1, 0.7695652428528454],
    [0.51, 2, 3.3, 0.12831294899345622],
    [0.999, 3, 10.5, 0.5826125405077736],
  ];
  it('is never below the exact value and within 1e-10 of it', () => {
    for (const [q, sigma, order, exact] of table) {
      const [r] = computeRdp({ sampleRate: q, noiseMultiplier: sigma, steps: 1, orders: [order] });
      expect(r as number).toBeGreaterThanOrEqual(exact);
      expect(rel(r as number, exact)).toBeLessThan(1e-10);
    }
  });

  it('the fallback for fractional orders (log-convexity between integer orders) is an upper bound too', () => {
    for (const [q, sigma, order, exact] of table) {
      if (order > 200) continue;
      expect(logAConvexBound(q, sigma, order) / (order - 1)).toBeGreaterThanOrEqual(exact);
    }
  });
});

// Log-uniform grids from integers: fast-check's doubles crowd at the range ends.
const logGrid = (lo: number, hi: number): fc.Arbitrary<number> =>
  fc.integer({ min: Math.round(lo * 100), max: Math.round(hi * 100) }).map((u) => 10 ** (u / 100));
const qArb = logGrid(-9, 0);
const sigmaArb = logGrid(Math.log10(0.3), 2);
const stepsArb = logGrid(0, 9).map((n) => Math.max(1, Math.round(n)));
const ordersArb = fc.constantFrom(CUSTOM_ORDERS, DEFAULT_RDP_ORDERS, DP_ACCOUNTING_RDP_ORDERS);

describe('never under-reports (fast-check)', () => {
  it('q 1e-9..1, sigma 0.3..100, steps 1..1e9: RDP finite and > 0 at every order, epsilon > 0 and >= a certified lower bound', () => {
    fc.assert(
      fc.property(qArb, sigmaArb, stepsArb, ordersArb, (q, sigma, steps, orders) => {
        const acc = new RdpAccountant({ orders }).step({ noiseMultiplier: sigma, sampleRate: q }, steps);
        for (const r of acc.rdp) {
          expect(r).toBeGreaterThan(0);
          expect(r).toBeLessThan(Infinity);
        }
        const eps = acc.getEpsilon(1e-5);
        expect(eps).toBeGreaterThan(0);
        expect(eps).toBeGreaterThanOrEqual(sumStatisticEpsilon(q, sigma, steps, 1e-5));
      }),
      { numRuns: 60, seed: 11 },
    );
  });

  it('RDP at every order is non-decreasing in steps and in q', () => {
    fc.assert(
      fc.property(
        qArb,
        sigmaArb,
        stepsArb,
        logGrid(-3, 1),
        fc.integer({ min: 1, max: 1000 }),
        (q, sigma, steps, growth, moreSteps) => {
          const at = (sampleRate: number, n: number): Float64Array =>
            computeRdp({ sampleRate, noiseMultiplier: sigma, steps: n, orders: CUSTOM_ORDERS });
          const base = at(q, steps);
          const biggerQ = at(Math.min(1, q * (1 + growth)), steps);
          const longer = at(q, steps + moreSteps);
          base.forEach((r, i) => {
            expect(biggerQ[i] as number).toBeGreaterThanOrEqual(r);
            expect(longer[i] as number).toBeGreaterThanOrEqual(r);
          });
        },
      ),
      { numRuns: 80, seed: 5 },
    );
  });

  // PLD is only a fair yardstick where its own pessimism (up to one grid step per composition) is
  // small: q >= 1e-3, sigma <= 4 and at most 300 steps at the default interval 1e-4 (sigma >= 0.8 and
  // q <= 0.1 keep the PLD grid small enough to be quick). Beyond that (e.g. 1e6 steps above) the
  // certified lower bound of the first property stands in for it. Over 40 random cases of a wider
  // range (q to 0.5, sigma from 0.5, 1000 steps) RDP was >= 1.07 × PLD.
  it('RDP epsilon >= PLD epsilon where PLD is tight (q 1e-3..0.1, sigma 0.8..4, steps <= 300)', () => {
    fc.assert(
      fc.property(
        logGrid(-3, -1),
        logGrid(Math.log10(0.8), Math.log10(4)),
        fc.integer({ min: 1, max: 300 }),
        ordersArb,
        (q, sigma, steps, orders) => {
          const step = { noiseMultiplier: sigma, sampleRate: q };
          const pld = new PldAccountant().step(step, steps).getEpsilon(1e-5);
          expect(new RdpAccountant({ orders }).step(step, steps).getEpsilon(1e-5)).toBeGreaterThanOrEqual(pld);
        },
      ),
      { numRuns: 10, seed: 23 },
    );
  });
});

/**
 * PLDs with few atoms (internal): dp_accounting's `from_privacy_parameters`,
 * `from_randomized_response` (REPLACE_ONE) and the privacy-buckets discretization of
 * `DiscreteLaplacePrivacyLoss`, all rounded up to the grid (pessimistic estimate).
 */
import { logAExpBPlusC } from './additiveNoise.js';
import { MAX_PMF_BINS } from './connectDots.js';
import type { Pmf } from './pmf.js';

/** Tail mass dp_accounting drops when composing (`compose(..., tail_mass_truncation=1e-15)`). */
const TAIL = 1e-15;

/**
 * A dense PMF from `{grid index → mass}` (`create_pmf`; atoms are rounded up already), with the
 * tail truncation dp_accounting applies when the accountant composes it onto its history: the
 * lowest atoms of total mass <= 5e-16 move up onto the first kept atom, the highest of total
 * mass <= 5e-16 to +∞ (both only raise δ(ε)). This also keeps huge-span PMFs (an (ε, δ) pair
 * with ε = 40, randomized response with p = 1e-300) small.
 */
export function pmfFromMasses(masses: Map<number, number>, infinityMass: number): Pmf {
  const keys = [...masses.keys()].filter((k) => (masses.get(k) as number) > 0).sort((a, b) => a - b);
  if (keys.length === 0) return { lower: 0, probs: new Float64Array([0]), infinityMass };
  const mass = (i: number): number => masses.get(keys[i] as number) as number;
  let first = 0;
  let leftMass = 0;
  while (first < keys.length - 1 && leftMass + mass(first) <= TAIL / 2) leftMass += mass(first++);
  let last = keys.length - 1;
  let rightMass = 0;
  while (last > first && rightMass + mass(last) <= TAIL / 2) rightMass += mass(last--);
  const lo = keys[first] as number;
  const n = (keys[last] as number) - lo + 1;
  if (!(n <= MAX_PMF_BINS)) throw new RangeError(`the privacy-loss grid would need ${n} bins`);
  const probs = new Float64Array(n);
  for (let i = first; i <= last; i++) probs[(keys[i] as number) - lo] = mass(i);
  probs[0] = (probs[0] as number) + leftMass;
  return { lower: lo, probs, infinityMass: infinityMass + rightMass };
}

function add(m: Map<number, number>, key: number, mass: number): void {
  m.set(key, (m.get(key) ?? 0) + mass);
}

/**
 * The pessimistic PLD of any (ε, δ)-DP mechanism: +∞ w.p. δ, ε w.p. (1−δ)/(1+e^{−ε}), −ε w.p.
 * (1−δ)/(1+e^{ε}) (dp_accounting `from_privacy_parameters`).
 */
export function epsilonDeltaPmf(epsilon: number, delta: number, interval: number): Pmf {
  const m = new Map<number, number>();
  add(m, Math.ceil(epsilon / interval), (1 - delta) / (1 + Math.exp(-epsilon)));
  add(m, Math.ceil(-epsilon / interval), (1 - delta) / (1 + Math.exp(epsilon)));
  return pmfFromMasses(m, delta);
}

/**
 * k-ary randomized response with noise parameter p in (0, 1), k >= 2, under REPLACE_ONE:
 * losses ±ln((1 − p(k−1)/k) / (p/k)) and 0 (symmetric).
 */
export function randomizedResponsePmf(p: number, k: number, interval: number): Pmf {
  const logTrue = Math.log(1 - (p * (k - 1)) / k);
  const logOther = Math.log(p / k);
  const m = new Map<number, number>();
  add(m, Math.ceil((logTrue - logOther) / interval), Math.exp(logTrue));
  add(m, Math.ceil((logOther - logTrue) / interval), Math.exp(logOther));
  if (k > 2) add(m, 0, Math.exp(Math.log(((k - 2) * p) / k)));
  return pmfFromMasses(m, 0);
}

/** CDF of the discrete Laplace distribution ∝ e^{−a|x|} at an integer x (scipy's `dlaplace`, overflow-safe). */
function dlapCdf(a: number, x: number): number {
  return x >= 0 ? 1 - Math.exp(-a * (x + 1)) / (1 + Math.exp(-a)) : Math.exp(a * x) / (1 + Math.exp(-a));
}

/**
 * The discrete Laplace mechanism (parameter a, integer sensitivity s) with Poisson subsampling
 * at rate q, one adjacency direction, by dp_accounting's privacy-buckets algorithm (its default
 * for this mechanism): every integer outcome's loss rounded up to the grid.
 */
export function discreteLaplacePmf(a: number, s: number, q: number, adjacency: 'remove' | 'add', interval: number): Pmf {
  const removeLoss = (x: number): number => {
    const l = (Math.abs(x) - Math.abs(x + s)) * a;
    return q === 1 ? l : logAExpBPlusC(q, l, 1 - q);
  };
  const loss = (x: number): number => (adjacency === 'add' ? -removeLoss(-x) : removeLoss(x));
  const upperCdf = (x: number): number => {
    if (adjacency === 'add') return dlapCdf(a, x);
    if (q === 1) return dlapCdf(a, x + s);
    return (1 - q) * dlapCdf(a, x) + q * dlapCdf(a, x + s);
  };
  const [lowerX, upperX] = adjacency === 'add' ? [1, s - 1] : [1 - s, -1];
  const m = new Map<number, number>();
  const bucket = (x: number): number => Math.ceil(loss(x) / interval);
  // Tails: everything below lowerX has the loss at lowerX − 1, everything above upperX that at upperX + 1.
  const tail = new Map<number, number>([
    [loss(lowerX - 1), upperCdf(lowerX - 1)],
    [loss(upperX + 1), 1 - upperCdf(upperX)],
  ]); // keyed by loss value, as dp_accounting's dict (equal losses keep the second mass)
  for (const [l, mass] of tail) add(m, Math.ceil(l / interval), mass);
  let prev = upperCdf(lowerX - 1);
  for (let x = lowerX; x <= upperX; x++) {
    const c = upperCdf(x);
    add(m, bucket(x), c - prev);
    prev = c;
  }
  return pmfFromMasses(m, 0);
}

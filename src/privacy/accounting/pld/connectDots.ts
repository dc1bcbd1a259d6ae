/**
 * Pessimistic connect-the-dots discretization (Doroshenko et al. 2022), as dp_accounting's
 * `create_pmf_pessimistic_connect_dots_fixed_gap` (internal).
 */
import type { Pmf } from './pmf.js';
import type { SubsampledLoss } from './additiveNoise.js';

/** Largest grid (number of bins) a single mechanism may occupy. */
export const MAX_PMF_BINS = 1 << 24;

/**
 * The dominating discretized PLD of a mechanism on the grid `k × interval`: the PMF whose δ(ε)
 * curve linearly interpolates (in the e^ε-convex sense) the exact curve at the grid points, which
 * upper-bounds the exact δ(ε) everywhere.
 */
export function connectDotsPmf(loss: SubsampledLoss, interval: number): Pmf {
  const [lo, n] = connectDotsGrid(loss.epsilonBounds(), interval);
  const deltas = new Float64Array(n);
  for (let i = 0; i < n; i++) deltas[i] = loss.delta((lo + i) * interval);
  return connectDotsFromDeltas(lo, deltas, interval);
}

/**
 * The grid `lo × interval … (lo + n − 1) × interval` covering losses [epsLower, epsUpper] (floor,
 * ceil), as `[lo, n]`; a RangeError when it would exceed {@link MAX_PMF_BINS}.
 */
export function connectDotsGrid([epsLower, epsUpper]: readonly [number, number], interval: number): [number, number] {
  const lo = Math.floor(epsLower / interval);
  const hi = Math.ceil(epsUpper / interval);
  const n = hi - lo + 1;
  if (!(n <= MAX_PMF_BINS)) {
    throw new RangeError(
      `the privacy-loss grid would need ${n} bins (losses from ${epsLower} to ${epsUpper} at interval ${interval})`,
    );
  }
  return [lo, n];
}

/**
 * The connect-the-dots PMF from δ at the grid points `(lo + i) × interval` (dp_accounting
 * `create_pmf_pessimistic_connect_dots_fixed_gap`); `deltas` is overwritten by its running minimum.
 */
export function connectDotsFromDeltas(lo: number, deltas: Float64Array, interval: number): Pmf {
  const n = deltas.length;
  if (n === 1) return { lower: lo, probs: new Float64Array([1 - (deltas[0] as number)]), infinityMass: deltas[0] as number };
  for (let i = 1; i < n; i++) if ((deltas[i] as number) > (deltas[i - 1] as number)) deltas[i] = deltas[i - 1] as number;
  const em1 = Math.expm1(interval);
  const ed = Math.exp(interval);
  const probs = new Float64Array(n);
  const diff = (i: number): number => (deltas[i + 1] as number) - (deltas[i] as number);
  probs[0] = 1 - (deltas[0] as number) + diff(0) / em1;
  for (let i = 1; i < n - 1; i++) probs[i] = (diff(i) - diff(i - 1) * ed) / em1;
  probs[n - 1] = diff(n - 2) / Math.expm1(-interval);
  for (let i = 0; i < n; i++) if (!((probs[i] as number) > 0)) probs[i] = 0;
  return { lower: lo, probs, infinityMass: deltas[n - 1] as number };
}

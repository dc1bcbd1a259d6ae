/**
 * Dense privacy-loss PMFs on the grid `(lower + i) × interval` (internal), with the composition,
 * truncation and conversion routines of dp_accounting's `pld_pmf.py` (pessimistic estimates).
 */
import { MAX_PMF_BINS } from './connectDots.js';
import { convolve, nextPow2, selfConvolveCircular, selfConvolvePairCircular } from './fft.js';

/** A discretized privacy-loss distribution: probs[i] is the mass at loss (lower + i) × interval. */
export interface Pmf {
  readonly lower: number;
  readonly probs: Float64Array;
  /** Mass at +∞ (including truncated tails, pessimistically). */
  readonly infinityMass: number;
}

/** The identity PLD (no privacy loss). */
export const IDENTITY_PMF: Pmf = { lower: 0, probs: /* @__PURE__ */ new Float64Array([1]), infinityMass: 0 };

/** Moves the tails of mass <= tail/2 each: left into the first kept bin, right to +∞. */
export function truncateTails(probs: Float64Array, tail: number): { offset: number; probs: Float64Array; rightMass: number } {
  if (tail === 0) return { offset: 0, probs, rightMass: 0 };
  const half = tail / 2;
  const n = probs.length;
  let s = 0;
  let left = n;
  for (let i = 0; i < n; i++) {
    s += probs[i] as number;
    if (s > half) {
      left = i;
      break;
    }
  }
  s = 0;
  let rightPrefix = n;
  for (let i = 0; i < n; i++) {
    s += probs[n - 1 - i] as number;
    if (s > half) {
      rightPrefix = i;
      break;
    }
  }
  let right = n - rightPrefix;
  right = Math.max(right, left + 1);
  let leftMass = 0;
  for (let i = 0; i < left; i++) leftMass += probs[i] as number;
  let rightMass = 0;
  for (let i = right; i < n; i++) rightMass += probs[i] as number;
  const kept = probs.slice(left, right);
  kept[0] = (kept[0] as number) + leftMass;
  return { offset: left, probs: kept, rightMass };
}

/** Number of nonzero entries. */
function support(probs: Float64Array): number {
  let n = 0;
  for (let i = 0; i < probs.length; i++) if (probs[i] !== 0) n++;
  return n;
}

/**
 * Linear convolution, summing atom by atom when one side has few atoms (exact, and cheaper than
 * an FFT there: dp_accounting keeps such PMFs sparse), by FFT otherwise.
 */
function convolveAuto(a: Float64Array, b: Float64Array): Float64Array {
  const outLen = a.length + b.length - 1;
  const [sparse, dense] = support(a) * b.length <= support(b) * a.length ? [a, b] : [b, a];
  const size = nextPow2(outLen);
  if (support(sparse) * dense.length > 6 * size * Math.log2(size)) return convolve(a, b);
  const out = new Float64Array(outLen);
  for (let i = 0; i < sparse.length; i++) {
    const p = sparse[i] as number;
    if (p === 0) continue;
    for (let j = 0; j < dense.length; j++) out[i + j] = (out[i + j] as number) + p * (dense[j] as number);
  }
  return out;
}

/** Composition of two PLDs: convolution, then tail truncation (dp_accounting `compose`). */
export function composePmf(a: Pmf, b: Pmf, tail = 1e-15): Pmf {
  const conv = convolveAuto(a.probs, b.probs);
  const t = truncateTails(conv, tail);
  return {
    lower: a.lower + b.lower + t.offset,
    probs: t.probs,
    infinityMass: a.infinityMass + b.infinityMass - a.infinityMass * b.infinityMass + t.rightMass,
  };
}

/** Chernoff bounds on the support of the `times`-fold self-convolution (dp_accounting). */
function selfConvolveBounds(probs: Float64Array, times: number, tail: number): [number, number] {
  const n = probs.length;
  let upper = (n - 1) * times;
  let lower = 0;
  if (tail === 0) return [lower, upper];
  const logTwoOverTail = Math.log(2 / tail);
  for (let o = -20; o <= 20; o++) {
    if (o === 0) continue;
    const order = o / n;
    // weighted logsumexp of i × order
    let max = -Infinity;
    for (let i = 0; i < n; i++) if ((probs[i] as number) > 0 && i * order > max) max = i * order;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const p = probs[i] as number;
      if (p !== 0) sum += p * Math.exp(i * order - max);
    }
    const logMgf = Math.log(sum) + max;
    const bound = (times * logMgf + logTwoOverTail) / order;
    if (!Number.isFinite(bound)) continue;
    if (order > 0) upper = Math.min(upper, Math.ceil(bound));
    else lower = Math.max(lower, Math.floor(bound));
  }
  return [lower, upper];
}

/** dp_accounting composes a sparse PMF atom by atom while its support^times stays <= 1000. */
function composesSparsely(a: Pmf, times: number): boolean {
  const n = support(a.probs);
  return n <= 1000 && times * Math.log(Math.max(n, 1)) <= Math.log(1000) + 1e-9;
}

/** Repeated exact composition, truncating only at the end (`SparsePLDPmf.self_compose`). */
function selfComposeSparse(a: Pmf, times: number, tail: number): Pmf {
  let out = a;
  for (let i = 2; i <= times; i++) out = composePmf(out, a, i === times ? tail : 0);
  return out;
}

/** `times`-fold self-composition by one FFT power (dp_accounting `DensePLDPmf.self_compose`). */
export function selfComposePmf(a: Pmf, times: number, tail = 1e-15): Pmf {
  if (times === 1) return a;
  if (composesSparsely(a, times)) return selfComposeSparse(a, times, tail);
  const [lo, hi] = selfConvolveBounds(a.probs, times, tail);
  const outLen = hi - lo + 1;
  // A composition so long that its loss grid cannot be held (counts near 2^53) is the same
  // condition as a too-fine grid: the accountant turns this RangeError into its typed error.
  if (!(outLen <= MAX_PMF_BINS)) throw new RangeError(`the composed privacy-loss grid would need ${outLen} bins`);
  const circ = selfConvolveCircular(a.probs, times, outLen);
  const size = circ.length;
  const out = new Float64Array(outLen);
  for (let i = 0; i < outLen; i++) out[i] = circ[(((i + lo) % size) + size) % size] as number;
  const inf = tail - Math.expm1(times * Math.log1p(-a.infinityMass));
  return { lower: a.lower * times + lo, probs: out, infinityMass: inf };
}

/** Both directions' self-compositions with one packed FFT pair (same result as two calls). */
export function selfComposePmfPair(a: Pmf, b: Pmf, times: number, tail = 1e-15): [Pmf, Pmf] {
  if (times === 1) return [a, b];
  if (composesSparsely(a, times) || composesSparsely(b, times)) return [selfComposePmf(a, times, tail), selfComposePmf(b, times, tail)];
  const [loA, hiA] = selfConvolveBounds(a.probs, times, tail);
  const [loB, hiB] = selfConvolveBounds(b.probs, times, tail);
  const lenA = hiA - loA + 1;
  const lenB = hiB - loB + 1;
  const size = nextPow2(Math.max(lenA, lenB, a.probs.length, b.probs.length));
  const [ca, cb] = selfConvolvePairCircular(a.probs, b.probs, times, size);
  const cut = (circ: Float64Array, lo: number, len: number): Float64Array => {
    const out = new Float64Array(len);
    for (let i = 0; i < len; i++) out[i] = circ[(((i + lo) % size) + size) % size] as number;
    return out;
  };
  return [
    { lower: a.lower * times + loA, probs: cut(ca, loA, lenA), infinityMass: tail - Math.expm1(times * Math.log1p(-a.infinityMass)) },
    { lower: b.lower * times + loB, probs: cut(cb, loB, lenB), infinityMass: tail - Math.expm1(times * Math.log1p(-b.infinityMass)) },
  ];
}

/** δ(ε) = m∞ + Σ_{loss > ε} (1 − e^{ε − loss}) p. */
export function pmfDelta(a: Pmf, interval: number, epsilon: number): number {
  let delta = a.infinityMass;
  for (let i = a.probs.length - 1; i >= 0; i--) {
    const loss = (a.lower + i) * interval;
    if (!(loss > epsilon)) break;
    delta += -Math.expm1(epsilon - loss) * (a.probs[i] as number);
  }
  return delta;
}

/** Smallest ε with δ(ε) <= delta (dp_accounting `_get_epsilon_for_delta`). */
export function pmfEpsilon(a: Pmf, interval: number, delta: number): number {
  if (a.infinityMass > delta) return Infinity;
  let massUpper = a.infinityMass;
  let massLower = 0;
  const upperLoss = (a.lower + a.probs.length - 1) * interval;
  for (let k = 0; k < a.probs.length; k++) {
    const loss = upperLoss - k * interval;
    const prob = a.probs[a.probs.length - 1 - k] as number;
    if (massUpper > delta && massLower > 0 && Math.log((massUpper - delta) / massLower) >= loss) break;
    massUpper += prob;
    massLower += Math.exp(-loss) * prob;
    if (massUpper >= delta && massLower === 0) return Math.max(0, loss);
  }
  if (massUpper <= massLower + delta) return 0;
  return Math.log((massUpper - delta) / massLower);
}

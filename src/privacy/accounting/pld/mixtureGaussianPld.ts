/**
 * PLD of the mixture-of-Gaussians mechanism (internal), after dp_accounting's
 * `MixtureGaussianPrivacyLoss` and `from_mixture_gaussian_mechanism`: N(0, σ²) against
 * Σᵢ pᵢ·N(cᵢ, σ²), REMOVE and ADD directions, pessimistic connect-the-dots discretization.
 * The privacy loss has no closed-form inverse; it is inverted by the same bisection as
 * dp_accounting's (to a multiple of 1e-6 in x), so both libraries discretize the same curve.
 */
import { normCdf, normLogCdf, normPpf } from '../math/special.js';
import { logAExpBPlusC } from './additiveNoise.js';
import { connectDotsFromDeltas, connectDotsGrid } from './connectDots.js';
import type { Pmf } from './pmf.js';

/** The mixture's parameters (σ > 0, cᵢ >= 0, pᵢ in [0, 1] summing to 1, some cᵢ > 0 with pᵢ > 0). */
export interface MixtureParams {
  readonly standardDeviation: number;
  readonly sensitivities: readonly number[];
  readonly samplingProbs: readonly number[];
}

/** Precision (in x) of dp_accounting's bisection for the inverse privacy loss. */
const INVERSE_PRECISION = 1e-6;
/**
 * Below this total probability q of a positive sensitivity, δ is computed with the no-release
 * branch cancelled analytically (its direct difference of O(1) CDFs has round-off ~1e-16, which
 * is comparable to δ ~ q once q is below ~1e-12). Above it, dp_accounting's formula, for parity.
 */
const SMALL_Q = 1e-6;
/** Bound on |x| for the inverse-loss bisection when its bracket would be infinite. */
const MAX_X = 1e8;
/** Precision of dp_accounting's bisection for the REMOVE tail cut. */
const TAIL_PRECISION = 1e-4;

/** Whether the mixture releases anything: some sensitivity > 0 drawn with probability > 0. */
export function mixtureIsPrivate(p: MixtureParams): boolean {
  return p.sensitivities.some((c, i) => c > 0 && (p.samplingProbs[i] as number) > 0);
}

/** One direction of the mixture's privacy loss. */
class MixtureLoss {
  private readonly sens: number[] = [];
  private readonly probs: number[] = [];
  private readonly consts: number[] = [];
  private readonly terms: Float64Array;
  private readonly sigma: number;
  private readonly variance: number;
  /** Total probability of a positive sensitivity. */
  private readonly q: number;
  private readonly minSens: number;
  private readonly maxSens: number;

  constructor(
    p: MixtureParams,
    private readonly adjacency: 'add' | 'remove',
    private readonly logMassTruncationBound: number,
  ) {
    this.sigma = p.standardDeviation;
    this.variance = this.sigma ** 2;
    let q = 0;
    p.sensitivities.forEach((c, i) => {
      const w = p.samplingProbs[i] as number;
      if (w === 0) return;
      this.sens.push(c);
      this.probs.push(w);
      // log pᵢ − cᵢ²/(2σ²), the same in both directions
      this.consts.push(Math.log(w) + (c * (-0.5 * c)) / this.variance);
      if (c > 0) q += w;
    });
    this.q = Math.min(1, Math.max(0, q));
    this.terms = new Float64Array(this.sens.length);
    const positive = this.sens.filter((c) => c > 0);
    this.minSens = positive.reduce((a, b) => Math.min(a, b), Infinity);
    this.maxSens = positive.reduce((a, b) => Math.max(a, b), -Infinity);
  }

  /** ln(μ_upper(x)/μ_lower(x)), non-increasing in x (a log-sum-exp over the components). */
  loss(x: number): number {
    const k = this.sens.length;
    const t = this.terms;
    const scale = (this.adjacency === 'add' ? x : -x) / this.variance;
    let mx = -Infinity;
    for (let i = 0; i < k; i++) {
      const s = (this.consts[i] as number) + (this.sens[i] as number) * scale;
      t[i] = s;
      if (s > mx) mx = s;
    }
    let sum = 0;
    if (mx === Infinity || mx === -Infinity) sum = 1;
    else for (let i = 0; i < k; i++) sum += Math.exp((t[i] as number) - mx);
    const acc = mx + Math.log(sum);
    return this.adjacency === 'add' ? -acc : acc;
  }

  private muUpperCdf(x: number): number {
    if (this.adjacency === 'add') return normCdf(x / this.sigma);
    let s = 0;
    for (let i = 0; i < this.sens.length; i++) s += normCdf((x + (this.sens[i] as number)) / this.sigma) * (this.probs[i] as number);
    return s;
  }

  private muLowerLogCdf(x: number): number {
    if (this.adjacency === 'remove') return normLogCdf(x / this.sigma);
    const a = this.sens.map((c) => normLogCdf((x - c) / this.sigma));
    let mx = a.reduce((u, v) => Math.max(u, v), -Infinity);
    if (!Number.isFinite(mx)) mx = 0;
    let s = 0;
    for (let i = 0; i < a.length; i++) s += (this.probs[i] as number) * Math.exp((a[i] as number) - mx);
    return Math.log(s) + mx;
  }

  /**
   * μ_upper(X <= x) − e^ε μ_lower(X <= x), the δ of the loss ε whose inverse is x, written as
   * Σ_{cᵢ>0} pᵢ·(difference of two normal CDFs) − expm1(ε)·Φ(x/σ): the no-release branch cancels
   * exactly, so a tiny q (even one with 1 − q rounding to 1) is not lost to round-off of O(1) CDFs.
   * Used only when q < {@link SMALL_Q}; otherwise δ is dp_accounting's direct difference.
   */
  private deltaAt(x: number, eps: number): number {
    const s = this.sigma;
    const z = x / s;
    const diff = (a: number, b: number): number => normCdf(a) - normCdf(b);
    let released = 0;
    for (let i = 0; i < this.sens.length; i++) {
      const c = this.sens[i] as number;
      if (c <= 0) continue;
      const d = this.adjacency === 'remove' ? diff((x + c) / s, z) : diff(z, (x - c) / s);
      released += (this.probs[i] as number) * d;
    }
    if (this.adjacency === 'add') released *= Math.exp(eps);
    const base = z === Infinity ? 1 : z === -Infinity ? 0 : normCdf(z);
    return released - (eps === 0 ? 0 : Math.expm1(eps) * base);
  }

  /** Loss range [lower, upper] the connect-the-dots grid must cover (dp_accounting `connect_dots_bounds`). */
  epsilonBounds(): [number, number] {
    const tailMass = 0.5 * Math.exp(this.logMassTruncationBound);
    const z = this.sigma * normPpf(tailMass);
    const upperX = -z;
    let lowerX = z;
    if (this.adjacency === 'remove') {
      // the largest x (to TAIL_PRECISION) with μ_upper's CDF <= tailMass, in [z − max c, z]
      let lo = z - this.maxSens;
      let hi = z;
      if (this.muUpperCdf(lo) > tailMass) lowerX = lo;
      else {
        while (hi - lo > TAIL_PRECISION) {
          const mid = (hi + lo) / 2;
          if (this.muUpperCdf(mid) <= tailMass) lo = mid;
          else hi = mid;
        }
        lowerX = lo;
      }
    }
    return [this.loss(upperX), this.loss(lowerX)];
  }

  /**
   * δ at the grid losses `(lo + i) × interval` (dp_accounting `get_delta_for_epsilon` on the
   * whole grid, including its final running maximum from the right).
   */
  deltas(lo: number, n: number, interval: number): Float64Array {
    const eps = new Float64Array(n);
    for (let i = 0; i < n; i++) eps[i] = (lo + i) * interval;
    const out = new Float64Array(n);
    const log1mq = this.q < 1 ? Math.log1p(-this.q) : -Infinity;
    // grid indices [from, to) are inverted; the rest have closed forms
    let from = 0;
    let to = n;
    if (this.q !== 1) {
      if (this.adjacency === 'add') {
        while (to > 0 && !((eps[to - 1] as number) < -log1mq)) to--;
      } else {
        while (from < n && !((eps[from] as number) > log1mq)) {
          out[from] = -Math.expm1(eps[from] as number);
          from++;
        }
      }
    }
    if (to > from) {
      const xs = this.inverseLosses(eps.subarray(from, to));
      for (let i = from; i < to; i++) {
        const x = xs[i - from] as number;
        out[i] =
          this.q < SMALL_Q
            ? this.deltaAt(x, eps[i] as number)
            : this.muUpperCdf(x) - Math.exp((eps[i] as number) + this.muLowerLogCdf(x));
      }
    }
    for (let i = 0; i < n; i++) out[i] = Math.min(1, Math.max(0, out[i] as number));
    for (let i = n - 2; i >= 0; i--) if ((out[i + 1] as number) > (out[i] as number)) out[i] = out[i + 1] as number;
    return out;
  }

  /**
   * For each (ascending) loss l, the smallest multiple of 1e-6, x, with loss(x) <= l, by
   * dp_accounting's bisection over a range bracketed by the subsampled Gaussians that put all
   * positive mass on the smallest or the largest sensitivity (`inverse_privacy_losses`).
   */
  private inverseLosses(pls: Float64Array): Float64Array {
    const add = this.adjacency === 'add';
    const edge = add ? (this.q < 1 ? -Math.log1p(-this.q) : Infinity) : this.q < 1 ? Math.log1p(-this.q) : -Infinity;
    // Only losses at or beyond the edge ±log(1 − q) have x = ∓∞ (and `deltas` gives those their
    // closed form before calling here). dp_accounting tests `np.isclose(pl, edge)` instead
    // (rtol 1e-5, atol 1e-8): for q below ~1e-8 that takes in the loss 0, whose δ is the total
    // variation q·(…), and sets it to 0, under-reporting δ near ε = 0 by orders of magnitude.
    // An inverse that falls short only lowers δ at that point by a second-order amount (δ(ε) is
    // the maximum over x of μ_upper(X <= x) − e^ε μ_lower(X <= x)), so exact is never optimistic
    // beyond round-off; it differs from dp_accounting only at grid losses within its tolerance.
    const finite = new Uint8Array(pls.length);
    for (let i = 0; i < pls.length; i++) {
      const l = pls[i] as number;
      finite[i] = (add ? l < edge : l > edge) ? 1 : 0;
    }
    let minPl = pls[0] as number;
    let maxPl = pls[pls.length - 1] as number;
    let kept = 0;
    let keptMin = Infinity;
    let keptMax = -Infinity;
    for (let i = 0; i < pls.length; i++) {
      if (!finite[i]) continue;
      kept++;
      keptMin = Math.min(keptMin, pls[i] as number);
      keptMax = Math.max(keptMax, pls[i] as number);
    }
    if (add) maxPl = keptMax;
    else minPl = keptMin;
    const out = new Float64Array(pls.length);
    // non-finite entries: x = −∞ (ADD) or +∞ (REMOVE), as dp_accounting
    out.fill(add ? -Infinity : Infinity);
    if (kept === 0) return out;
    const q = this.q;
    // log((e^pl − (1 − q))/q) (ADD: of −pl, negated); for a small q in the stable log1p form,
    // as 1 − 1/q loses the 1 once q is below ~1e-16 (dp_accounting's form otherwise, for parity)
    const plWithoutSampling = (pl: number): number =>
      q < SMALL_Q
        ? add
          ? -Math.log1p(Math.expm1(-pl) / q)
          : Math.log1p(Math.expm1(pl) / q)
        : add
          ? -logAExpBPlusC(1 / q, -pl, 1 - 1 / q)
          : logAExpBPlusC(1 / q, pl, 1 - 1 / q);
    const invSingle = (pl: number, c: number): number => {
      const x = 0.5 * c - (pl * this.variance) / c;
      return add ? x : x - c;
    };
    const candidates: number[] = [];
    for (const pl of [minPl, maxPl]) for (const c of [this.minSens, this.maxSens]) candidates.push(invSingle(plWithoutSampling(pl), c));
    // a loss at round-off distance from the edge has an infinite (or NaN) candidate: bisect over a
    // finite range instead (the loss is monotone, and flat at the edge beyond it)
    const finiteCandidates = candidates.filter((v) => !Number.isNaN(v)).map((v) => Math.max(-MAX_X, Math.min(MAX_X, v)));
    const none = finiteCandidates.length === 0;
    const b0 = Math.floor((none ? -MAX_X : Math.min(...finiteCandidates)) / INVERSE_PRECISION) * INVERSE_PRECISION;
    const b1 = Math.ceil((none ? MAX_X : Math.max(...finiteCandidates)) / INVERSE_PRECISION) * INVERSE_PRECISION;
    // One bisection per loss, sharing the midpoints' losses with the previous loss's path: the
    // same decisions as dp_accounting's batched recursion, with ~8 new evaluations per grid point.
    const maxDepth = 2100; // bounded: a NaN range would otherwise never narrow
    const pathLo = new Float64Array(maxDepth).fill(NaN);
    const pathHi = new Float64Array(maxDepth).fill(NaN);
    const pathLoss = new Float64Array(maxDepth);
    for (let i = 0; i < pls.length; i++) {
      if (!finite[i]) continue;
      const l = pls[i] as number;
      let lo = b0;
      let hi = b1;
      let shared = true;
      for (let depth = 0; depth < maxDepth && !(hi - lo <= INVERSE_PRECISION); depth++) {
        const mid = (lo + hi) / 2;
        let pl: number;
        if (shared && pathLo[depth] === lo && pathHi[depth] === hi) pl = pathLoss[depth] as number;
        else {
          shared = false;
          pl = this.loss(mid);
          pathLo[depth] = lo;
          pathHi[depth] = hi;
          pathLoss[depth] = pl;
        }
        if (l < pl) lo = mid;
        else hi = mid;
      }
      out[i] = Math.floor(hi / INVERSE_PRECISION) * INVERSE_PRECISION;
    }
    return out;
  }
}

/**
 * The pessimistic connect-the-dots PMF of one direction of the mixture of Gaussians
 * (dp_accounting `from_mixture_gaussian_mechanism`, log-mass truncation bound −50 by default).
 * The caller ensures {@link mixtureIsPrivate}. A RangeError when the grid would be too large.
 */
export function mixtureGaussianPmf(
  params: MixtureParams,
  adjacency: 'add' | 'remove',
  interval: number,
  logMassTruncationBound = -50,
): Pmf {
  const loss = new MixtureLoss(params, adjacency, logMassTruncationBound);
  const [lo, n] = connectDotsGrid(loss.epsilonBounds(), interval);
  return connectDotsFromDeltas(lo, loss.deltas(lo, n, interval), interval);
}

/**
 * Privacy losses of additive-noise mechanisms with Poisson subsampling (internal), after
 * dp_accounting's `privacy_loss_mechanism.py` (sensitivity 1; REMOVE, ADD and, for the Gaussian,
 * REPLACE adjacency: μ_upper = (1−q)μ + qμ(·+1) against μ_lower = (1−q)μ + qμ(·−1)).
 */
import { normCdf, normLogCdf, normPpf } from '../math/special.js';

export type Adjacency = 'remove' | 'add' | 'replace';

/** The noise distribution of an additive mechanism. */
export interface Noise {
  cdf(x: number): number;
  logCdf(x: number): number;
  /** Privacy loss without subsampling, REMOVE adjacency. */
  lossRemove(x: number): number;
  inverseLossRemove(loss: number): number;
  /** Largest x whose REPLACE loss (subsampled at rate q) is >= loss; only noises that support REPLACE. */
  inverseLossReplace?(loss: number, q: number): number;
  /** Connect-the-dots range of losses [lower, upper] before subsampling adjustments. */
  epsilonBounds(q: number, adjacency: Adjacency, loss: (x: number) => number): [number, number];
}

/** log(a e^b + c) as dp_accounting's `log_a_times_exp_b_plus_c`. */
export function logAExpBPlusC(a: number, b: number, c: number): number {
  if (a === 0) return Math.log(c);
  if (a < 0) {
    const lc = Math.log(c);
    const lb = Math.log(-a) + b;
    return lc + Math.log1p(-Math.exp(lb - lc));
  }
  if (b === 0) return Math.log(a + c);
  const d = b + Math.log(a);
  if (c === 0) return d;
  if (c < 0) {
    const lc = Math.log(-c);
    return d + Math.log1p(-Math.exp(lc - d));
  }
  const lc = Math.log(c);
  const mx = Math.max(d, lc);
  const mn = Math.min(d, lc);
  return mx + Math.log1p(Math.exp(mn - mx));
}

function isClose(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const mx = Math.max(a, b);
  return mx + Math.log1p(Math.exp(-Math.abs(a - b)));
}

/** A subsampled additive-noise privacy loss (one adjacency direction). */
export class SubsampledLoss {
  constructor(
    readonly noise: Noise,
    readonly q: number,
    readonly adjacency: Adjacency,
  ) {}

  private removeLoss(x: number): number {
    const l = this.noise.lossRemove(x);
    return this.q === 1 ? l : logAExpBPlusC(this.q, l, 1 - this.q);
  }

  loss(x: number): number {
    if (this.adjacency === 'replace') return this.removeLoss(x) - this.removeLoss(-x);
    return this.adjacency === 'add' ? -this.removeLoss(-x) : this.removeLoss(x);
  }

  inverseLoss(pl: number): number {
    const q = this.q;
    if (this.adjacency === 'replace') {
      if (this.noise.inverseLossReplace === undefined) throw new Error('REPLACE adjacency is not supported for this noise');
      return this.noise.inverseLossReplace(pl, q);
    }
    if (this.adjacency === 'remove') {
      if (q === 1) return this.noise.inverseLossRemove(pl);
      if (isClose(pl, Math.log(1 - q))) return this.noise.inverseLossRemove(-Infinity);
      return this.noise.inverseLossRemove(logAExpBPlusC(1 / q, pl, 1 - 1 / q));
    }
    if (q === 1) return 1 + this.noise.inverseLossRemove(pl);
    if (isClose(pl, -Math.log(1 - q))) return 1 + this.noise.inverseLossRemove(Infinity);
    return 1 + this.noise.inverseLossRemove(-logAExpBPlusC(1 / q, -pl, 1 - 1 / q));
  }

  private muUpperCdf(x: number): number {
    if (this.adjacency === 'add') return this.noise.cdf(x);
    if (this.q === 1) return this.noise.cdf(x + 1);
    return (1 - this.q) * this.noise.cdf(x) + this.q * this.noise.cdf(x + 1);
  }

  private muLowerLogCdf(x: number): number {
    if (this.adjacency === 'remove') return this.noise.logCdf(x);
    // ADD and REPLACE share μ_lower = (1−q)μ + qμ(·−1)
    if (this.q === 1) return this.noise.logCdf(x - 1);
    return logAddExp(Math.log1p(-this.q) + this.noise.logCdf(x), Math.log(this.q) + this.noise.logCdf(x - 1));
  }

  /** Exact δ(ε) of the mechanism (hockey-stick divergence). */
  delta(eps: number): number {
    const q = this.q;
    let d: number;
    if (q !== 1 && this.adjacency === 'add' && !(eps < -Math.log1p(-q))) d = 0;
    else if (q !== 1 && this.adjacency === 'remove' && !(eps > Math.log1p(-q))) d = -Math.expm1(eps);
    else {
      const x = this.inverseLoss(eps);
      d = this.muUpperCdf(x) - Math.exp(eps + this.muLowerLogCdf(x));
    }
    return Math.min(1, Math.max(0, d));
  }

  epsilonBounds(): [number, number] {
    return this.noise.epsilonBounds(this.q, this.adjacency, (x) => this.loss(x));
  }
}

/** asinh(sign · e^a), stable for large a (dp_accounting `asinh_exp`). */
function asinhExp(a: number, sign: number): number {
  return sign * logAddExp(0.5 * logAddExp(0, 2 * a), a);
}

/** Gaussian noise of standard deviation σ (log-mass truncation bound −50, as dp_accounting). */
export function gaussianNoise(sigma: number): Noise {
  const s2 = sigma * sigma;
  return {
    cdf: (x) => normCdf(x / sigma),
    logCdf: (x) => normLogCdf(x / sigma),
    lossRemove: (x) => (-0.5 - x) / s2,
    inverseLossRemove: (l) => -0.5 - l * s2,
    inverseLossReplace(l, q) {
      if (l === 0) return 0;
      if (q === 1) return (-l * s2) / 2;
      // x = σ² (asinh(−sinh(|l|/2)·α·sign l) − l/2), α = e^{1/(2σ²)} (1−q)/q (dp_accounting)
      const logAlpha = 0.5 / s2 + Math.log1p(-q) - Math.log(q);
      const a = Math.abs(l) / 2;
      const logSinh = a + Math.log1p(-Math.exp(-2 * a)) - Math.LN2;
      return s2 * (asinhExp(logAlpha + logSinh, l >= 0 ? -1 : 1) - l / 2);
    },
    epsilonBounds(_q, adjacency, loss) {
      let lowerX = sigma * normPpf(0.5 * Math.exp(-50));
      let upperX = -lowerX;
      if (adjacency === 'add') upperX += 1;
      else lowerX -= 1;
      return [loss(upperX), loss(lowerX)];
    },
  };
}

/** Laplace noise of scale b. */
export function laplaceNoise(b: number): Noise {
  return {
    cdf: (x) => (x < 0 ? 0.5 * Math.exp(x / b) : 1 - 0.5 * Math.exp(-x / b)),
    logCdf: (x) => (x < 0 ? Math.log(0.5) + x / b : Math.log1p(-0.5 * Math.exp(-x / b))),
    lossRemove: (x) => (Math.abs(x) - Math.abs(x + 1)) / b,
    inverseLossRemove(l) {
      const t = l * b;
      if (t > 1) return -Infinity;
      if (t <= -1) return Infinity;
      return 0.5 * (-1 - t);
    },
    epsilonBounds(q, adjacency) {
      const m = 1 / b;
      if (q === 1) return [-m, m];
      if (adjacency === 'add') return [-Math.log(1 - q + q * Math.exp(m)), -Math.log(1 - q + q * Math.exp(-m))];
      return [Math.log(1 - q + q * Math.exp(-m)), Math.log(1 - q + q * Math.exp(m))];
    },
  };
}

/**
 * A sum of signed terms given in log space, with a bound on its floating-point error (internal).
 * The RDP series of Mironov, Talwar and Zhang (2019) add terms that span hundreds of orders of
 * magnitude and, at fractional orders, alternate in sign; what the accountant needs is not the
 * nearest double to the sum but a number that is certainly not below it. So every term carries
 * a bound on its own error, tails are added as bounds, and {@link SignedLogSeries.logUpper}
 * returns log(sum + total error bound).
 */
import { logAdd } from './special.js';

const EPS = Number.EPSILON;

/** Accumulates terms ±e^l; evaluates them in one compensated pass at the end. */
export class SignedLogSeries {
  #logs: number[] = [];
  #signs: number[] = [];
  #errLogs: number[] = [];
  #pos = -Infinity;
  #neg = -Infinity;

  /**
   * Adds sign·e^logAbs whose computed value may be off by at most e^logErr.
   * A term with logAbs = −∞ (exactly 0) only contributes its error.
   */
  add(logAbs: number, sign: number, logErr: number): void {
    this.#logs.push(logAbs);
    this.#signs.push(sign);
    this.#errLogs.push(logErr);
    if (sign > 0) this.#pos = logAdd(this.#pos, logAbs);
    else this.#neg = logAdd(this.#neg, logAbs);
  }

  /** Adds an error-only term of magnitude at most e^logMag (a truncated tail). */
  addBound(logMag: number): void {
    this.add(-Infinity, 1, logMag);
  }

  /** log Σ|terms| so far (cheap running value, for stopping rules). */
  get logScale(): number {
    return logAdd(this.#pos, this.#neg);
  }

  /** log |Σ terms| so far (cheap running estimate, for stopping rules; −∞ when it cancels exactly). */
  get logAbsEstimate(): number {
    const hi = Math.max(this.#pos, this.#neg);
    const lo = Math.min(this.#pos, this.#neg);
    if (lo === -Infinity) return hi;
    if (hi === lo) return -Infinity;
    return hi + Math.log(-Math.expm1(lo - hi));
  }

  /**
   * log of an upper bound on the exact sum: the compensated (Neumaier) sum plus the terms' own
   * error bounds, the rounding of exp(l − M) and the summation error. NaN when that bound is not
   * positive (the caller then knows nothing certain about the sum's sign).
   */
  logUpper(): number {
    let m = -Infinity;
    for (let i = 0; i < this.#logs.length; i++) m = Math.max(m, this.#logs[i] as number, this.#errLogs[i] as number);
    if (m === -Infinity) return NaN;
    if (m === Infinity || Number.isNaN(m)) return m === Infinity ? Infinity : NaN;
    let sum = 0;
    let comp = 0;
    let abs = 0;
    let err = 0;
    for (let i = 0; i < this.#logs.length; i++) {
      const l = this.#logs[i] as number;
      const t = (this.#signs[i] as number) * Math.exp(l - m);
      const s = sum + t;
      comp += Math.abs(sum) >= Math.abs(t) ? sum - s + t : t - s + sum;
      sum = s;
      const a = Math.abs(t);
      abs += a;
      // exp(l − m) is off by about ε·|l − m| relative, because l − m is rounded.
      err += Math.exp((this.#errLogs[i] as number) - m);
      if (a > 0) err += a * EPS * (2 + Math.abs(l) + Math.abs(m));
    }
    // Neumaier's bound is 2ε|Σ| + O(nε²)Σ|t|; 4ε Σ|t| + n·2^-1074-scale slack covers both.
    const upper = sum + comp + err + 4 * EPS * abs + this.#logs.length * Number.MIN_VALUE;
    return upper > 0 ? Math.log(upper) + m : NaN;
  }
}

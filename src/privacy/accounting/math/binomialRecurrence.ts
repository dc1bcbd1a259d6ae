/**
 * Generalized binomial coefficients C(α, k), k = 0, 1, 2, ..., by the product recurrence
 * C(α, k) = C(α, k−1) · (α − k + 1)/k (internal). The magnitude is kept as m · 2^shift with exact
 * power-of-two rescaling, so there is no overflow for large α and the relative error after k steps
 * is at most about k·ε (two roundings per step), independent of how large C(α, k) is.
 */

const UP = 2 ** 600;
const DOWN = 2 ** -600;

/** The coefficients of one α, in order of k. */
export class BinomialRecurrence {
  readonly #alpha: number;
  #k = 0;
  #m = 1;
  #shift = 0;
  #sign = 1;

  constructor(alpha: number) {
    this.#alpha = alpha;
  }

  /** The current k. */
  get k(): number {
    return this.#k;
  }

  /** Sign of C(α, k): +1, or −1 (and 0 when α is an integer and k > α). */
  get sign(): number {
    return this.#m === 0 ? 0 : this.#sign;
  }

  /** log |C(α, k)|. */
  get log(): number {
    return Math.log(this.#m) + this.#shift * Math.LN2;
  }

  /** Moves to k + 1. */
  next(): void {
    this.#k++;
    const f = this.#alpha - this.#k + 1;
    if (f < 0) this.#sign = -this.#sign;
    this.#m = (this.#m * Math.abs(f)) / this.#k;
    if (this.#m > UP) {
      this.#m *= DOWN;
      this.#shift += 600;
    } else if (this.#m < DOWN && this.#m > 0) {
      this.#m *= UP;
      this.#shift -= 600;
    }
  }
}

/**
 * Gaussian fits of shadow-model scores for LiRA (internal, plain doubles). Fits are maximum
 * likelihood: the mean, and the standard deviation with divisor n (numpy's `np.std`, as in the
 * LiRA authors' code), per example or with one variance shared by all examples.
 */

/** Per-example mean and standard deviation of the values selected by `side` (IN = 1, OUT = 0). */
export interface GaussianFits {
  readonly mean: Float64Array;
  readonly std: Float64Array;
  readonly counts: Int32Array;
}

/**
 * Fits `N(mean_i, std_i)` to `{ phi[k][i] : included[k][i] === side }` for every example `i`.
 * With `sharedVariance`, every `std_i` is the one maximum-likelihood deviation of a model with
 * per-example means and a common variance: `sqrt(sum_i sum_k (phi_ik - mean_i)^2 / sum_i n_i)`.
 * Examples with no observation get NaN (the caller rejects them first).
 */
export function fitGaussians(phi: readonly Float64Array[], included: readonly ArrayLike<number>[], side: 0 | 1, sharedVariance: boolean): GaussianFits {
  const n = phi[0]!.length;
  const mean = new Float64Array(n);
  const std = new Float64Array(n);
  const counts = new Int32Array(n);
  let pooledSquares = 0;
  let pooledCount = 0;
  for (let i = 0; i < n; i++) {
    let sum = 0;
    let c = 0;
    for (let k = 0; k < phi.length; k++) {
      if (included[k]![i] === side) {
        sum += phi[k]![i] as number;
        c++;
      }
    }
    const m = sum / c;
    let squares = 0;
    for (let k = 0; k < phi.length; k++) {
      if (included[k]![i] === side) squares += ((phi[k]![i] as number) - m) ** 2;
    }
    mean[i] = m;
    std[i] = Math.sqrt(squares / c);
    counts[i] = c;
    pooledSquares += squares;
    pooledCount += c;
  }
  if (sharedVariance) std.fill(Math.sqrt(pooledSquares / pooledCount));
  return { mean, std, counts };
}

const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/** log of the normal density `N(v; mean, std)`. */
export function normalLogPdf(v: number, mean: number, std: number): number {
  const z = (v - mean) / std;
  return -0.5 * z * z - Math.log(std) - HALF_LOG_TWO_PI;
}

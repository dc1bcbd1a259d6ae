/**
 * The exact (Clopper-Pearson) confidence interval of a binomial proportion.
 */
import betainc from '@stdlib/math-base-special-betainc';
import { invalid, nonNegativeInteger, optionsObject, positiveInteger } from '../../core/validate.js';
import { confidenceLevel } from './checks.js';

/** Options of {@link clopperPearson}. */
export interface ClopperPearsonOptions {
  /** Two-sided confidence level in (0, 1) (default 0.95). */
  readonly confidence?: number;
}

/** A proportion's point estimate and its exact two-sided confidence interval. */
export interface ProportionInterval {
  /** successes / trials. */
  readonly estimate: number;
  /** Lower end of the interval (0 when successes = 0). */
  readonly lower: number;
  /** Upper end of the interval (1 when successes = trials). */
  readonly upper: number;
  /** The two-sided confidence level the interval was computed at. */
  readonly confidence: number;
}

/**
 * The exact two-sided Clopper-Pearson interval (Clopper & Pearson 1934) for a binomial proportion,
 * with statsmodels' `proportion_confint(method='beta')` convention: with α = 1 − confidence,
 * `lower` is the α/2 quantile of Beta(k, n − k + 1) (0 when k = 0) and `upper` the 1 − α/2
 * quantile of Beta(k + 1, n − k) (1 when k = n). Each end is therefore a one-sided bound at
 * level 1 − α/2; the interval covers the true proportion with probability ≥ `confidence`.
 *
 * @param successes - Number of successes k, an integer in [0, trials].
 * @param trials - Number of trials n, an integer ≥ 1.
 * @returns The estimate k/n and the interval.
 * @example
 * ```ts
 * import { clopperPearson } from 'responsible-tfjs/audit';
 * // 3 false positives among 1000 non-members: the false-positive rate is at most ~0.0088 (97.5% one-sided)
 * const { estimate, lower, upper } = clopperPearson(3, 1000, { confidence: 0.95 });
 * console.log(estimate, lower.toFixed(6), upper.toFixed(6)); // 0.003 0.000619 0.008742
 * ```
 */
export function clopperPearson(successes: number, trials: number, options?: ClopperPearsonOptions): ProportionInterval {
  const fn = 'clopperPearson';
  const k = nonNegativeInteger(fn, 'successes', successes);
  const n = positiveInteger(fn, 'trials', trials);
  if (k > n) invalid(fn, 'successes', k, `an integer in [0, trials] = [0, ${n}]`);
  const opts = optionsObject(fn, 'options', options);
  const confidence = confidenceLevel(fn, opts.confidence ?? 0.95);
  const halfAlpha = (1 - confidence) / 2;
  // The Beta quantiles are found as roots of the regularized incomplete beta function I_p(a, b),
  // which is the binomial tail: P[X >= k; n, p] = I_p(k, n - k + 1) rises in p, and
  // P[X <= k; n, p] = 1 - I_p(k + 1, n - k) (computed as the upper tail, without cancellation)
  // falls in p. Bisection to full double precision; stdlib's own Beta quantile is not used
  // because its dependency tree pulls a Node-only logger into browser bundles.
  const lower = k === 0 ? 0 : root((p) => betainc(p, k, n - k + 1, true, false) - halfAlpha);
  return { estimate: k / n, lower, upper: clopperPearsonUpper(k, n, halfAlpha), confidence };
}

/** The upper end alone, for validated k <= n and one-sided level 1 - halfAlpha (internal: the bounds need only it). */
export function clopperPearsonUpper(k: number, n: number, halfAlpha: number): number {
  return k === n ? 1 : root((p) => halfAlpha - betainc(p, k + 1, n - k, true, true));
}

/**
 * The root in (0, 1) of an increasing function `f` with f(0+) < 0 < f(1-), by bisection until the
 * bracket cannot shrink in double precision (relative width about 2^-52 even near 0).
 */
function root(f: (p: number) => number): number {
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 2000; i++) {
    // Bisect in the geometric mean while the bracket spans orders of magnitude (tiny roots).
    const mid = lo === 0 ? hi / 16 : hi / lo > 4 ? Math.sqrt(lo * hi) : (lo + hi) / 2;
    if (mid <= lo || mid >= hi) break;
    if (f(mid) < 0) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * The exact (Clopper-Pearson) confidence interval of a binomial proportion.
 */
import betaQuantile from '@stdlib/stats-base-dists-beta-quantile';
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
  const lower = k === 0 ? 0 : betaQuantile(halfAlpha, k, n - k + 1);
  const upper = k === n ? 1 : betaQuantile(1 - halfAlpha, k + 1, n - k);
  return { estimate: k / n, lower, upper, confidence };
}

/**
 * PLD of one step of the truncated Poisson-subsampled Gaussian (internal), after dp_accounting's
 * `from_truncated_subsampled_gaussian_mechanism`: with the probability that the batch was
 * truncated the step is a replace-one Gaussian of noise σ/2, otherwise the plain subsampled one.
 */
import binomialCdf from '@stdlib/stats-base-dists-binomial-cdf';
import { SubsampledLoss, gaussianNoise } from './additiveNoise.js';
import { connectDotsPmf } from './connectDots.js';
import { IDENTITY_PMF, type Pmf } from './pmf.js';

/** Directions of a PLD (`add` undefined when symmetric). */
export interface PmfPair {
  readonly remove: Pmf;
  readonly add?: Pmf;
}

/** P[Binomial(n, p) > k] (scipy's `binom.sf`), as P[Binomial(n, 1 − p) < n − k] to avoid 1 − cdf. */
function binomialSf(k: number, n: number, p: number): number {
  if (k < 0) return 1;
  if (k >= n) return 0;
  return binomialCdf(n - k - 1, n, 1 - p);
}

/** w·a + (1 − w)·b on the union of their grids (dp_accounting `compute_mixture`). */
function mixPmf(a: Pmf, b: Pmf, w: number): Pmf {
  if (w === 0) return b;
  if (w === 1) return a;
  const lower = Math.min(a.lower, b.lower);
  const upper = Math.max(a.lower + a.probs.length, b.lower + b.probs.length);
  const probs = new Float64Array(upper - lower);
  for (let i = 0; i < a.probs.length; i++) probs[a.lower - lower + i] = (probs[a.lower - lower + i] as number) + w * (a.probs[i] as number);
  for (let i = 0; i < b.probs.length; i++) probs[b.lower - lower + i] = (probs[b.lower - lower + i] as number) + (1 - w) * (b.probs[i] as number);
  return { lower, probs, infinityMass: a.infinityMass * w + b.infinityMass * (1 - w) };
}

/** The (subsampled) Gaussian PLD of one step: REPLACE, or REMOVE and (when q < 1) ADD. */
function gaussianPair(sigma: number, q: number, replace: boolean, interval: number): PmfPair {
  const noise = gaussianNoise(sigma);
  if (replace) return { remove: connectDotsPmf(new SubsampledLoss(noise, q, 'replace'), interval) };
  const remove = connectDotsPmf(new SubsampledLoss(noise, q, 'remove'), interval);
  if (q === 1) return { remove };
  return { remove, add: connectDotsPmf(new SubsampledLoss(noise, q, 'add'), interval) };
}

/**
 * One step of the truncated subsampled Gaussian: `datasetSize` records each sampled with
 * probability `q`, batches cut to `truncatedBatchSize`, noise multiplier `sigma`.
 */
export function truncatedSubsampledGaussianPld(
  datasetSize: number,
  q: number,
  truncatedBatchSize: number,
  sigma: number,
  replace: boolean,
  interval: number,
): PmfPair {
  const plain = gaussianPair(sigma, q, replace, interval);
  // P[the batch is truncated | the sensitive record was sampled]
  const truncation = binomialSf(truncatedBatchSize - 1, datasetSize - 1, q);
  if (truncation === 0) return plain;
  // P[the sensitive record was sampled | truncation]
  const conditional = Math.min(1, (((binomialSf(truncatedBatchSize, datasetSize, q) * truncatedBatchSize) / truncation) / datasetSize));
  const truncated = conditional > 0 ? gaussianPair(sigma / 2, conditional, true, interval) : { remove: IDENTITY_PMF };
  const remove = mixPmf(truncated.remove, plain.remove, truncation);
  if (plain.add === undefined) return { remove };
  return { remove, add: mixPmf(truncated.remove, plain.add, truncation) };
}

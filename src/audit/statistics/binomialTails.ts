/**
 * Binomial tail sums for the one-run audit (internal), accurate for large trial counts and tiny
 * probabilities.
 *
 * X ~ Binomial(r, q) with q = 1/(1 + e^−ε) ≥ 1/2 is evaluated through its mirror
 * r − X ~ Binomial(r, 1 − q), with 1 − q = 1/(1 + e^ε) computed directly: near q = 1 the rounded
 * 1 − q would lose digits, and stdlib's binomial CDF returns the lower tail from the regularized
 * incomplete beta function's own complement, so P[X ≥ v] = P[r − X ≤ r − v] needs no `1 − cdf`
 * (which cancels catastrophically for tiny p-values).
 */
import binomialCdf from '@stdlib/stats-base-dists-binomial-cdf';
import binomialPmf from '@stdlib/stats-base-dists-binomial-pmf';

/** The success probability of ε-DP randomized response, 1/(1 + e^−ε), and its complement. */
export function randomizedResponseAccuracy(epsilon: number): { q: number; qc: number } {
  return { q: 1 / (1 + Math.exp(-epsilon)), qc: 1 / (1 + Math.exp(epsilon)) };
}

/** P[Binomial(r, q) ≥ v], computed as P[Binomial(r, 1 − q) ≤ r − v]. */
export function binomialUpperTail(v: number, r: number, qc: number): number {
  if (v <= 0) return 1;
  if (v > r) return 0;
  return binomialCdf(r - v, r, qc);
}

/**
 * max over i in 1..v of (1/i)·P[v − i ≤ Binomial(r, q) < v] (the α of Steinke, Nasr & Jagielski
 * 2023, Appendix D). Terms are added in the paper's order (k = v − 1 downwards); the loop stops
 * early once no later i can raise the maximum: past the mode the pmf ratios
 * pmf(k−1)/pmf(k) = k/(r − k + 1)·e^−ε shrink (the binomial is log-concave), so the rest of the
 * sum is at most t·ρ/(1 − ρ), and if (S + rest)/(i + 1) ≤ α no later S_i'/i' can exceed α.
 */
export function binomialAlpha(v: number, r: number, epsilon: number, qc: number): number {
  const expNegEps = Math.exp(-epsilon);
  let sum = 0;
  let alpha = 0;
  for (let i = 1; i <= v; i++) {
    const k = v - i;
    const term = binomialPmf(r - k, r, qc);
    sum += term;
    if (sum > i * alpha) alpha = sum / i;
    if (k === 0) break;
    const ratio = (k / (r - k + 1)) * expNegEps;
    if (ratio < 1) {
      const rest = (term * ratio) / (1 - ratio);
      if ((sum + rest) / (i + 1) <= alpha) break;
    }
  }
  return alpha;
}

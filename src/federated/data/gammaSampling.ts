/** Gamma and Dirichlet sampling in log space (internal), driven by the library's Rng. */
import type { Rng } from '../../core/rng.js';

/** A standard normal draw (Box–Muller; 1 - next() keeps the log finite). */
function standardNormal(rng: Rng): number {
  const u = 1 - rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * The logarithm of a Gamma(shape, 1) draw: Marsaglia & Tsang (2000) for shape >= 1, and for
 * shape < 1 their boost `G(a) = G(a + 1) U^(1/a)`, kept in logs so that tiny shapes (alpha 1e-3)
 * do not underflow to an all-zero Dirichlet vector.
 */
export function logGammaSample(shape: number, rng: Rng): number {
  if (shape < 1) return logGammaSample(shape + 1, rng) + Math.log(1 - rng.next()) / shape;
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = standardNormal(rng);
    const t = 1 + c * x;
    if (t <= 0) continue;
    const v = t * t * t;
    const u = 1 - rng.next();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return Math.log(d) + Math.log(v);
  }
}

/** Normalises log-weights into probabilities (softmax), over the entries where `use[i]` is true (others get 0). */
export function normaliseLogWeights(logs: Float64Array, use?: (i: number) => boolean): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logs.length; i++) if ((use?.(i) ?? true) && (logs[i] as number) > max) max = logs[i] as number;
  const out = new Float64Array(logs.length);
  let sum = 0;
  for (let i = 0; i < logs.length; i++) {
    if (!(use?.(i) ?? true)) continue;
    out[i] = Math.exp((logs[i] as number) - max);
    sum += out[i] as number;
  }
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) / sum;
  return out;
}

/** Log-weights of one Dirichlet(alphas) draw: normalise with {@link normaliseLogWeights}. */
export function dirichletLogWeights(alphas: ArrayLike<number>, rng: Rng): Float64Array {
  const logs = new Float64Array(alphas.length);
  for (let i = 0; i < alphas.length; i++) logs[i] = logGammaSample(alphas[i] as number, rng);
  return logs;
}

/**
 * Floating-point-safe Laplace noise (internal): every output is round(x + L) on the grid 2^k,
 * with L ~ Laplace(0, sensitivity/epsilon) sampled exactly (no floating point touches the
 * randomness, the input and the scale are taken at their exact binary values).
 */
import type { Rng } from '../../../core/rng.js';
import { gridValue, scaledFraction, toDyadic } from './dyadic.js';
import { gridExponent } from './grid.js';
import { sampleRoundedLaplace } from './roundedLaplace.js';

/** Result of {@link gridLaplace}: the noisy values and the grid step 2^exponent. */
export interface GridNoise {
  readonly values: Float64Array;
  readonly exponent: number;
}

/**
 * Adds Laplace noise of scale b = sensitivity / epsilon (exactly) to each value, rounding the
 * noisy value to the nearest multiple of 2^k, k = ⌈log2 b⌉ − 40. The law of each output is
 * exactly that of the ideal Laplace mechanism followed by rounding (post-processing).
 */
export function gridLaplace(fn: string, rng: Rng, values: ArrayLike<number>, sensitivity: number, epsilon: number): GridNoise {
  const k = gridExponent(fn, 'sensitivity / epsilon', sensitivity / epsilon);
  // b / 2^k = (dn 2^de) / (en 2^ee 2^k) = t / s exactly
  const d = toDyadic(sensitivity);
  const e = toDyadic(epsilon);
  const p = d.exp - e.exp - k;
  const t = p >= 0 ? d.num << BigInt(p) : d.num;
  const s = p >= 0 ? e.num : e.num << BigInt(-p);
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const center = scaledFraction(toDyadic(values[i] as number), -k);
    out[i] = gridValue(sampleRoundedLaplace(rng, center, t, s), k);
  }
  return { values: out, exponent: k };
}

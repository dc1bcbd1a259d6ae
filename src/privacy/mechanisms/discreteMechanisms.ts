/**
 * Exact discrete Laplace and discrete Gaussian mechanisms for integer-valued queries
 * (Canonne, Kamath and Steinke 2020). No floating point touches the noise.
 */
import { resolveRng, secureRng, type Rng } from '../../core/rng.js';
import { invalid, optionsObject, positiveInteger, positiveNumber } from '../../core/validate.js';
import { sampleDiscreteGaussianRational } from './samplers/discreteGaussian.js';
import { sampleDiscreteLaplaceRational } from './samplers/discreteLaplace.js';
import { exactRational } from './samplers/exact.js';
import type { NoisyRelease } from './release.js';

/**
 * What the discrete mechanisms accept: a safe integer or an array of safe integers.
 */
export type IntegerValue = number | readonly number[];

function mapIntegers<T extends IntegerValue>(fn: string, value: T, sample: () => bigint): T extends number ? number : number[] {
  const one = (v: unknown, arg: string): number => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) invalid(fn, arg, v, 'a safe integer');
    const out = BigInt(v) + sample();
    if (out > BigInt(Number.MAX_SAFE_INTEGER) || out < BigInt(Number.MIN_SAFE_INTEGER)) {
      invalid(fn, arg, v, 'small enough that value + noise is a safe integer');
    }
    return Number(out);
  };
  if (typeof value === 'number') return one(value, 'value') as T extends number ? number : number[];
  if (!Array.isArray(value)) invalid(fn, 'value', value, 'a safe integer or an array of safe integers');
  return value.map((v, i) => one(v, `value[${i}]`)) as T extends number ? number : number[];
}

/**
 * Options of {@link discreteLaplaceMechanism}.
 */
export interface DiscreteLaplaceMechanismOptions {
  /** L1 sensitivity of the integer query, an integer >= 1. */
  readonly sensitivity: number;
  /** Epsilon, > 0 (its exact binary value is used). */
  readonly epsilon: number;
  /** Random source; secure by default. */
  readonly rng?: Rng;
}

/**
 * Releases an integer query plus exact discrete Laplace noise, P[Z = z] ∝ exp(−ε|z|/Δ):
 * ε-DP for integer queries of L1 sensitivity Δ. The sampler (CKS 2020, Alg. 2) uses only uniform
 * integers and Bernoulli trials with exact rational parameters (BigInt), so it is immune to the
 * floating-point attack on the continuous Laplace mechanism. Use it for counts and histograms.
 *
 * @returns The release with integer `value`(s).
 * @example
 * ```ts
 * import { discreteLaplaceMechanism } from 'responsible-tfjs/privacy';
 * const r = discreteLaplaceMechanism([120, 45, 3], { sensitivity: 1, epsilon: 0.5 });
 * console.log(r.value); // e.g. [121, 43, 3]
 * ```
 */
export function discreteLaplaceMechanism<T extends IntegerValue>(
  value: T,
  options: DiscreteLaplaceMechanismOptions,
): NoisyRelease<T extends number ? number : number[]> {
  const fn = 'discreteLaplaceMechanism';
  const o = optionsObject(fn, 'options', options);
  positiveInteger(fn, 'options.sensitivity', o.sensitivity);
  positiveNumber(fn, 'options.epsilon', o.epsilon);
  const rng = resolveRng(fn, o.rng, secureRng);
  // scale = Δ / ε exactly, with ε = num / den: scale = Δ den / num.
  const eps = exactRational(o.epsilon);
  const t = BigInt(o.sensitivity) * eps.den;
  const s = eps.num;
  return {
    value: mapIntegers(fn, value, () => sampleDiscreteLaplaceRational(rng, t, s)),
    mechanism: 'discreteLaplace',
    scale: o.sensitivity / o.epsilon,
    epsilon: o.epsilon,
    delta: 0,
    secure: rng.secure,
    rngLabel: rng.label,
    floatingPointSafe: true,
    granularity: 1,
  };
}

/**
 * Options of {@link discreteGaussianMechanism}.
 */
export interface DiscreteGaussianMechanismOptions {
  /** Scale parameter σ of the discrete Gaussian (its exact binary value is used), > 0. */
  readonly sigma: number;
  /** L2 sensitivity of the integer query, an integer >= 1 (default 1). */
  readonly sensitivity?: number;
  /** Random source; secure by default. */
  readonly rng?: Rng;
}

/**
 * Releases an integer query plus exact discrete Gaussian noise, P[Z = z] ∝ exp(−z²/(2σ²))
 * (CKS 2020, Alg. 3). It satisfies ρ-zCDP with ρ = Δ²/(2σ²), the same Rényi DP as the continuous
 * Gaussian with noise multiplier σ/Δ, so it can be accounted with `gaussianEvent(sigma / sensitivity)`
 * by the `RdpAccountant` (recorded as `event`).
 *
 * @returns The release with integer `value`(s); `epsilon` is NaN (choose delta with an accountant).
 * @example
 * ```ts
 * import { discreteGaussianMechanism, RdpAccountant } from 'responsible-tfjs/privacy';
 * const r = discreteGaussianMechanism([120, 45, 3], { sigma: 5 });
 * const eps = new RdpAccountant().compose(r.event!).getEpsilon(1e-6);
 * ```
 */
export function discreteGaussianMechanism<T extends IntegerValue>(
  value: T,
  options: DiscreteGaussianMechanismOptions,
): NoisyRelease<T extends number ? number : number[]> {
  const fn = 'discreteGaussianMechanism';
  const o = optionsObject(fn, 'options', options);
  positiveNumber(fn, 'options.sigma', o.sigma);
  const sensitivity = o.sensitivity ?? 1;
  positiveInteger(fn, 'sensitivity', sensitivity);
  const rng = resolveRng(fn, o.rng, secureRng);
  const s = exactRational(o.sigma);
  const num = s.num * s.num;
  const den = s.den * s.den;
  return {
    value: mapIntegers(fn, value, () => sampleDiscreteGaussianRational(rng, num, den)),
    mechanism: 'discreteGaussian',
    scale: o.sigma,
    epsilon: Number.NaN,
    delta: Number.NaN,
    secure: rng.secure,
    rngLabel: rng.label,
    floatingPointSafe: true,
    granularity: 1,
    event: { kind: 'gaussian', noiseMultiplier: o.sigma / sensitivity },
  };
}

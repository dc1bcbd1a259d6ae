/**
 * The Laplace mechanism on numbers, arrays and tensors, safe against floating-point attacks.
 */
import { resolveRng, secureRng, type Rng } from '../../core/rng.js';
import { booleanValue, optionsObject, positiveNumber } from '../../core/validate.js';
import type { NoisyRelease, NoisyValue, NumericValue } from './release.js';
import { fillLaplace } from './samplers/continuous.js';
import { quotientAtMost } from './samplers/grid.js';
import { gridLaplace } from './samplers/gridLaplace.js';
import { readValues } from './values.js';

/**
 * Options of {@link laplaceMechanism}.
 */
export interface LaplaceMechanismOptions {
  /** L1 sensitivity of the query, > 0 (its exact binary value is used). */
  readonly sensitivity: number;
  /** Epsilon of the release, > 0 (its exact binary value is used). */
  readonly epsilon: number;
  /** Random source; a secure one (`secureRng()`) by default. A seeded rng marks the result as insecure. */
  readonly rng?: Rng;
  /**
   * `true` restores the old floating-point sampler (b (E1 − E2) from 53-bit uniforms, added in
   * floating point). It is open to the attack of Mironov (2012): the low bits of the output tell
   * neighbouring inputs apart, so the release carries **no** guarantee (`epsilon: Infinity`,
   * `delta: 1`, no `event`, `floatingPointSafe: false`; the ideal values are in `nominal`).
   * Only for reproducing old results or for speed where privacy is not at stake. Default `false`.
   */
  readonly unsafeFloatingPoint?: boolean;
}

/**
 * Releases `value` plus Laplace noise of scale b = sensitivity / epsilon, rounded to a grid:
 * exactly ε-DP for a query of that L1 sensitivity (Dwork et al. 2006), with no floating-point
 * leak. Each output is the ideal `x + Laplace(0, b)` rounded to the nearest multiple of the
 * granularity 2^k, k = ⌈log2 b⌉ − 40, and that rounded value is sampled exactly (uniform integers
 * and Bernoulli trials with exact rational parameters; the input, sensitivity and epsilon at
 * their exact binary values). Rounding is post-processing, so the release has the ideal
 * mechanism's guarantee exactly: `epsilon` as given, `delta` 0, and `event` the Laplace event
 * (its noise multiplier never above 1/ε). Float32 tensor outputs are that value rounded to
 * float32, again post-processing. For integer-valued queries {@link discreteLaplaceMechanism}
 * gives integer outputs.
 *
 * @param value - A number, array, typed array or live float32/int32 tensor; NaN and infinities
 * are rejected. Tensors are read synchronously (`dataSync`) and the noise is drawn in JavaScript; on
 * webgpu, whose synchronous reads can return zeros, pass `await value.data()` instead of the tensor.
 * @returns The release; a tensor `value` is a new float32 tensor owned by the caller.
 * @example
 * ```ts
 * import { seededRng } from 'responsible-tfjs';
 * import { laplaceMechanism } from 'responsible-tfjs/privacy';
 * const r = laplaceMechanism([10, 20], { sensitivity: 1, epsilon: 1, rng: seededRng(1) });
 * console.log(r.value, r.scale, r.granularity, r.floatingPointSafe, r.secure);
 * // [...] 1 9.094947017729282e-13 true false (seeded: for testing only)
 * ```
 */
export function laplaceMechanism<T extends NumericValue>(value: T, options: LaplaceMechanismOptions): NoisyRelease<NoisyValue<T>> {
  const fn = 'laplaceMechanism';
  const o = optionsObject(fn, 'options', options);
  positiveNumber(fn, 'options.sensitivity', o.sensitivity);
  positiveNumber(fn, 'options.epsilon', o.epsilon);
  const unsafe = o.unsafeFloatingPoint === undefined ? false : booleanValue(fn, 'options.unsafeFloatingPoint', o.unsafeFloatingPoint);
  const rng = resolveRng(fn, o.rng, secureRng);
  const input = readValues(fn, value);
  const scale = o.sensitivity / o.epsilon;
  const event = { kind: 'laplace', noiseMultiplier: quotientAtMost(1, o.epsilon) } as const;
  const common = { mechanism: 'laplace', scale, secure: rng.secure, rngLabel: rng.label } as const;
  if (unsafe) {
    const noisy = input.addNoise(fillLaplace(rng, scale, new Float64Array(input.values.length)));
    return { ...common, value: noisy, epsilon: Infinity, delta: 1, floatingPointSafe: false, nominal: { epsilon: o.epsilon, delta: 0, event } };
  }
  const grid = gridLaplace(fn, rng, input.values, o.sensitivity, o.epsilon);
  return { ...common, value: input.write(grid.values), epsilon: o.epsilon, delta: 0, floatingPointSafe: true, granularity: 2 ** grid.exponent, event };
}

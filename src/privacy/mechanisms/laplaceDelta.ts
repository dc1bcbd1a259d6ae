import { nonNegativeNumber, optionsObject, positiveNumber } from '../../core/validate.js';

/**
 * Options of {@link laplaceDelta}.
 */
export interface LaplaceDeltaOptions {
  /** Laplace scale b in query units, > 0. */
  readonly scale: number;
  /** Epsilon >= 0. */
  readonly epsilon: number;
  /** L1 sensitivity, > 0 (default 1). */
  readonly sensitivity?: number;
}

/**
 * The exact delta of one Laplace release at a given epsilon:
 * `δ(ε) = 1 − exp((ε − Δ/b)/2)` for ε < Δ/b, else 0.
 *
 * @returns delta in [0, 1].
 * @example
 * ```ts
 * import { laplaceDelta } from 'responsible-tfjs/privacy';
 * console.log(laplaceDelta({ scale: 1, epsilon: 0.5 })); // 0.2211992169...
 * ```
 */
export function laplaceDelta(options: LaplaceDeltaOptions): number {
  const fn = 'laplaceDelta';
  const { scale, epsilon, sensitivity = 1 } = optionsObject(fn, 'options', options);
  positiveNumber(fn, 'scale', scale);
  nonNegativeNumber(fn, 'epsilon', epsilon);
  positiveNumber(fn, 'sensitivity', sensitivity);
  const pure = sensitivity / scale;
  return epsilon >= pure ? 0 : -Math.expm1((epsilon - pure) / 2);
}

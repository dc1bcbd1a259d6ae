import { getGradient } from '@tensorflow/tfjs-core';
import { MissingGradientsError } from './errors.js';

/**
 * Kernels whose gradients nearly every differentiating function needs. If these are missing,
 * no gradient module has been loaded at all.
 */
const CORE_GRADIENT_KERNELS = ['Sum', 'Add', 'Multiply'] as const;

/**
 * Throws a {@link MissingGradientsError} unless tfjs has gradients registered for the given
 * kernels (by default a core set that any gradient module registers). Internal: the public
 * functions that differentiate call it first.
 *
 * @param fn - The public function asking, for the message.
 * @param kernels - Kernel names to check, e.g. `['Conv2D']`.
 */
export function assertGradientsAvailable(fn: string, kernels: readonly string[] = CORE_GRADIENT_KERNELS): void {
  const missing = kernels.filter((k) => getGradient(k) === undefined);
  if (missing.length > 0) throw new MissingGradientsError(fn, missing);
}

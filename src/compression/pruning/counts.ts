import { roundHalfEven } from '../internal/rounding.js';
import { nonNegativeInteger, numberInRange, oneOf } from '../../core/validate.js';

/**
 * Whose rule turns a sparsity into a count.
 *
 * - `'torch'`: `torch.nn.utils.prune` prunes exactly `round(sparsity * n)` weights (Python's round,
 *   half to even, of a double product; prune.py `_compute_nparams_toprune`).
 * - `'tfmot'`: TensorFlow Model Optimization keeps `k = max(round(float32(n) * float32(1 - s)), 1)`
 *   weights (float32, half to even; pruning_impl.py `_update_mask`) and keeps every weight whose
 *   magnitude ties with the k-th largest, so it may prune fewer than `n - k`.
 */
export type PruningCountRule = 'torch' | 'tfmot';

/** The sparsity validator shared by the pruning functions: a number in [0, 1). */
export function checkSparsity(fn: string, argument: string, value: unknown): number {
  return numberInRange(fn, argument, value, { min: 0, max: 1, maxInclusive: false });
}

/**
 * How many of `size` weights a magnitude pruner removes at a sparsity, before ties: exactly this
 * many under `'torch'`; at most this many under `'tfmot'` (weights tied with the k-th largest are
 * all kept).
 *
 * @param size - Number of weights (an integer >= 0).
 * @param sparsity - Fraction to prune, in [0, 1).
 * @param rule - `'torch'` (default) or `'tfmot'`.
 * @returns The number of weights to prune.
 * @throws {@link InvalidArgumentError} for a sparsity outside [0, 1) or a bad size or rule.
 * @example
 * ```ts
 * import { prunedWeightCount } from 'responsible-tfjs/compression';
 * prunedWeightCount(5, 0.5);          // 2 (torch: round(2.5) = 2, half to even)
 * prunedWeightCount(5, 0.5, 'tfmot'); // 3 (tfmot keeps round(2.5) = 2)
 * ```
 */
export function prunedWeightCount(size: number, sparsity: number, rule: PruningCountRule = 'torch'): number {
  const fn = 'prunedWeightCount';
  nonNegativeInteger(fn, 'size', size);
  checkSparsity(fn, 'sparsity', sparsity);
  oneOf(fn, 'rule', rule, ['torch', 'tfmot'] as const);
  return pruneCountUnchecked(size, sparsity, rule);
}

/** {@link prunedWeightCount} without validation. */
export function pruneCountUnchecked(size: number, sparsity: number, rule: PruningCountRule): number {
  if (size === 0) return 0;
  if (rule === 'torch') return roundHalfEven(sparsity * size);
  const f = Math.fround;
  const kept = Math.max(roundHalfEven(f(f(size) * f(1 - f(sparsity)))), 1);
  return size - Math.min(kept, size);
}

/** Tensor arguments checked at the public boundary (internal). */
import { isTensor } from './labels.js';
import type { Tensor } from './tf.js';
import { invalid } from './validate.js';

/**
 * Returns `value` as a live tensor, or throws an InvalidArgumentError naming the argument: not a
 * tensor, or a tensor already disposed (tfjs would otherwise fail later with an untyped message).
 */
export function tensorArgument(fn: string, argument: string, value: unknown, allowed = 'a tf.Tensor'): Tensor {
  if (!isTensor(value)) invalid(fn, argument, value, allowed);
  if (value.isDisposed) invalid(fn, argument, value, `${allowed} that has not been disposed`, 'It was disposed (by tf.dispose or a tidy) before this call');
  return value;
}

/** Throws an InvalidArgumentError naming the first NaN or infinite element of `values`, or `argument[i]` for an example index. */
export function assertFiniteValues(fn: string, argument: string, t: Tensor, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) {
      const perRow = t.rank > 0 && (t.shape[0] as number) > 0 ? t.size / (t.shape[0] as number) : 1;
      invalid(fn, argument, `${v} at flat index ${i} (example ${Math.floor(i / Math.max(1, perRow))})`, 'finite values (no NaN or infinity)');
    }
  }
}

/** Reads `t` (asynchronously: no stall on GPU backends) and rejects NaN or infinite values. */
export async function assertFiniteTensor(fn: string, argument: string, t: Tensor): Promise<void> {
  assertFiniteValues(fn, argument, t, (await t.data()) as ArrayLike<number>);
}

/**
 * Synchronous variant for synchronous APIs (reads with `dataSync`, which stalls GPU backends: use
 * only where the function is synchronous by contract).
 */
export function assertFiniteTensorSync(fn: string, argument: string, t: Tensor): void {
  assertFiniteValues(fn, argument, t, t.dataSync() as ArrayLike<number>);
}

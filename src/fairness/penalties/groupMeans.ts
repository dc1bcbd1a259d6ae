/** Shared tensor helpers of the fairness penalties. */
import { cast, div, fill, greater, maximum, matMul, max, min, mul, oneHot, reshape, scalar, sub, sum, tensor1d, where, type Scalar, type Tensor, type Tensor1D, type Tensor2D } from '../../core/tf.js';
import { isTensor } from '../../core/labels.js';
import { invalid, positiveInteger } from '../../core/validate.js';
import type { NumberArray } from '../inputs.js';

/** Scores as a float32 vector [n]; accepts [n] or [n, 1]. Call inside tidy. */
export function scoreVector(fn: string, scores: unknown): Tensor1D {
  if (!isTensor(scores)) invalid(fn, 'scores', scores, 'a tensor of shape [n] or [n, 1]');
  if (!(scores.rank === 1 || (scores.rank === 2 && scores.shape[1] === 1))) invalid(fn, 'scores', scores, 'a tensor of shape [n] or [n, 1]');
  if (scores.shape[0] === 0) invalid(fn, 'scores', scores, 'a non-empty tensor');
  return reshape(cast(scores, 'float32'), [-1]) as Tensor1D;
}

/** A per-row vector given as a tensor or numbers, as float32 [n]. Call inside tidy. */
export function rowVector(fn: string, argument: string, value: unknown, n: number, check?: (v: number) => boolean, allowed?: string): Tensor1D {
  if (isTensor(value)) {
    if (value.size !== n) invalid(fn, argument, value, `a tensor of ${n} values (one per score)`);
    return reshape(cast(value, 'float32'), [-1]) as Tensor1D;
  }
  if (!(Array.isArray(value) || ArrayBuffer.isView(value))) invalid(fn, argument, value, 'a tensor or an array');
  const a = value as NumberArray;
  if (a.length !== n) invalid(fn, argument, `length ${a.length}`, `of length ${n} (one per score)`);
  if (check !== undefined) for (let i = 0; i < n; i++) if (!check(a[i]!)) invalid(fn, `${argument}[${i}]`, a[i], allowed ?? 'valid');
  return tensor1d(Array.from(a), 'float32');
}

/** One-hot group membership [n, numGroups] (float32) from integer group codes. Call inside tidy. */
export function membershipMatrix(fn: string, groups: unknown, numGroups: unknown, n: number): Tensor2D {
  const g = positiveInteger(fn, 'options.numGroups', numGroups);
  const codes = rowVector(fn, 'options.groups', groups, n, (v) => Number.isInteger(v) && v >= 0 && v < g, `an integer group code in [0, ${g})`);
  return cast(oneHot(cast(codes, 'int32') as Tensor1D, g), 'float32') as Tensor2D;
}

/** Weighted means of `values` per group, and whether each group has weight; `weights` [n]. */
export function groupMeans(values: Tensor1D, weights: Tensor1D, membership: Tensor2D): { means: Tensor1D; present: Tensor1D } {
  const sums = reshape(matMul(reshape(mul(values, weights), [1, -1]), membership), [-1]);
  const totals = reshape(matMul(reshape(weights, [1, -1]), membership), [-1]);
  // Where a total is 0 its sum is 0 too, so sum / max(total, tiny) is 0 there (no NaN in gradients).
  return { means: div(sums, maximum(totals, scalar(1e-30))) as Tensor1D, present: greater(totals, 0) as Tensor1D };
}

/** Max − min over the present groups; 0 when fewer than two groups are present. */
export function presentGap(values: Tensor1D, present: Tensor1D): Scalar {
  const hi = max(where(present, values, fill(values.shape, Number.NEGATIVE_INFINITY)));
  const lo = min(where(present, values, fill(values.shape, Number.POSITIVE_INFINITY)));
  const nPresent = sum(cast(present, 'float32'));
  return where(greater(nPresent, 1), sub(hi, lo), scalar(0)) as Scalar;
}

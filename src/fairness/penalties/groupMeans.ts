/** Shared tensor helpers of the fairness penalties. */
import { synchronousReadsSupported } from '../../core/backend.js';
import { cast, div, fill, greater, maximum, matMul, max, min, mul, oneHot, reshape, scalar, sub, sum, tensor1d, where, type Scalar, type Tensor, type Tensor1D, type Tensor2D } from '../../core/tf.js';
import { isTensor } from '../../core/labels.js';
import { assertFiniteTensorSync, assertFiniteValues, tensorArgument } from '../../core/tensorArgument.js';
import { booleanValue, invalid, positiveInteger } from '../../core/validate.js';
import { encodeGroupRows } from '../groupEncoder.js';
import type { NumberArray } from '../inputs.js';

/**
 * Scores as a float32 vector [n]; accepts a live tensor of shape [n] or [n, 1]. With
 * `checkValues`, the scores are read synchronously and must be finite: the penalties are
 * synchronous by contract (they run inside `optimizer.minimize` or `tf.grad`), so this boundary
 * check cannot await. Call inside tidy.
 */
export function scoreVector(fn: string, scores: unknown, checkValues: boolean): Tensor1D {
  const t = tensorArgument(fn, 'options.scores', scores, 'a tensor of shape [n] or [n, 1]');
  if (!(t.rank === 1 || (t.rank === 2 && t.shape[1] === 1))) invalid(fn, 'options.scores', t, 'a tensor of shape [n] or [n, 1]');
  if (t.shape[0] === 0) invalid(fn, 'options.scores', t, 'a non-empty tensor');
  if (checkValues) assertFiniteTensorSync(fn, 'options.scores', t);
  return reshape(cast(t, 'float32'), [-1]) as Tensor1D;
}

/** The same value checks for array and tensor inputs: finite first, then `check` per element. */
function checkValuesOf(fn: string, argument: string, t: Tensor | undefined, values: ArrayLike<number>, check?: (v: number) => boolean, allowed?: string): void {
  if (t !== undefined) assertFiniteValues(fn, argument, t, values);
  if (check !== undefined) for (let i = 0; i < values.length; i++) if (!check(values[i]!)) invalid(fn, `${argument}[${i}]`, values[i], allowed ?? 'valid');
}

/**
 * A per-row vector given as a tensor or numbers, as float32 [n]. Arrays are always checked; a
 * tensor is checked the same way (NaN and infinity rejected, then `check`) when `checkValues` is
 * true, by a synchronous read (see {@link scoreVector} for why it cannot await). Call inside tidy.
 */
export function rowVector(
  fn: string, argument: string, value: unknown, n: number, check: ((v: number) => boolean) | undefined, allowed: string | undefined,
  checkValues: boolean,
): Tensor1D {
  if (isTensor(value)) {
    const t = tensorArgument(fn, argument, value, `a tensor of ${n} values (one per score)`);
    if (t.size !== n) invalid(fn, argument, t, `a tensor of ${n} values (one per score)`);
    if (checkValues) checkValuesOf(fn, argument, t, t.dataSync() as ArrayLike<number>, check, allowed);
    return reshape(cast(t, 'float32'), [-1]) as Tensor1D;
  }
  if (!(Array.isArray(value) || ArrayBuffer.isView(value))) invalid(fn, argument, value, 'a tensor or an array');
  const a = value as NumberArray;
  if (a.length !== n) invalid(fn, argument, `length ${a.length}`, `of length ${n} (one per score)`);
  checkValuesOf(fn, argument, undefined, a, check, allowed);
  return tensor1d(Array.from(a), 'float32');
}

/** Validates the `checkValues` option (default true). */
export function checkValuesOption(fn: string, value: unknown): boolean {
  // Default: check, except on webgpu, whose synchronous reads are unreliable (see synchronousReadsSupported).
  return booleanValue(fn, 'options.checkValues', value ?? synchronousReadsSupported());
}

/**
 * Group labels rather than codes: an array of strings, or named columns (numbers and tensors are
 * integer codes).
 */
function isGroupLabels(groups: unknown): boolean {
  if (isTensor(groups) || ArrayBuffer.isView(groups)) return false;
  if (Array.isArray(groups)) return groups.length > 0 && typeof groups[0] === 'string';
  return typeof groups === 'object' && groups !== null;
}

/**
 * One-hot group membership [n, numGroups] (float32) from integer group codes, or from group
 * labels through the group encoder (codes in Fairlearn's order; `numGroups` then defaults to the
 * number of groups found). Call inside tidy.
 */
export function membershipMatrix(fn: string, groups: unknown, numGroups: unknown, n: number, checkValues: boolean): Tensor2D {
  if (isGroupLabels(groups)) {
    const { codes, keys } = encodeGroupRows(fn, groups, n, 'options.groups', 'options.scores');
    const g = numGroups === undefined ? keys.length : positiveInteger(fn, 'options.numGroups', numGroups);
    if (keys.length > g) invalid(fn, 'options.numGroups', g, `at least the number of groups in options.groups (${keys.length})`);
    return cast(oneHot(tensor1d(codes, 'int32'), g), 'float32') as Tensor2D;
  }
  const g = positiveInteger(fn, 'options.numGroups', numGroups);
  const codes = rowVector(fn, 'options.groups', groups, n, (v) => Number.isInteger(v) && v >= 0 && v < g, `an integer group code in [0, ${g})`, checkValues);
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

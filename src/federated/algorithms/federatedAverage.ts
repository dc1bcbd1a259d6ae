/** The example-weighted mean of client updates (FedAvg's aggregation). */
import { invalid } from '../../core/validate.js';

/** One client's contribution to {@link federatedAverage}. */
export interface WeightedDelta {
  /** The client's update (local minus global weights), flat. */
  readonly delta: Float32Array;
  /** Its weight, usually the client's number of training examples (finite, >= 0). */
  readonly weight: number;
}

/**
 * The weighted mean `sum_k w_k delta_k / sum_k w_k` of client updates, the aggregation of
 * FedAvg (McMahan et al. 2017, https://arxiv.org/abs/1602.05629) with `w_k` the clients' example
 * counts. Sums run in float64 and the result is rounded to float32 once, so the order of the
 * clients does not change it beyond that rounding, and updates near float32's range (3e38) do not
 * overflow on the way.
 *
 * @param updates - At least one update; all deltas of one length; weights finite and >= 0 with a positive total.
 * @returns A new `Float32Array` (the mean delta).
 * @throws {@link InvalidArgumentError} for an empty list, deltas of different lengths, a NaN or
 *   infinite delta element (naming the client and the index), a negative or non-finite weight, or
 *   weights summing to 0.
 * @example
 * ```ts
 * import { federatedAverage } from 'responsible-tfjs/federated';
 * const mean = federatedAverage([
 *   { delta: new Float32Array([1, 2]), weight: 30 },   // 30 examples
 *   { delta: new Float32Array([3, 4]), weight: 10 },   // 10 examples
 * ]);
 * console.log(mean); // Float32Array [1.5, 2.5]
 * ```
 */
export function federatedAverage(updates: readonly WeightedDelta[]): Float32Array {
  const fn = 'federatedAverage';
  if (!Array.isArray(updates) || updates.length === 0) invalid(fn, 'updates', updates, 'a non-empty array of { delta, weight }');
  const first = updates[0]?.delta;
  if (!(first instanceof Float32Array)) invalid(fn, 'updates[0].delta', first, 'a Float32Array');
  const size = first.length;
  let total = 0;
  updates.forEach((u, k) => {
    if (typeof u !== 'object' || u === null) invalid(fn, `updates[${k}]`, u, 'an object { delta, weight }');
    if (!(u.delta instanceof Float32Array)) invalid(fn, `updates[${k}].delta`, u.delta, 'a Float32Array');
    if (u.delta.length !== size) invalid(fn, `updates[${k}].delta`, `length ${u.delta.length}`, `a Float32Array of length ${size} (as updates[0].delta)`);
    if (typeof u.weight !== 'number' || !Number.isFinite(u.weight) || u.weight < 0) invalid(fn, `updates[${k}].weight`, u.weight, 'a finite number >= 0');
    total += u.weight;
  });
  if (!(total > 0)) invalid(fn, 'updates', `weights summing to ${total}`, 'weights with a positive sum');
  if (!Number.isFinite(total)) invalid(fn, 'updates', `weights summing to ${total}`, 'weights with a finite sum');
  const sum = new Float64Array(size);
  updates.forEach((u, k) => {
    const d = u.delta;
    // Normalised weights keep the sum within the deltas' own range (no overflow for huge counts).
    const w = u.weight / total;
    for (let i = 0; i < size; i++) {
      const v = d[i] as number;
      if (!Number.isFinite(v)) invalid(fn, `updates[${k}].delta[${i}]`, v, 'a finite number', 'A client sent a NaN or infinite update');
      sum[i] = (sum[i] as number) + w * v;
    }
  });
  return Float32Array.from(sum);
}

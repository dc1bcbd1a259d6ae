import { cast, div, fill, greater, max, maximum, min, mul, oneHot, reshape, scalar, sub, sum, where, type Scalar, type Tensor, type Tensor1D } from '../../core/tf.js';
import { invalid } from '../../core/validate.js';
import type { PrepareContext } from '../types.js';

/**
 * Largest minus smallest weighted mean of `values` across the groups present (internal; inside
 * `tidy`): `max_g m_g - min_g m_g` with `m_g = sum_{n in g} w_n v_n / sum_{n in g} w_n`. Groups
 * with no weight in the batch are left out; fewer than two groups give 0.
 */
export function groupMeanGap(values: Tensor1D, groups: Tensor, numGroups: number, weights?: Tensor1D): Scalar {
  const g = oneHot(cast(reshape(groups, [-1]), 'int32') as Tensor1D, numGroups); // [batch, numGroups]
  const gw = weights === undefined ? cast(g, 'float32') : mul(cast(g, 'float32'), reshape(weights, [-1, 1]));
  const counts = sum(gw, 0);
  const sums = sum(mul(gw, reshape(values, [-1, 1])), 0);
  const means = div(sums, maximum(counts, scalar(1e-12)));
  const present = greater(counts, scalar(0));
  const hi = max(where(present, means, fill([numGroups], -1e9)));
  const lo = min(where(present, means, fill([numGroups], 1e9)));
  // With no group present hi < lo; with one, hi = lo.
  return maximum(sub(hi, lo), scalar(0)) as Scalar;
}

/** Checks that `extras[key]` holds integer group ids in [0, numGroups), one per example (internal). */
export async function checkGroups(fn: string, key: string, numGroups: number, ctx: PrepareContext): Promise<void> {
  const groups = ctx.extras[key];
  const batch = ctx.x.shape[0] as number;
  if (groups === undefined) {
    invalid(fn, `batch.extras.${key}`, undefined, `a tensor of ${batch} sensitive-group ids (integers in [0, ${numGroups}))`);
  }
  if (groups.size !== batch) invalid(fn, `batch.extras.${key}`, groups, `one group id per example (${batch})`);
  const values = await groups.data();
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isInteger(v) || v < 0 || v >= numGroups) {
      invalid(fn, `batch.extras.${key}[${i}]`, v, `an integer group id in [0, ${numGroups})`, `Set the term's numGroups if there are more groups`);
    }
  }
}

/** Validates a number of groups, an integer >= 2 (internal). */
export function groupCount(fn: string, value: unknown): number {
  const v = value ?? 2;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 2) invalid(fn, 'options.numGroups', v, 'an integer >= 2');
  return v;
}

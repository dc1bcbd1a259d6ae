/**
 * Fairlearn's MetricFrame aggregations over per-group values: NaN groups are skipped; all-NaN
 * gives NaN (`MetricFrame.group_min/group_max/difference/ratio`, fairlearn v0.12).
 */

/**
 * How a difference or a ratio compares groups: `'between_groups'` compares the extreme groups,
 * `'to_overall'` compares each group with the overall value (Fairlearn's `method`).
 */
export type DisparityMethod = 'between_groups' | 'to_overall';

/** Minimum over non-NaN values (NaN when none). */
export function nanMin(values: readonly number[]): number {
  let out = Number.NaN;
  for (const v of values) if (!Number.isNaN(v) && !(v >= out)) out = v;
  return out;
}

/** Maximum over non-NaN values (NaN when none). */
export function nanMax(values: readonly number[]): number {
  let out = Number.NaN;
  for (const v of values) if (!Number.isNaN(v) && !(v <= out)) out = v;
  return out;
}

/** Fairlearn's `difference(method)` for one metric. */
export function differenceOf(values: readonly number[], overall: number, method: DisparityMethod): number {
  if (method === 'between_groups') return nanMax(values) - nanMin(values);
  return nanMax(values.map((v) => Math.abs(v - overall)));
}

/** Fairlearn's `ratio(method)` for one metric: min/max, or the smallest group/overall ratio folded into [0, 1]. */
export function ratioOf(values: readonly number[], overall: number, method: DisparityMethod): number {
  if (method === 'between_groups') return nanMin(values) / nanMax(values);
  return nanMin(
    values.map((v) => {
      const r = v / overall;
      return r > 1 ? 1 / r : r;
    }),
  );
}

/**
 * Groups as the fairness results name them: the public {@link GroupInfo} and the display key of a
 * group from its values.
 */
import type { SensitiveValue } from './inputs.js';

/**
 * One group of a metric frame: its display key and the sensitive value of each feature.
 */
export interface GroupInfo {
  /**
   * The value itself for one feature, or the values joined with `', '` for several; within a
   * value of several features, `,` and `\\` are escaped (`\\,`, `\\\\`), so two different groups
   * never share a key (('x, y', 'z') is `x\\, y, z`, ('x', 'y, z') is `x, y\\, z`).
   */
  readonly key: string;
  /** The value of each sensitive feature, keyed by feature name. */
  readonly values: Readonly<Record<string, SensitiveValue>>;
}

/**
 * The display key of a group from its values, one per feature: unambiguous, because keys index
 * results (`byGroup`, a threshold rule's `groups`). Only results carry keys; rows are grouped by
 * integer codes (see groupEncoder.ts).
 */
export function groupKey(values: readonly SensitiveValue[]): string {
  if (values.length === 1) return String(values[0]);
  return values.map((v) => String(v).replace(/\\/g, '\\\\').replace(/,/g, '\\,')).join(', ');
}

import { groupKeysOf } from './groups.js';
import type { SensitiveFeatures } from './inputs.js';

/**
 * Integer group codes for the penalties, from sensitive features.
 *
 * @example
 * ```ts
 * import { encodeGroups } from 'responsible-tfjs/fairness';
 * const g: EncodedGroups = encodeGroups(['M', 'F', 'M']); // { codes: Int32Array [1, 0, 1], keys: ['F', 'M'] }
 * ```
 */
export interface EncodedGroups {
  /** Code of each row: the index of its group in `keys`. */
  readonly codes: Int32Array;
  /** Group keys in Fairlearn's order (observed groups only). */
  readonly keys: readonly string[];
}

/**
 * Encodes sensitive features (one column or named columns) as integer codes 0..G−1 in
 * Fairlearn's group order, for {@link demographicParityPenalty} and friends.
 *
 * @example
 * ```ts
 * import { encodeGroups, demographicParityPenalty } from 'responsible-tfjs/fairness';
 * const { codes, keys } = encodeGroups({ sex, race });
 * demographicParityPenalty({ scores, groups: codes, numGroups: keys.length });
 * ```
 */
export function encodeGroups(sensitiveFeatures: SensitiveFeatures): EncodedGroups {
  const n = Array.isArray(sensitiveFeatures) || ArrayBuffer.isView(sensitiveFeatures)
    ? (sensitiveFeatures as ArrayLike<unknown>).length
    : ((Object.values(sensitiveFeatures as object)[0] as ArrayLike<unknown> | undefined)?.length ?? 0);
  const { rowKeys, keys } = groupKeysOf('encodeGroups', sensitiveFeatures, n);
  const index = new Map(keys.map((k, i) => [k, i]));
  return { codes: Int32Array.from(rowKeys, (k) => index.get(k)!), keys };
}

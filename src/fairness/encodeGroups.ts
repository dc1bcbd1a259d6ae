import { encodeGroupRows } from './groupEncoder.js';
import type { SensitiveFeatures, SensitiveValue } from './inputs.js';

/**
 * Sensitive features encoded by {@link encodeGroups}: a code per row and, per code, its group.
 */
export interface EncodedGroups {
  /** Code of each row: the index of its group in `keys` (and `values`). */
  readonly codes: Int32Array;
  /** Display keys of the observed groups in Fairlearn's order (as a metric frame names them). */
  readonly keys: readonly string[];
  /** The values of each observed group, one per feature in `names` order, aligned with `keys`. */
  readonly values: readonly (readonly SensitiveValue[])[];
  /** Feature names (`sensitive_feature_0` for one unnamed column). */
  readonly names: readonly string[];
}

/**
 * Encodes sensitive features (one column or named columns) as integer codes 0..G−1 of the
 * observed groups in Fairlearn's order, for {@link demographicParityPenalty} and friends, or to
 * group rows yourself. Each feature is encoded once, without per-row string work.
 *
 * @throws InvalidArgumentError for columns of different lengths, values that are not strings or
 *   finite numbers, or a feature mixing strings and numbers.
 * @example
 * ```ts
 * import { encodeGroups, demographicParityPenalty } from 'responsible-tfjs/fairness';
 * const { codes, keys, values } = encodeGroups({ sex, race }); // keys[0] === 'Female, Amer-Indian-Eskimo'
 * demographicParityPenalty({ scores, groups: codes, numGroups: keys.length });
 * ```
 */
export function encodeGroups(sensitiveFeatures: SensitiveFeatures): EncodedGroups {
  const { codes, keys, values, names } = encodeGroupRows('encodeGroups', sensitiveFeatures);
  return { codes, keys, values, names };
}

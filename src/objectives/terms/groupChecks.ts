import { invalid } from '../../core/validate.js';
import type { PrepareContext } from '../types.js';

/**
 * Checks that `extras[key]` holds integer group ids in [0, numGroups), one per example (internal).
 * Group labels (arrays of strings or numbers, named columns, string tensors) were already encoded
 * into such ids when the batch was set, by the fairness module's group encoder.
 */
export async function checkGroups(fn: string, key: string, numGroups: number, ctx: PrepareContext): Promise<void> {
  const groups = ctx.extras[key];
  const batch = ctx.x.shape[0] as number;
  if (groups === undefined) {
    invalid(fn, `batch.extras.${key}`, undefined, `${batch} sensitive groups: a tensor of ids (integers in [0, ${numGroups})), or group labels (an array, or named columns such as { sex, race })`);
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

/**
 * Group inputs of the objectives module, converted at its boundary (internal). A batch's `extras`
 * may hold sensitive groups in any form the fairness functions take: an array of strings or
 * numbers, named columns (`{ sex, race }`), or a tensor. Each non-tensor entry and each string
 * tensor is encoded once by the group encoder into an int32 tensor of codes: the index of the row's
 * group in Fairlearn's order among the groups present (the codes of {@link encodeGroups}). Numeric
 * tensors pass through unchanged: they hold group ids already, or are not groups at all.
 */
import { isTensor } from '../core/labels.js';
import { dispose, tensor1d, type Tensor } from '../core/tf.js';
import { invalid } from '../core/validate.js';
import { encodeGroupRows } from './groupEncoder.js';

async function extrasTensor(fn: string, argument: string, value: unknown, n: number, lengthName: string): Promise<Tensor> {
  if (isTensor(value)) {
    if (value.dtype !== 'string') return value;
    if (value.isDisposed) invalid(fn, argument, value, 'a live tensor');
    if (value.rank !== 1) invalid(fn, argument, value, 'a 1-D string tensor of group labels');
    value = await value.data();
  }
  if (typeof value !== 'object' || value === null) {
    invalid(fn, argument, value, 'a tensor, or group labels: an array of strings or numbers, or named columns ({ sex, race })');
  }
  const { codes } = encodeGroupRows(fn, value, n, argument, lengthName);
  return tensor1d(codes, 'int32');
}

/**
 * The extras as tensors, group labels encoded (see the module comment); `created` lists the new
 * tensors, which the caller owns. Nothing is left allocated when an entry is invalid.
 *
 * @param lengthName The argument whose first dimension `n` is (`batch.x`, `data.x`).
 */
export async function extrasTensors(
  fn: string, argument: string, extras: unknown, n: number, lengthName: string,
): Promise<{ extras: Record<string, Tensor>; created: Tensor[] }> {
  if (extras !== undefined && (typeof extras !== 'object' || extras === null || Array.isArray(extras) || isTensor(extras))) {
    invalid(fn, argument, extras, 'an object of named per-example tensors or group labels');
  }
  const out: Record<string, Tensor> = {};
  const created: Tensor[] = [];
  try {
    for (const [k, v] of Object.entries(extras ?? {})) {
      const t = await extrasTensor(fn, `${argument}.${k}`, v, n, lengthName);
      if (t !== v) created.push(t);
      out[k] = t;
    }
  } catch (e) {
    dispose(created);
    throw e;
  }
  return { extras: out, created };
}

/**
 * Argument checks shared by the audit statistics (internal): confidence levels, deltas and
 * membership labels, each failing with the project's typed {@link InvalidArgumentError}.
 */
import { invalid, numberInRange } from '../../core/validate.js';

/** A confidence level in the open interval (0, 1). */
export function confidenceLevel(fn: string, value: unknown): number {
  return numberInRange(fn, 'confidence', value, { min: 0, max: 1, minInclusive: false, maxInclusive: false });
}

/** A delta in [0, 1]. */
export function deltaValue(fn: string, value: unknown): number {
  return numberInRange(fn, 'delta', value, { min: 0, max: 1 });
}

/**
 * Membership labels (1/true = member, 0/false = non-member) read into a Uint8Array; any other value
 * is rejected, never coerced. Checks the length against `length` (named `lengthName`).
 */
export function membershipLabels(fn: string, argument: string, labels: unknown, length: number, lengthName: string): Uint8Array {
  if (labels === null || typeof labels !== 'object' || typeof (labels as ArrayLike<unknown>).length !== 'number') {
    return invalid(fn, argument, labels, 'an array of booleans or 0/1 (1/true = member)');
  }
  const values = labels as ArrayLike<unknown>;
  if (values.length !== length) invalid(fn, argument, `length ${values.length}`, `of the same length as '${lengthName}' (${length})`);
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const v = values[i];
    if (v === true || v === 1) out[i] = 1;
    else if (v !== false && v !== 0) invalid(fn, `${argument}[${i}]`, v, 'true/false or 1/0 (1/true = member)');
  }
  return out;
}

/** A non-empty array-like of finite scores, read into a Float64Array. */
export function scoreArray(fn: string, argument: string, scores: unknown): Float64Array {
  if (scores === null || typeof scores !== 'object' || typeof (scores as ArrayLike<unknown>).length !== 'number') {
    return invalid(fn, argument, scores, 'an array of finite numbers');
  }
  const values = scores as ArrayLike<unknown>;
  if (values.length < 1) invalid(fn, argument, 'length 0', 'at least one score');
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) invalid(fn, `${argument}[${i}]`, v, 'a finite number');
    out[i] = v;
  }
  return out;
}

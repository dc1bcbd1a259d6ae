import { invalid } from '../../core/validate.js';

/**
 * Validates one number per objective (finite unless `allowNonFinite`: a diverged step's NaN is
 * passed on as before, not turned into an argument error) and returns a copy (internal).
 */
export function weightVector(fn: string, argument: string, values: unknown, count: number, allowNonFinite = false): number[] {
  if (!Array.isArray(values) || values.length !== count) invalid(fn, argument, values, `an array of ${count} numbers, one per objective (task first)`);
  return values.map((v: unknown, i) => {
    if (typeof v !== 'number' || !(allowNonFinite || Number.isFinite(v))) invalid(fn, `${argument}[${i}]`, v, allowNonFinite ? 'a number' : 'a finite number');
    return v;
  });
}

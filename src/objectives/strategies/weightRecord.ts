import { invalid } from '../../core/validate.js';

/** Validates a record of finite numbers >= 0 and returns a frozen copy (internal). */
export function weightRecord(fn: string, argument: string, record: Readonly<Record<string, number>>): Readonly<Record<string, number>> {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) invalid(fn, argument, record, 'a record of term names to numbers');
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(record)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) invalid(fn, `${argument}.${k}`, v, 'a finite number >= 0');
    out[k] = v;
  }
  return Object.freeze(out);
}

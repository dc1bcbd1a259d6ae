/** Validation of a {@link RocCurve} argument (internal). */
import { invalid } from '../../core/validate.js';
import type { RocCurve } from './types.js';

/** Checks that `curve` has rate arrays of one length >= 2 (as {@link rocCurve} returns). */
export function checkCurve(fn: string, argument: string, curve: unknown): RocCurve {
  const c = curve as Partial<RocCurve> | null;
  const ok = typeof c === 'object' && c !== null &&
    c.falsePositiveRate instanceof Float64Array && c.truePositiveRate instanceof Float64Array &&
    c.falsePositiveRate.length === c.truePositiveRate.length && c.falsePositiveRate.length >= 2;
  if (!ok) invalid(fn, argument, curve, 'a RocCurve (from rocCurve): falsePositiveRate and truePositiveRate Float64Arrays of one length >= 2');
  return c as RocCurve;
}

/**
 * The output grid of the floating-point-safe mechanisms (internal): a power of two about 2^40
 * times finer than the noise scale, as in Google's differential-privacy library (granularity
 * parameter 2^40) and OpenDP.
 */
import { invalid } from '../../../core/validate.js';
import { toDyadic } from './dyadic.js';

/** The noise scale is between 2^39 and 2^40 grid steps. */
export const GRID_BITS = 40;

/**
 * The exponent k of the grid 2^k for a noise scale: k = ⌈log2(scale)⌉ − 40, so that
 * scale / 2^k lies in (2^39, 2^40].
 */
export function gridExponent(fn: string, argument: string, scale: number, hint?: string): number {
  if (!(scale >= 2 ** -1034 && scale < Number.POSITIVE_INFINITY)) {
    invalid(fn, argument, scale, 'a finite noise scale of at least 2^-1034 (its output grid must be a double)', hint);
  }
  let top = Math.ceil(Math.log2(scale));
  while (2 ** top < scale) top++;
  while (2 ** (top - 1) >= scale) top--;
  return top - GRID_BITS;
}

const bits = new DataView(new ArrayBuffer(8));

/**
 * The largest double q with q · b <= a exactly (a, b finite and positive): the correctly
 * rounded a / b, moved one step down when it rounded up. Used for noise multipliers, so that an
 * accountant never sees more noise than was added.
 */
export function quotientAtMost(a: number, b: number): number {
  const q = a / b;
  const qd = toDyadic(q);
  const bd = toDyadic(b);
  const ad = toDyadic(a);
  const left = qd.exp + bd.exp;
  const e = Math.min(left, ad.exp);
  if (((qd.num * bd.num) << BigInt(left - e)) <= ad.num << BigInt(ad.exp - e)) return q;
  bits.setFloat64(0, q);
  bits.setBigUint64(0, bits.getBigUint64(0) - 1n);
  return bits.getFloat64(0);
}

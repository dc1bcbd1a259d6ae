/**
 * Vector arithmetic in Z_{2^32}: the group in which secure aggregation adds masked inputs.
 * `x >>> 0` reduces any integer-valued double below 2^53 modulo 2^32, so the sums wrap exactly.
 */
import { invalid } from '../../core/validate.js';

function checkPair(fn: string, a: Uint32Array, b: Uint32Array): void {
  if (!(a instanceof Uint32Array)) invalid(fn, 'a', a, 'a Uint32Array');
  if (!(b instanceof Uint32Array)) invalid(fn, 'b', b, 'a Uint32Array');
  if (a.length !== b.length) invalid(fn, 'b', `length ${b.length}`, `of the same length as 'a' (${a.length})`);
}

/**
 * Element-wise `(a + b) mod 2^32`, as a new array.
 *
 * @param a - First vector.
 * @param b - Second vector, same length.
 * @returns A new Uint32Array.
 * @example
 * ```ts
 * import { addModular } from 'responsible-tfjs/federated';
 * addModular(new Uint32Array([0xffffffff, 1]), new Uint32Array([2, 2])); // Uint32Array [1, 3]
 * ```
 */
export function addModular(a: Uint32Array, b: Uint32Array): Uint32Array {
  checkPair('addModular', a, b);
  const out = new Uint32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = ((a[i] as number) + (b[i] as number)) >>> 0;
  return out;
}

/**
 * Element-wise `(a - b) mod 2^32`, as a new array.
 *
 * @param a - Minuend.
 * @param b - Subtrahend, same length.
 * @returns A new Uint32Array.
 * @example
 * ```ts
 * import { subModular } from 'responsible-tfjs/federated';
 * subModular(new Uint32Array([1, 3]), new Uint32Array([2, 2])); // Uint32Array [0xffffffff, 1]
 * ```
 */
export function subModular(a: Uint32Array, b: Uint32Array): Uint32Array {
  checkPair('subModular', a, b);
  const out = new Uint32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = ((a[i] as number) - (b[i] as number)) >>> 0;
  return out;
}

/** In place: `target += sign * v (mod 2^32)` (internal, no validation). */
export function accumulateModular(target: Uint32Array, v: Uint32Array, sign: 1 | -1): void {
  if (sign === 1) for (let i = 0; i < target.length; i++) target[i] = ((target[i] as number) + (v[i] as number)) >>> 0;
  else for (let i = 0; i < target.length; i++) target[i] = ((target[i] as number) - (v[i] as number)) >>> 0;
}

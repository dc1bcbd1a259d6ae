/**
 * Argument validators used at every public boundary. Each throws an {@link InvalidArgumentError}
 * naming the function, the argument, the value and what is allowed; none clamps or coerces.
 */
import { InvalidArgumentError } from './errors.js';

function fail(fn: string, argument: string, value: unknown, allowed: string, hint?: string): never {
  throw new InvalidArgumentError({ fn, argument, value, allowed, ...(hint !== undefined ? { hint } : {}) });
}

/** A finite number (not NaN, not ±Infinity). */
export function finiteNumber(fn: string, argument: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(fn, argument, value, 'a finite number');
  return value;
}

/** A finite number > 0. */
export function positiveNumber(fn: string, argument: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) fail(fn, argument, value, 'a finite number > 0');
  return value;
}

/** A finite number >= 0. */
export function nonNegativeNumber(fn: string, argument: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) fail(fn, argument, value, 'a finite number >= 0');
  return value;
}

/** An integer >= 1 (a safe integer). */
export function positiveInteger(fn: string, argument: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) fail(fn, argument, value, 'an integer >= 1');
  return value;
}

/** An integer >= 0 (a safe integer). */
export function nonNegativeInteger(fn: string, argument: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) fail(fn, argument, value, 'an integer >= 0');
  return value;
}

/** Interval bounds: `[lo, hi]`, `(lo, hi)`, `[lo, hi)` or `(lo, hi]`. */
export interface Interval {
  readonly min: number;
  readonly max: number;
  readonly minInclusive?: boolean;
  readonly maxInclusive?: boolean;
}

/** A finite number inside an interval; the message spells the interval as written mathematically. */
export function numberInRange(fn: string, argument: string, value: unknown, interval: Interval): number {
  const { min, max, minInclusive = true, maxInclusive = true } = interval;
  const ok =
    typeof value === 'number' &&
    !Number.isNaN(value) &&
    (minInclusive ? value >= min : value > min) &&
    (maxInclusive ? value <= max : value < max) &&
    (Number.isFinite(value) || (value === max && maxInclusive) || (value === min && minInclusive));
  if (!ok) {
    fail(fn, argument, value, `a number in ${minInclusive ? '[' : '('}${min}, ${max}${maxInclusive ? ']' : ')'}`);
  }
  return value as number;
}

/** One of a fixed set of literal values. */
export function oneOf<T extends string | number | boolean>(fn: string, argument: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) fail(fn, argument, value, `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
  return value as T;
}

/** A boolean. */
export function booleanValue(fn: string, argument: string, value: unknown): boolean {
  if (typeof value !== 'boolean') fail(fn, argument, value, 'true or false');
  return value;
}

/** A plain options object (or undefined, which becomes `{}`). */
export function optionsObject<T extends object>(fn: string, argument: string, value: T | undefined): T {
  if (value === undefined) return {} as T;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(fn, argument, value, 'an options object');
  return value;
}

/** Every element of a numeric array-like is finite; reports the first offending index. */
export function finiteArray(fn: string, argument: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) fail(fn, `${argument}[${i}]`, v, 'a finite number', `All elements of '${argument}' must be finite`);
  }
}

/** Two lengths agree. */
export function sameLength(fn: string, argument: string, length: number, expectedLength: number, expectedName: string): void {
  if (length !== expectedLength) {
    fail(fn, argument, `length ${length}`, `of the same length as '${expectedName}' (${expectedLength})`);
  }
}

/** Throws the standard error for a bespoke check. */
export function invalid(fn: string, argument: string, value: unknown, allowed: string, hint?: string): never {
  return fail(fn, argument, value, allowed, hint);
}

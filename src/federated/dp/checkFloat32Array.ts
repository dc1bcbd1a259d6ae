/**
 * Shared argument check of the dp and compression folders (internal).
 */
import { invalid } from '../../core/validate.js';

/** Throws an InvalidArgumentError unless `value` is a Float32Array (internal). */
export function checkFloat32Array(fn: string, argument: string, value: unknown): asserts value is Float32Array {
  if (!(value instanceof Float32Array)) invalid(fn, argument, value, 'a Float32Array');
}

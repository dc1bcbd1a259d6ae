/** Membership labels and scores checked at the public boundary (internal). */
import { finiteArray, invalid, sameLength } from '../../core/validate.js';

function isArrayLike(value: unknown): value is ArrayLike<unknown> {
  return Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
}

/** Scores as a checked array-like of finite numbers (internal). */
export function checkScores(fn: string, argument: string, scores: unknown): ArrayLike<number> {
  if (!isArrayLike(scores)) invalid(fn, argument, scores, 'an array or typed array of finite numbers');
  finiteArray(fn, argument, scores as ArrayLike<number>);
  return scores as ArrayLike<number>;
}

/**
 * Membership labels as 0/1 flags (1 = member), checked against `length` and required to hold
 * both classes: an attack cannot be scored on members alone or non-members alone (internal).
 */
export function membershipFlags(fn: string, argument: string, isMember: unknown, length: number, lengthName: string): Uint8Array {
  if (!isArrayLike(isMember)) invalid(fn, argument, isMember, 'an array of booleans or 0/1 (1 = member)');
  sameLength(fn, argument, isMember.length, length, lengthName);
  const flags = new Uint8Array(length);
  let members = 0;
  for (let i = 0; i < length; i++) {
    const v = isMember[i];
    if (v === true || v === 1) flags[i] = 1;
    else if (v !== false && v !== 0) invalid(fn, `${argument}[${i}]`, v, 'true, false, 1 or 0 (1 = member)');
    members += flags[i] as number;
  }
  if (members === 0 || members === length) {
    invalid(fn, argument, `${members} members of ${length}`, 'at least one member and one non-member');
  }
  return flags;
}

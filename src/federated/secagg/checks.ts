/** Message-field checks shared by the secure-aggregation client and server (internal). */
import { secAggFail } from './errors.js';

/** The message's round equals the configured one. */
export function checkRound(fn: string, round: unknown, expected: number): void {
  if (round !== expected) secAggFail(fn, 'malformed', `message for round ${String(round)}, this round is ${expected}`);
}

/** An array of distinct integer ids, as a set. */
export function checkIdList(fn: string, list: unknown, name: string): Set<number> {
  if (!Array.isArray(list)) secAggFail(fn, 'malformed', `'${name}' is not an array`);
  const out = new Set<number>();
  for (const id of list as unknown[]) {
    if (!Number.isInteger(id) || out.has(id as number)) secAggFail(fn, 'malformed', `'${name}' holds a repeated or non-integer id ${String(id)}`);
    out.add(id as number);
  }
  return out;
}

import { invalid } from '../../core/validate.js';

/** Validates a term name (internal). */
export function termName(fn: string, name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) invalid(fn, 'options.name', name, 'a non-empty string');
  return name;
}

import type { AccountantKind, PrivacyAccountant } from './accountant.js';
import { oneOf } from '../../core/validate.js';
import { RdpAccountant } from './rdpAccountant.js';
import { PldAccountant } from './pldAccountant.js';

/**
 * A fresh accountant of the given kind with default options.
 *
 * @param kind - `'rdp'` or `'pld'`.
 * @returns A new, empty accountant.
 * @example
 * ```ts
 * import { createAccountant } from 'responsible-tfjs/privacy';
 * const eps = createAccountant('pld').step({ noiseMultiplier: 1.1, sampleRate: 0.01 }, 100).getEpsilon(1e-5);
 * ```
 */
export function createAccountant(kind: AccountantKind): PrivacyAccountant {
  oneOf('createAccountant', 'kind', kind, ['rdp', 'pld'] as const);
  return kind === 'rdp' ? new RdpAccountant() : new PldAccountant();
}

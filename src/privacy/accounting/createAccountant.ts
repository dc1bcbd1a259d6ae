import { NEIGHBORING_RELATIONS, type AccountantKind, type NeighboringRelation, type PrivacyAccountant } from './accountant.js';
import { oneOf, optionsObject } from '../../core/validate.js';
import { RdpAccountant } from './rdpAccountant.js';
import { PldAccountant } from './pldAccountant.js';

/**
 * Options of {@link createAccountant} shared by both kinds.
 */
export interface CreateAccountantOptions {
  /** The relation the guarantee is stated for (default `'addOrRemoveOne'`), see {@link NeighboringRelation}. */
  readonly neighboringRelation?: NeighboringRelation;
}

/**
 * A fresh accountant of the given kind with default options (and the given neighbouring relation).
 *
 * @param kind - `'rdp'` or `'pld'`.
 * @param options - Optional neighbouring relation.
 * @returns A new, empty accountant.
 * @example
 * ```ts
 * import { createAccountant } from 'responsible-tfjs/privacy';
 * const eps = createAccountant('pld').step({ noiseMultiplier: 1.1, sampleRate: 0.01 }, 100).getEpsilon(1e-5);
 * ```
 */
export function createAccountant(kind: AccountantKind, options?: CreateAccountantOptions): PrivacyAccountant {
  oneOf('createAccountant', 'kind', kind, ['rdp', 'pld'] as const);
  const o = optionsObject('createAccountant', 'options', options);
  const neighboringRelation = oneOf('createAccountant', 'options.neighboringRelation', o.neighboringRelation ?? 'addOrRemoveOne', NEIGHBORING_RELATIONS);
  return kind === 'rdp' ? new RdpAccountant({ neighboringRelation }) : new PldAccountant({ neighboringRelation });
}

/**
 * The one error class of secure aggregation: a protocol message or state that the protocol must
 * refuse (malformed, duplicate, late, inconsistent, undecryptable) or a round that cannot finish
 * because fewer than the threshold of clients survive.
 */
import { ResponsibleError } from '../../core/errors.js';

/**
 * Why a secure-aggregation step was refused.
 * - `belowThreshold`: fewer than `threshold` clients (or shares) survive; the round must be aborted.
 * - `malformed`: a message's type, fields or sizes are wrong.
 * - `duplicate`: a second message from the same client in one phase.
 * - `late`: a message for a phase that is already closed.
 * - `unexpected`: a message for a phase that has not started, or a method called out of order.
 * - `unknownClient`: a sender that is not a participant of the phase.
 * - `inconsistent`: lists of clients or keys that contradict what this party already knows.
 * - `decryption`: an encrypted share bundle failed AES-GCM authentication.
 * - `badKey`: a public or reconstructed private key that WebCrypto rejects.
 *
 * @example
 * ```ts
 * import { SecAggError, type SecAggErrorKind } from 'responsible-tfjs/federated';
 * const retryable: SecAggErrorKind[] = ['belowThreshold'];
 * try { await server.finish(); } catch (e) {
 *   if (e instanceof SecAggError && retryable.includes(e.kind)) console.log('start a new round');
 * }
 * ```
 */
export type SecAggErrorKind =
  | 'belowThreshold'
  | 'malformed'
  | 'duplicate'
  | 'late'
  | 'unexpected'
  | 'unknownClient'
  | 'inconsistent'
  | 'decryption'
  | 'badKey';

/**
 * A secure-aggregation message or step was refused. Its `code` is
 * `'SECURE_AGGREGATION_ABORTED'` when too few clients survive for the round to finish (`kind`
 * `'belowThreshold'`: the round releases nothing), and `'INVALID_ARGUMENT'` otherwise (the
 * offending argument is the message); `kind` says why, `fn` where, `clientId` whom it concerns.
 *
 * @example
 * ```ts
 * import { SecAggError } from 'responsible-tfjs/federated';
 * try {
 *   server.receive(message);
 * } catch (e) {
 *   if (e instanceof SecAggError && e.kind === 'late') console.log('dropped a late message from', e.clientId);
 * }
 * ```
 */
export class SecAggError extends ResponsibleError {
  /** Why the step was refused. */
  readonly kind: SecAggErrorKind;
  /** The method that refused it, e.g. `'SecAggServer.receive'`. */
  readonly fn: string;
  /** The client the message came from or concerns, when there is one. */
  readonly clientId: number | undefined;
  /**
   * Builds the error; the message reads `fn: [kind] detail`.
   * @param details - Where, why, a human-readable detail and the client concerned.
   */
  constructor(details: { fn: string; kind: SecAggErrorKind; detail: string; clientId?: number }) {
    super(details.kind === 'belowThreshold' ? 'SECURE_AGGREGATION_ABORTED' : 'INVALID_ARGUMENT', `${details.fn}: [${details.kind}] ${details.detail}`);
    this.kind = details.kind;
    this.fn = details.fn;
    this.clientId = details.clientId;
  }
}

/** Throws a {@link SecAggError} (internal shorthand). */
export function secAggFail(fn: string, kind: SecAggErrorKind, detail: string, clientId?: number): never {
  throw new SecAggError({ fn, kind, detail, ...(clientId !== undefined ? { clientId } : {}) });
}

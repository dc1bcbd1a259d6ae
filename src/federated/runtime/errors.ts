/** Errors of the coordinator and client runtimes. */
import { ResponsibleError } from '../../core/errors.js';

/**
 * Why a federated runtime gave up: `rejected` (the coordinator refused the client: bad token,
 * other protocol version), `retriesExhausted` (the client could not reach the coordinator),
 * `roundFailed` (a round failed `maxRoundAttempts` times: too few clients responded, or the
 * driver threw), `checkpoint` (the stored checkpoint is unreadable).
 *
 * @example
 * ```ts
 * import type { RuntimeFailure } from 'responsible-tfjs/federated';
 * const failure: RuntimeFailure = 'rejected';
 * ```
 */
export type RuntimeFailure = 'rejected' | 'retriesExhausted' | 'roundFailed' | 'checkpoint';

/**
 * A coordinator or client stopped because federation could not go on. `failure` says why; the
 * message gives details (the coordinator's reject reason, the last round error, ...).
 *
 * @example
 * ```ts
 * import { runClient, FederatedRuntimeError } from 'responsible-tfjs/federated';
 * try {
 *   await runClient({ url: 'ws://localhost:8080', clientId: 'c1', token: 'wrong', driver });
 * } catch (e) {
 *   if (e instanceof FederatedRuntimeError && e.failure === 'rejected') console.error(e.message);
 * }
 * ```
 */
export class FederatedRuntimeError extends ResponsibleError {
  /** Why the runtime stopped. */
  readonly failure: RuntimeFailure;
  /** The underlying error, when there is one. */
  override readonly cause: unknown;
  /**
   * Builds the error.
   * @param fn - The runtime function that stopped.
   * @param failure - Why.
   * @param detail - Human-readable detail.
   * @param cause - The underlying error, if any.
   */
  constructor(fn: string, failure: RuntimeFailure, detail: string, cause?: unknown) {
    super('FEDERATED_RUNTIME', `${fn}: ${detail}`);
    this.failure = failure;
    this.cause = cause;
  }
}

/**
 * The contract between the transport (coordinator and client runtimes) and the round logic
 * (drivers). A round is a sequence of phases; in each phase the server sends one request to some
 * clients and receives the responses of those that answer in time. Plain FedAvg has one phase
 * (`train`); secure aggregation has four (`advertiseKeys`, `shareKeys`, `maskedInput`, `unmask`).
 */
import type { Payload } from '../protocol/payload.js';

export type { Payload };

/**
 * What the server asks in one phase: a request per client, how many responses the phase needs
 * to succeed, and optionally its own timeout.
 *
 * @example
 * ```ts
 * import type { PhaseRequests } from 'responsible-tfjs/federated';
 * const phase: PhaseRequests = {
 *   phase: 'train',
 *   requests: new Map([['alice', { weights: new Float32Array(10) }], ['bob', { weights: new Float32Array(10) }]]),
 *   minResponses: 1,
 *   timeoutMs: 30_000,
 * };
 * ```
 */
export interface PhaseRequests {
  /** Phase name, sent to clients with each request. */
  readonly phase: string;
  /** Request payload per client id. Clients not connected when the phase starts are dropped from it. */
  readonly requests: ReadonlyMap<string, Payload>;
  /** Fewest responses the phase needs; with fewer, the round fails and is retried from its start. */
  readonly minResponses: number;
  /** This phase's timeout in milliseconds; default the coordinator's `phaseTimeoutMs`. */
  readonly timeoutMs?: number;
}

/**
 * Server-side round logic, driven by {@link startCoordinator}. Must be restartable: the
 * coordinator calls `checkpoint()` at each round's start and end and `restore()` to undo a failed
 * round or to resume after a restart.
 *
 * @example
 * ```ts
 * import type { ServerRoundDriver } from 'responsible-tfjs/federated';
 * // One phase per round: every client reports a number, the server sums them.
 * function sumDriver(rounds: number): ServerRoundDriver {
 *   let total = 0;
 *   return {
 *     rounds,
 *     async beginRound(round, connected) {
 *       return { phase: 'report', requests: new Map(connected.map((id) => [id, { round }])), minResponses: 1 };
 *     },
 *     async advance(_phase, responses) {
 *       for (const r of responses.values()) total += (r as { value: number }).value;
 *       return { done: true, summary: { total, clients: responses.size } };
 *     },
 *     checkpoint: () => ({ total }),
 *     restore: (state) => { total = (state as { total: number }).total; },
 *   };
 * }
 * ```
 */
export interface ServerRoundDriver {
  /** Starts round `round` (1-based) given the ids of connected, authenticated clients (sorted). */
  beginRound(round: number, connected: readonly string[]): Promise<PhaseRequests>;
  /**
   * Receives the responses of the current phase (clients that answered in time, by id in sorted
   * order; others are dropped) and returns the next phase, or `done` with the round's summary.
   */
  advance(phase: string, responses: ReadonlyMap<string, Payload>): Promise<PhaseRequests | { readonly done: true; readonly summary: Payload }>;
  /** The server state at a round boundary, as a {@link Payload} (typed arrays allowed). */
  checkpoint(): Payload;
  /** Restores a state returned by `checkpoint()` (possibly by another process). */
  restore(state: Payload): void;
  /** Total number of rounds to run. */
  readonly rounds: number;
}

/**
 * Client-side round logic, driven by {@link runClient}: answers one request of one phase.
 * Throwing sends an `error` to the coordinator, which drops the client from that phase.
 *
 * @example
 * ```ts
 * import type { ClientRoundDriver } from 'responsible-tfjs/federated';
 * const driver: ClientRoundDriver = {
 *   async handle(round, phase, request) {
 *     if (phase !== 'report') throw new Error(`unknown phase ${phase}`);
 *     return { value: round * 2 };
 *   },
 * };
 * ```
 */
export interface ClientRoundDriver {
  /** Answers the request of phase `phase` of round `round` (1-based). */
  handle(round: number, phase: string, request: Payload): Promise<Payload>;
}

/**
 * The coordinator: accepts client connections on an injected WebSocket server, authenticates
 * them, and runs a {@link ServerRoundDriver}'s rounds phase by phase over the wire protocol,
 * with timeouts, dropouts, retries of failed rounds and a checkpoint at every round boundary.
 */
import { AbortedError } from '../../core/errors.js';
import { booleanValue, invalid, optionsObject, positiveInteger, positiveNumber } from '../../core/validate.js';
import { DEFAULT_MAX_FRAME_BYTES } from '../protocol/framing.js';
import type { Payload } from '../protocol/payload.js';
import { checkpointFromJson, checkpointToJson, type CheckpointStore } from './checkpoint.js';
import type { PhaseRequests, ServerRoundDriver } from './driver.js';
import { FederatedRuntimeError } from './errors.js';
import { createSessions, type CoordinatorEvent } from './sessions.js';
import type { ServerLike } from './socket.js';

export type { CoordinatorEvent };

/**
 * Options of {@link startCoordinator}.
 *
 * @example
 * ```ts
 * import type { CoordinatorOptions } from 'responsible-tfjs/federated';
 * import { WebSocketServer } from 'ws';
 * const options: CoordinatorOptions = {
 *   server: new WebSocketServer({ port: 8080 }),
 *   driver: myServerDriver,
 *   authenticate: (clientId, token) => tokens.get(clientId) === token,
 *   minClients: 10,
 *   phaseTimeoutMs: 60_000,
 * };
 * ```
 */
export interface CoordinatorOptions {
  /** A WebSocket server (`ws`'s WebSocketServer in Node); the coordinator listens to its `connection` events. */
  readonly server: ServerLike;
  /** The round logic. */
  readonly driver: ServerRoundDriver;
  /** Decides whether a client may join; a throw counts as false. Compare tokens in constant time. */
  readonly authenticate: (clientId: string, token: string) => boolean | Promise<boolean>;
  /** Where to keep the checkpoint; without one, a restarted coordinator starts over. */
  readonly checkpointStore?: CheckpointStore;
  /** Connected, authenticated clients needed before a round starts. */
  readonly minClients: number;
  /** Default timeout of each phase, in milliseconds. */
  readonly phaseTimeoutMs: number;
  /** How many times a round is tried before the coordinator gives up. Default 3. */
  readonly maxRoundAttempts?: number;
  /** Time a new connection has to send `hello`, in milliseconds. Default `phaseTimeoutMs`. */
  readonly helloTimeoutMs?: number;
  /** Largest frame accepted or sent, in bytes. Default 128 MiB. */
  readonly maxFrameBytes?: number;
  /** Receives one line per notable event (connections, rejections, drops, rounds). */
  readonly log?: (line: string) => void;
  /** Receives structured events (for monitoring and tests). */
  readonly onEvent?: (event: CoordinatorEvent) => void;
  /** Stops the coordinator like {@link CoordinatorHandle.stop}. */
  readonly signal?: AbortSignal;
  /** Send the last round's summary in the final `bye` to every client. Default false. */
  readonly sendSummaryOnBye?: boolean;
}

/**
 * A running coordinator.
 *
 * @example
 * ```ts
 * import { startCoordinator } from 'responsible-tfjs/federated';
 * const coordinator = startCoordinator(options);
 * const summaries = await coordinator.done; // one summary per round
 * ```
 */
export interface CoordinatorHandle {
  /**
   * Resolves with one summary per round when all rounds are done; rejects with AbortedError after
   * `stop()`, or FederatedRuntimeError (`roundFailed`, `checkpoint`). A rejection nobody awaits is
   * not reported as unhandled (it is logged).
   */
  readonly done: Promise<readonly Payload[]>;
  /** Closes every connection without `bye` (clients will try to reconnect) and stops; the round in progress is abandoned. */
  stop(): void;
  /** Ids of the connected, authenticated clients, sorted. */
  connectedClients(): readonly string[];
}

/**
 * Starts a coordinator. It waits for `minClients` authenticated clients, then for each round
 * calls `driver.beginRound`, sends each phase's requests, collects responses until every
 * requested client answered, disconnected or the phase timed out, and passes them to
 * `driver.advance` (sorted by client id). Messages that are malformed, unauthenticated, replayed
 * (a request id answered twice), late or for another round/phase are logged, answered with an
 * `error` message and never reach the driver. A phase with fewer than `minResponses` responses,
 * or a driver error, fails the round: the driver is restored to the round's start and the round
 * is retried (at most `maxRoundAttempts` times). After each round the checkpoint (round number,
 * `driver.checkpoint()`, summaries) is saved; on start the checkpoint is loaded and the
 * coordinator resumes with the first incomplete round, from its start.
 *
 * @param options - {@link CoordinatorOptions}.
 * @returns A {@link CoordinatorHandle}.
 * @throws InvalidArgumentError for invalid options.
 *
 * @example
 * ```ts
 * import { startCoordinator } from 'responsible-tfjs/federated';
 * import { WebSocketServer } from 'ws';
 * import { readFile, writeFile } from 'node:fs/promises';
 *
 * const server = new WebSocketServer({ port: 8080 });
 * const coordinator = startCoordinator({
 *   server,
 *   driver: myServerDriver, // a ServerRoundDriver, e.g. FedAvg
 *   authenticate: (clientId, token) => tokens.get(clientId) === token,
 *   checkpointStore: {
 *     load: () => readFile('fl-checkpoint.json', 'utf8').catch(() => undefined),
 *     save: (json) => writeFile('fl-checkpoint.json', json),
 *   },
 *   minClients: 3,
 *   phaseTimeoutMs: 60_000,
 *   log: (line) => console.log(line),
 * });
 * const summaries = await coordinator.done;
 * server.close();
 * ```
 */
export function startCoordinator(options: CoordinatorOptions): CoordinatorHandle {
  const fn = 'startCoordinator';
  optionsObject(fn, 'options', options);
  const { server, driver, authenticate, checkpointStore, signal } = options;
  if (typeof server?.on !== 'function') invalid(fn, 'options.server', server, "a WebSocket server with on('connection', listener)");
  for (const method of ['beginRound', 'advance', 'checkpoint', 'restore'] as const) {
    if (typeof driver?.[method] !== 'function') invalid(fn, `options.driver.${method}`, driver?.[method], 'a function (a ServerRoundDriver)');
  }
  positiveInteger(fn, 'options.driver.rounds', driver.rounds);
  if (typeof authenticate !== 'function') invalid(fn, 'options.authenticate', authenticate, 'a function (clientId, token) => boolean');
  if (checkpointStore !== undefined && (typeof checkpointStore?.load !== 'function' || typeof checkpointStore?.save !== 'function')) {
    invalid(fn, 'options.checkpointStore', checkpointStore, 'an object with load() and save(json)');
  }
  const minClients = positiveInteger(fn, 'options.minClients', options.minClients);
  const phaseTimeoutMs = positiveNumber(fn, 'options.phaseTimeoutMs', options.phaseTimeoutMs);
  const maxRoundAttempts = positiveInteger(fn, 'options.maxRoundAttempts', options.maxRoundAttempts ?? 3);
  const helloTimeoutMs = positiveNumber(fn, 'options.helloTimeoutMs', options.helloTimeoutMs ?? phaseTimeoutMs);
  const maxFrameBytes = positiveInteger(fn, 'options.maxFrameBytes', options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES);
  const sendSummaryOnBye = booleanValue(fn, 'options.sendSummaryOnBye', options.sendSummaryOnBye ?? false);
  // Callbacks run inside socket event handlers: a throwing callback must not take the coordinator down.
  const log = (line: string): void => {
    try {
      options.log?.(line);
    } catch {
      // ignored: logging is best effort
    }
  };
  const emit = (event: CoordinatorEvent): void => {
    try {
      options.onEvent?.(event);
    } catch (e) {
      log(`onEvent threw: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  const sessions = createSessions({ server, authenticate, helloTimeoutMs, maxFrameBytes, log, emit });

  const stop = (): void => {
    if (sessions.stopped || sessions.finished) return;
    sessions.stop();
  };

  const waitForClients = async (): Promise<void> => {
    if (sessions.connected().length < minClients) log(`waiting for ${minClients} clients (${sessions.connected().length} connected)`);
    while (sessions.connected().length < minClients && !sessions.stopped) await sessions.changed();
  };

  const runRound = async (round: number): Promise<Payload> => {
    let next: PhaseRequests | { readonly done: true; readonly summary: Payload } = await driver.beginRound(round, sessions.connected());
    for (;;) {
      if (sessions.stopped) throw new AbortedError(fn);
      if ('done' in next) return next.summary;
      const phase = checkPhase(next, phaseTimeoutMs);
      const responses = await sessions.runPhase(round, phase.phase, phase.requests, phase.timeoutMs ?? phaseTimeoutMs);
      if (sessions.stopped) throw new AbortedError(fn);
      if (responses.size < phase.minResponses) {
        throw new Error(`phase '${phase.phase}' got ${responses.size} responses, needs minResponses = ${phase.minResponses}`);
      }
      next = await driver.advance(phase.phase, responses);
    }
  };

  const run = async (): Promise<readonly Payload[]> => {
    const summaries: Payload[] = [];
    const stored = checkpointStore !== undefined ? await checkpointStore.load() : undefined;
    if (stored !== undefined) {
      const checkpoint = checkpointFromJson(fn, stored, driver.rounds);
      driver.restore(checkpoint.driverState);
      summaries.push(...checkpoint.summaries);
      log(`resumed from checkpoint: ${checkpoint.completedRounds} of ${driver.rounds} rounds complete`);
    }
    while (summaries.length < driver.rounds) {
      const round = summaries.length + 1;
      // A copy, in case the driver hands out its live state and mutates it during the round.
      const startState = structuredClone(driver.checkpoint());
      let summary: Payload;
      for (let attempt = 1; ; attempt++) {
        await waitForClients();
        if (sessions.stopped) throw new AbortedError(fn);
        log(`round ${round} attempt ${attempt} starts with ${sessions.connected().length} clients`);
        try {
          summary = await runRound(round);
          break;
        } catch (e) {
          if (sessions.stopped) throw new AbortedError(fn);
          const reason = e instanceof Error ? e.message : String(e);
          log(`round ${round} attempt ${attempt} failed: ${reason}`);
          emit({ type: 'roundFailed', round, attempt, reason });
          driver.restore(structuredClone(startState));
          if (attempt >= maxRoundAttempts) {
            throw new FederatedRuntimeError(fn, 'roundFailed', `round ${round} failed ${attempt} times; last error: ${reason}`, e);
          }
        }
      }
      summaries.push(summary);
      if (checkpointStore !== undefined) {
        await checkpointStore.save(checkpointToJson({ completedRounds: round, driverState: driver.checkpoint(), summaries }));
      }
      log(`round ${round} of ${driver.rounds} complete`);
      emit({ type: 'roundCompleted', round, summary });
    }
    sessions.finish('finished', sendSummaryOnBye ? summaries[summaries.length - 1] : undefined);
    log('all rounds complete; sent bye to every client');
    return summaries;
  };

  const onAbort = (): void => stop();
  if (signal?.aborted) queueMicrotask(onAbort);
  else signal?.addEventListener('abort', onAbort, { once: true });
  const done = run()
    .catch((e: unknown) => {
      // A failed federation says goodbye, so clients stop instead of reconnecting forever.
      log(`coordinator stopped: ${e instanceof Error ? e.message : String(e)}`);
      if (!sessions.stopped) sessions.finish(`failed: ${e instanceof Error ? e.message : String(e)}`);
      throw e;
    })
    .finally(() => signal?.removeEventListener('abort', onAbort));
  // Failures are also logged; a caller that never awaits `done` must not crash the process with
  // an unhandled rejection. Awaiting `done` still sees the error.
  done.catch(() => {});
  return { done, stop, connectedClients: () => sessions.connected() };
}

function checkPhase(phase: PhaseRequests, phaseTimeoutMs: number): PhaseRequests {
  const fn = 'ServerRoundDriver';
  if (typeof phase?.phase !== 'string' || phase.phase.length === 0) invalid(fn, 'phase.phase', phase?.phase, 'a non-empty string');
  if (!(phase.requests instanceof Map)) invalid(fn, 'phase.requests', phase.requests, 'a Map from client id to payload');
  if (typeof phase.minResponses !== 'number' || !Number.isSafeInteger(phase.minResponses) || phase.minResponses < 0) {
    invalid(fn, 'phase.minResponses', phase.minResponses, 'an integer >= 0');
  }
  if (phase.timeoutMs !== undefined) positiveNumber(fn, 'phase.timeoutMs', phase.timeoutMs);
  return { ...phase, timeoutMs: phase.timeoutMs ?? phaseTimeoutMs };
}

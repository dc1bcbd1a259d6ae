/**
 * The client runtime: connects to a coordinator, says hello, answers each request through a
 * {@link ClientRoundDriver}, and reconnects with exponential backoff when the connection drops
 * (a coordinator restart, a network blip) until the coordinator says bye.
 */
import { AbortedError } from '../../core/errors.js';
import { invalid, nonNegativeNumber, optionsObject, positiveInteger } from '../../core/validate.js';
import { ProtocolError } from '../protocol/errors.js';
import { DEFAULT_MAX_FRAME_BYTES, decodeFrame, encodeFrame } from '../protocol/framing.js';
import { MAX_STRING_LENGTH, PROTOCOL_VERSION, type FederatedMessage } from '../protocol/messages.js';
import type { Payload } from '../protocol/payload.js';
import type { ClientRoundDriver } from './driver.js';
import { FederatedRuntimeError } from './errors.js';
import type { WebSocketConstructorLike, WebSocketLike } from './socket.js';

/**
 * Reconnection policy of {@link runClient}: after the `k`-th connection in a row that failed or
 * dropped (k = 1, 2, ...) the client waits `min(maxDelayMs, initialDelayMs * 2^(k-1))` ms and
 * tries again, at most `attempts` times; a connection the coordinator welcomed resets the count.
 *
 * @example
 * ```ts
 * import type { RetryOptions } from 'responsible-tfjs/federated';
 * const retry: RetryOptions = { attempts: 10, initialDelayMs: 200, maxDelayMs: 5_000 };
 * ```
 */
export interface RetryOptions {
  /** Reconnection attempts in a row before giving up (>= 1). */
  readonly attempts: number;
  /** First backoff delay, in milliseconds. */
  readonly initialDelayMs: number;
  /** Largest backoff delay, in milliseconds. */
  readonly maxDelayMs: number;
}

/**
 * Options of {@link runClient}.
 *
 * @example
 * ```ts
 * import type { ClientOptions } from 'responsible-tfjs/federated';
 * const options: ClientOptions = { url: 'wss://fl.example.org', clientId: 'hospital-7', token, driver: myClientDriver };
 * ```
 */
export interface ClientOptions {
  /** Coordinator URL (`ws://` or `wss://`). */
  readonly url: string;
  /** This client's id (non-empty, at most 4096 characters). */
  readonly clientId: string;
  /** The secret the coordinator's `authenticate` checks. */
  readonly token: string;
  /** The round logic. */
  readonly driver: ClientRoundDriver;
  /** WebSocket constructor; default `globalThis.WebSocket` (in Node 20 pass `ws`'s `WebSocket`). */
  readonly WebSocket?: WebSocketConstructorLike;
  /** Reconnection policy. Default `{ attempts: 5, initialDelayMs: 250, maxDelayMs: 5000 }`. */
  readonly retry?: RetryOptions;
  /** Stops the client (closes the connection; the promise rejects with AbortedError). */
  readonly signal?: AbortSignal;
  /** Receives one line per notable event. */
  readonly log?: (line: string) => void;
  /** Largest frame accepted or sent, in bytes. Default 128 MiB. */
  readonly maxFrameBytes?: number;
}

/**
 * How a client's run ended (the coordinator said bye).
 *
 * @example
 * ```ts
 * import { runClient, type ClientResult } from 'responsible-tfjs/federated';
 * const result: ClientResult = await runClient(options);
 * console.log(result.reason, result.requestsAnswered);
 * ```
 */
export interface ClientResult {
  /** The coordinator's bye reason (`'finished'`, or why federation failed). */
  readonly reason: string;
  /** The summary the coordinator sent with bye, if any. */
  readonly summary?: Payload;
  /** Requests answered successfully over the whole run. */
  readonly requestsAnswered: number;
  /** Connections opened (1 + reconnections). */
  readonly connections: number;
}

type SessionEnd =
  | { kind: 'bye'; reason: string; summary?: Payload }
  | { kind: 'rejected'; reason: string }
  | { kind: 'closed'; welcomed: boolean }
  | { kind: 'aborted' };

/**
 * Runs a federated client until the coordinator says bye. Requests are answered one at a time,
 * in arrival order, by `driver.handle`; a driver error is reported to the coordinator (which
 * drops this client from that phase) and the client carries on. When the connection drops
 * without bye the client reconnects with exponential backoff ({@link RetryOptions}).
 *
 * @param options - {@link ClientOptions}.
 * @returns The {@link ClientResult} once the coordinator says bye.
 * @throws FederatedRuntimeError (`rejected`: bad token or other protocol version, not retried;
 *   `retriesExhausted`), AbortedError when `signal` aborts, InvalidArgumentError for bad options.
 *
 * @example
 * ```ts
 * import { runClient } from 'responsible-tfjs/federated';
 * // In a browser (in Node 20 add `WebSocket` from the 'ws' package to the options).
 * const result = await runClient({
 *   url: 'wss://fl.example.org',
 *   clientId: 'device-42',
 *   token: sessionToken,
 *   driver: {
 *     async handle(round, phase, request) {
 *       // e.g. train locally on the weights in `request`, return the update
 *       return { round, value: new Float32Array([1, 2, 3]) };
 *     },
 *   },
 *   retry: { attempts: 10, initialDelayMs: 500, maxDelayMs: 10_000 },
 * });
 * console.log(result.reason); // 'finished'
 * ```
 */
export async function runClient(options: ClientOptions): Promise<ClientResult> {
  const fn = 'runClient';
  optionsObject(fn, 'options', options);
  const { url, clientId, token, driver, signal } = options;
  if (typeof url !== 'string' || !/^wss?:\/\//.test(url)) invalid(fn, 'options.url', url, "a 'ws://' or 'wss://' URL");
  if (typeof clientId !== 'string' || clientId.length === 0 || clientId.length > MAX_STRING_LENGTH) {
    invalid(fn, 'options.clientId', clientId, `a non-empty string of at most ${MAX_STRING_LENGTH} characters`);
  }
  if (typeof token !== 'string' || token.length > MAX_STRING_LENGTH) invalid(fn, 'options.token', '(hidden)', `a string of at most ${MAX_STRING_LENGTH} characters`);
  if (typeof driver?.handle !== 'function') invalid(fn, 'options.driver', driver, 'a ClientRoundDriver with handle(round, phase, request)');
  const Ctor = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructorLike }).WebSocket;
  if (typeof Ctor !== 'function') invalid(fn, 'options.WebSocket', Ctor, "a WebSocket constructor (in Node 20, pass WebSocket from the 'ws' package)");
  const retry = optionsObject(fn, 'options.retry', options.retry) as Partial<RetryOptions>;
  const attempts = positiveInteger(fn, 'options.retry.attempts', retry.attempts ?? 5);
  const initialDelayMs = nonNegativeNumber(fn, 'options.retry.initialDelayMs', retry.initialDelayMs ?? 250);
  const maxDelayMs = nonNegativeNumber(fn, 'options.retry.maxDelayMs', retry.maxDelayMs ?? 5000);
  const frameOptions = { maxFrameBytes: positiveInteger(fn, 'options.maxFrameBytes', options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES) };
  const log = (line: string): void => {
    try {
      options.log?.(line);
    } catch {
      // ignored: logging is best effort and runs inside socket handlers
    }
  };

  let requestsAnswered = 0;
  let connections = 0;
  let failures = 0;
  // One queue across connections: a request still being answered when its connection dropped
  // finishes before the next connection's requests start, so the driver never runs concurrently.
  let queue: Promise<void> = Promise.resolve();

  const session = (): Promise<SessionEnd> =>
    new Promise<SessionEnd>((resolve) => {
      connections++;
      let welcomed = false;
      let ended = false;
      const ws: WebSocketLike = new Ctor(url);
      ws.binaryType = 'arraybuffer';
      const end = (result: SessionEnd): void => {
        if (ended) return;
        ended = true;
        signal?.removeEventListener('abort', onAbort);
        if (result.kind !== 'closed') {
          try {
            ws.close(1000);
          } catch {
            // already closed
          }
        }
        resolve(result);
      };
      const onAbort = (): void => end({ kind: 'aborted' });
      signal?.addEventListener('abort', onAbort, { once: true });
      const send = (message: FederatedMessage): void => {
        if (ended || ws.readyState !== 1) return;
        ws.send(encodeFrame(message, frameOptions));
      };
      const answer = async (m: Extract<FederatedMessage, { type: 'request' }>): Promise<void> => {
        let payload: Payload;
        try {
          payload = await driver.handle(m.round, m.phase, m.payload);
          send({ type: 'response', protocolVersion: PROTOCOL_VERSION, round: m.round, phase: m.phase, requestId: m.requestId, payload });
          requestsAnswered++;
        } catch (e) {
          const reason = (e instanceof Error ? e.message : String(e)).slice(0, MAX_STRING_LENGTH);
          log(`${clientId}: round ${m.round} phase '${m.phase}' failed: ${reason}`);
          send({ type: 'error', protocolVersion: PROTOCOL_VERSION, reason, requestId: m.requestId });
        }
      };
      ws.onopen = () => send({ type: 'hello', protocolVersion: PROTOCOL_VERSION, clientId, token });
      ws.onmessage = (event: { data: unknown }) => {
        if (ended) return;
        let m: FederatedMessage;
        try {
          if (!(event.data instanceof ArrayBuffer) && !(event.data instanceof Uint8Array)) throw new Error('a text frame');
          m = decodeFrame(event.data, frameOptions);
        } catch (e) {
          if (e instanceof ProtocolError && e.argument === 'header.protocolVersion') {
            return end({ kind: 'rejected', reason: `the coordinator speaks protocol version ${String(e.value)}, this client ${PROTOCOL_VERSION}` });
          }
          return log(`${clientId}: ignored a malformed frame: ${(e as Error).message}`);
        }
        switch (m.type) {
          case 'welcome':
            welcomed = true;
            failures = 0;
            return log(`${clientId}: connected`);
          case 'reject':
            return end({ kind: 'rejected', reason: `${m.code}: ${m.reason}` });
          case 'bye':
            return end({ kind: 'bye', reason: m.reason, ...(m.summary !== undefined ? { summary: m.summary } : {}) });
          case 'error':
            return log(`${clientId}: the coordinator refused a message: ${m.reason}`);
          case 'request':
            queue = queue.then(() => answer(m));
            return;
          default:
            return log(`${clientId}: ignored an unexpected '${m.type}' message`);
        }
      };
      ws.onerror = () => {}; // a close event follows
      ws.onclose = () => end({ kind: 'closed', welcomed });
    });

  for (;;) {
    if (signal?.aborted) throw new AbortedError(fn, signal.reason);
    const result = await session();
    switch (result.kind) {
      case 'bye':
        log(`${clientId}: coordinator said bye (${result.reason})`);
        return { reason: result.reason, ...(result.summary !== undefined ? { summary: result.summary } : {}), requestsAnswered, connections };
      case 'rejected':
        throw new FederatedRuntimeError(fn, 'rejected', `the coordinator rejected client '${clientId}': ${result.reason}`);
      case 'aborted':
        throw new AbortedError(fn, signal?.reason);
      case 'closed': {
        failures++;
        if (failures > attempts) {
          throw new FederatedRuntimeError(fn, 'retriesExhausted', `could not reach the coordinator at ${url}: ${failures} connections in a row failed`);
        }
        const delayMs = Math.min(maxDelayMs, initialDelayMs * 2 ** (failures - 1));
        log(`${clientId}: connection closed; reconnecting in ${delayMs} ms (retry ${failures} of ${attempts})`);
        await sleep(delayMs, signal);
      }
    }
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * The coordinator's connection bookkeeping: the hello/authentication handshake, which client is
 * connected on which socket, and the one phase in progress (who still owes a response to which
 * request). Every message a client sends is checked here; only responses to an outstanding
 * request of the current phase get through.
 */
import { ProtocolError, protocolFail } from '../protocol/errors.js';
import { decodeFrame, encodeFrame } from '../protocol/framing.js';
import { MAX_STRING_LENGTH, PROTOCOL_VERSION, type FederatedMessage, type RejectCode } from '../protocol/messages.js';
import type { Payload } from '../protocol/payload.js';
import { messageBytes, type ServerLike, type ServerSocketLike } from './socket.js';

/**
 * A structured event of a running coordinator (see `onEvent` in {@link CoordinatorOptions}).
 *
 * @example
 * ```ts
 * import { startCoordinator, type CoordinatorEvent } from 'responsible-tfjs/federated';
 * const onEvent = (event: CoordinatorEvent) => {
 *   if (event.type === 'phaseStarted') console.log(`round ${event.round}: ${event.phase} sent to ${event.clientIds.length}`);
 * };
 * ```
 */
export type CoordinatorEvent =
  | { readonly type: 'clientConnected'; readonly clientId: string }
  | { readonly type: 'clientDisconnected'; readonly clientId: string }
  | { readonly type: 'phaseStarted'; readonly round: number; readonly phase: string; readonly clientIds: readonly string[] }
  | {
      readonly type: 'phaseCompleted';
      readonly round: number;
      readonly phase: string;
      readonly responded: readonly string[];
      readonly dropped: readonly string[];
    }
  | { readonly type: 'roundCompleted'; readonly round: number; readonly summary: Payload }
  | { readonly type: 'roundFailed'; readonly round: number; readonly attempt: number; readonly reason: string }
  | { readonly type: 'messageRejected'; readonly clientId: string | undefined; readonly reason: string };

interface Session {
  readonly socket: ServerSocketLike;
  state: 'pending' | 'authenticating' | 'ready' | 'closed';
  clientId?: string;
  helloTimer?: ReturnType<typeof setTimeout>;
}

interface ActivePhase {
  readonly round: number;
  readonly phase: string;
  readonly pending: Map<string, string>; // clientId -> requestId
  readonly responses: Map<string, Payload>;
  readonly dropped: string[];
}

const fn = 'startCoordinator';

const byKey = <T>(entries: Iterable<[string, T]>): Map<string, T> =>
  new Map([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** Reasons are free text built from error messages; keep them within the protocol's string limit. */
const clip = (text: string): string => (text.length > MAX_STRING_LENGTH ? `${text.slice(0, MAX_STRING_LENGTH - 3)}...` : text);

function randomHex(bytes: number): string {
  const b = globalThis.crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** Creates the coordinator's connection table and attaches it to `server`. */
export function createSessions(options: {
  server: ServerLike;
  authenticate: (clientId: string, token: string) => boolean | Promise<boolean>;
  helloTimeoutMs: number;
  maxFrameBytes: number;
  log: (line: string) => void;
  emit: (event: CoordinatorEvent) => void;
}) {
  const { server, authenticate, helloTimeoutMs, log, emit } = options;
  const frameOptions = { maxFrameBytes: options.maxFrameBytes };
  // Request ids are unique across coordinator restarts, so a response to a request of a previous
  // incarnation can never match an outstanding one.
  const nonce = randomHex(8);
  let counter = 0;
  const all = new Set<Session>();
  const clients = new Map<string, Session>();
  // Request ids answered in the current round (replays from earlier rounds are rejected as late).
  const answered = new Set<string>();
  let answeredRound = -1;
  let phase: ActivePhase | undefined;
  let stopped = false;
  let finished = false;
  let waiters: (() => void)[] = [];
  const notify = (): void => {
    const w = waiters;
    waiters = [];
    for (const wake of w) wake();
  };

  const who = (s: Session): string => (s.clientId !== undefined ? `client '${s.clientId}'` : 'an unauthenticated connection');

  const sendMessage = (s: Session, message: FederatedMessage): void => {
    let frame: Uint8Array;
    try {
      const m = 'reason' in message ? { ...message, reason: clip(message.reason) } : message;
      frame = encodeFrame(m as FederatedMessage, frameOptions);
    } catch (e) {
      return log(`could not encode a '${message.type}' message for ${who(s)}: ${(e as Error).message}`);
    }
    sendFrame(s, frame);
  };
  const sendFrame = (s: Session, frame: Uint8Array): void => {
    if (s.socket.readyState !== undefined && s.socket.readyState !== 1) return;
    try {
      s.socket.send(frame);
    } catch (e) {
      log(`send to ${who(s)} failed: ${(e as Error).message}`);
    }
  };
  const sendError = (s: Session, reason: string, requestId?: string): void => {
    log(`rejected message from ${who(s)}: ${reason}`);
    emit({ type: 'messageRejected', clientId: s.clientId, reason });
    sendMessage(s, { type: 'error', protocolVersion: PROTOCOL_VERSION, reason, ...(requestId !== undefined ? { requestId } : {}) });
  };
  const close = (s: Session, code: number, reason: string): void => {
    s.state = 'closed';
    clearTimeout(s.helloTimer);
    all.delete(s);
    try {
      s.socket.close(code, reason);
    } catch {
      // already closed
    }
  };
  const reject = (s: Session, code: RejectCode, reason: string): void => {
    log(`rejected ${who(s)}: ${reason}`);
    sendMessage(s, { type: 'reject', protocolVersion: PROTOCOL_VERSION, code, reason });
    close(s, 4000, code);
  };

  const dropFromPhase = (clientId: string, why: string): void => {
    if (phase?.pending.has(clientId) !== true) return;
    phase.pending.delete(clientId);
    phase.dropped.push(clientId);
    log(`dropped client '${clientId}' from round ${phase.round} phase '${phase.phase}': ${why}`);
    notify();
  };

  const onHello = async (s: Session, m: Extract<FederatedMessage, { type: 'hello' }>): Promise<void> => {
    s.state = 'authenticating';
    let ok = false;
    try {
      ok = (await authenticate(m.clientId, m.token)) === true;
    } catch (e) {
      log(`authenticate threw for client '${m.clientId}': ${(e as Error).message}`);
    }
    // The socket may have closed while authenticate was pending (TS cannot see the mutation).
    if ((s.state as Session['state']) === 'closed') return;
    if (!ok) return reject(s, 'auth', `authentication failed for client '${m.clientId}'`);
    if (finished) {
      sendMessage(s, { type: 'bye', protocolVersion: PROTOCOL_VERSION, reason: 'finished' });
      return close(s, 1000, 'finished');
    }
    clearTimeout(s.helloTimer);
    const previous = clients.get(m.clientId);
    if (previous !== undefined) {
      log(`client '${m.clientId}' reconnected; closing its previous connection`);
      close(previous, 4001, 'replaced by a new connection');
      clients.delete(m.clientId);
      dropFromPhase(m.clientId, 'replaced by a new connection');
    }
    s.clientId = m.clientId;
    s.state = 'ready';
    clients.set(m.clientId, s);
    sendMessage(s, { type: 'welcome', protocolVersion: PROTOCOL_VERSION, clientId: m.clientId });
    log(`client '${m.clientId}' connected (${clients.size} connected)`);
    emit({ type: 'clientConnected', clientId: m.clientId });
    notify();
  };

  const onResponse = (s: Session, m: Extract<FederatedMessage, { type: 'response' }>): void => {
    const id = s.clientId as string;
    const p = phase;
    if (p !== undefined && p.pending.get(id) === m.requestId && p.round === m.round && p.phase === m.phase) {
      p.pending.delete(id);
      p.responses.set(id, m.payload);
      answered.add(m.requestId);
      notify();
      return;
    }
    const kind = answered.has(m.requestId) ? 'replayed' : 'late or unknown';
    const current = p !== undefined ? `round ${p.round} phase '${p.phase}'` : 'no phase';
    sendError(s, `${kind} response (round ${m.round}, phase '${m.phase}', request ${m.requestId}); current: ${current}`, m.requestId);
  };

  const onMessage = (s: Session, data: unknown, isBinary: unknown): void => {
    if (s.state === 'closed') return;
    let m: FederatedMessage;
    try {
      if (isBinary === false) protocolFail(fn, 'frame', 'a text frame', 'a binary WebSocket frame');
      m = decodeFrame(messageBytes(fn, data), frameOptions);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (s.state !== 'ready' && e instanceof ProtocolError && e.argument === 'header.protocolVersion') {
        return reject(s, 'protocolVersion', `protocol version ${String(e.value)} is not supported; this coordinator speaks ${PROTOCOL_VERSION}`);
      }
      return sendError(s, `malformed frame: ${message}`);
    }
    if (s.state === 'pending' && m.type === 'hello') return void onHello(s, m);
    if (s.state !== 'ready') return sendError(s, `'${m.type}' from an unauthenticated connection: send hello first`);
    if (m.type === 'response') return onResponse(s, m);
    if (m.type === 'error') {
      if (m.requestId !== undefined && phase?.pending.get(s.clientId as string) === m.requestId) {
        return dropFromPhase(s.clientId as string, `the client reported an error: ${m.reason}`);
      }
      return log(`error message from ${who(s)}: ${m.reason}`);
    }
    sendError(s, `unexpected '${m.type}' message from a client`);
  };

  const onClose = (s: Session): void => {
    const wasReady = s.state === 'ready';
    s.state = 'closed';
    clearTimeout(s.helloTimer);
    all.delete(s);
    const id = s.clientId;
    if (!wasReady || id === undefined || clients.get(id) !== s) return;
    clients.delete(id);
    log(`client '${id}' disconnected (${clients.size} connected)`);
    emit({ type: 'clientDisconnected', clientId: id });
    dropFromPhase(id, 'disconnected');
    notify();
  };

  const onConnection = (socket: ServerSocketLike): void => {
    const s: Session = { socket, state: 'pending' };
    socket.on('error', (e: unknown) => log(`socket error from ${who(s)}: ${(e as Error)?.message ?? String(e)}`));
    if (stopped) return void close(s, 1012, 'coordinator stopping');
    all.add(s);
    s.helloTimer = setTimeout(() => {
      if (s.state !== 'pending') return;
      log(`closing a connection that sent no hello within ${helloTimeoutMs} ms`);
      close(s, 4002, 'no hello in time');
    }, helloTimeoutMs);
    socket.on('message', (data: unknown, isBinary: unknown) => onMessage(s, data, isBinary));
    socket.on('close', () => onClose(s));
  };
  server.on('connection', onConnection);

  return {
    get stopped(): boolean {
      return stopped;
    },
    get finished(): boolean {
      return finished;
    },
    /** Connected, authenticated client ids, sorted. */
    connected: (): string[] => [...clients.keys()].sort(),
    /** Resolves at the next change (connection, response, drop, stop). */
    changed: (): Promise<void> => new Promise((resolve) => waiters.push(resolve)),

    /** Sends a phase's requests and collects responses until all answered or dropped, or the timeout. */
    async runPhase(round: number, name: string, requests: ReadonlyMap<string, Payload>, timeoutMs: number): Promise<Map<string, Payload>> {
      const p: ActivePhase = { round, phase: name, pending: new Map(), responses: new Map(), dropped: [] };
      if (round !== answeredRound) {
        answered.clear();
        answeredRound = round;
      }
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        notify();
      }, timeoutMs);
      try {
        // Encode everything first: a payload the wire cannot carry is the driver's error and fails
        // the round before any client sees the phase.
        const frames = [...byKey(requests)].map(([clientId, payload]) => {
          const requestId = `${nonce}-${++counter}`;
          const frame = encodeFrame({ type: 'request', protocolVersion: PROTOCOL_VERSION, round, phase: name, requestId, payload }, frameOptions);
          return { clientId, requestId, frame };
        });
        phase = p;
        for (const { clientId, requestId, frame } of frames) {
          const s = clients.get(clientId);
          if (s === undefined) {
            p.dropped.push(clientId);
            log(`dropped client '${clientId}' from round ${round} phase '${name}': not connected`);
            continue;
          }
          p.pending.set(clientId, requestId);
          sendFrame(s, frame);
        }
        emit({ type: 'phaseStarted', round, phase: name, clientIds: [...p.pending.keys()] });
        while (p.pending.size > 0 && !timedOut && !stopped) await new Promise<void>((resolve) => waiters.push(resolve));
        if (timedOut && p.pending.size > 0) {
          const late = [...p.pending.keys()];
          log(`round ${round} phase '${name}' timed out after ${timeoutMs} ms; dropped ${late.map((c) => `'${c}'`).join(', ')}`);
          p.dropped.push(...late);
          p.pending.clear();
        }
      } finally {
        clearTimeout(timer);
        phase = undefined;
      }
      const responses = byKey(p.responses);
      emit({ type: 'phaseCompleted', round, phase: name, responded: [...responses.keys()], dropped: [...p.dropped].sort() });
      return responses;
    },

    /** Closes every connection without bye (clients reconnect to the next coordinator). */
    stop(): void {
      if (stopped) return;
      stopped = true;
      server.off?.('connection', onConnection);
      for (const s of [...all]) close(s, 1012, 'coordinator restarting');
      clients.clear();
      notify();
    },

    /** Says bye to every client and closes; later hellos are answered with bye too. */
    finish(reason: string, summary?: Payload): void {
      finished = true;
      for (const s of [...all]) {
        if (s.state === 'ready') {
          sendMessage(s, { type: 'bye', protocolVersion: PROTOCOL_VERSION, reason, ...(summary !== undefined ? { summary } : {}) });
        }
        close(s, 1000, 'finished');
      }
      clients.clear();
      notify();
    },
  };
}

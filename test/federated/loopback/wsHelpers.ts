/** Small helpers for transport tests over real `ws` sockets in-process. */
import { WebSocket, WebSocketServer } from 'ws';
import { decodeFrame, encodeFrame } from '../../../src/federated/protocol/framing.js';
import type { FederatedMessage } from '../../../src/federated/protocol/messages.js';

/** Starts a WebSocketServer on `port` (0 = any free port) and resolves once it listens. */
export async function listen(port = 0): Promise<{ server: WebSocketServer; port: number; url: string; close(): Promise<void> }> {
  const server = new WebSocketServer({ port, host: '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const actual = (server.address() as { port: number }).port;
  return {
    server,
    port: actual,
    url: `ws://127.0.0.1:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of server.clients) c.terminate();
        server.close(() => resolve());
      }),
  };
}

/** A hand-driven client socket that records decoded messages (for protocol-abuse tests). */
export async function rawClient(url: string) {
  const ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  const messages: FederatedMessage[] = [];
  let waiters: (() => void)[] = [];
  let closed = false;
  ws.on('message', (data: ArrayBuffer) => {
    messages.push(decodeFrame(data));
    for (const w of waiters.splice(0)) w();
  });
  ws.on('close', () => {
    closed = true;
    for (const w of waiters.splice(0)) w();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    messages,
    get closed() {
      return closed;
    },
    send: (m: FederatedMessage) => ws.send(encodeFrame(m)),
    sendRaw: (data: Uint8Array | string) => ws.send(data),
    /** Resolves with the first recorded message of `type` after index `from` (default: any). */
    async next<T extends FederatedMessage['type']>(type: T, from = 0): Promise<Extract<FederatedMessage, { type: T }>> {
      for (;;) {
        const found = messages.slice(from).find((m) => m.type === type);
        if (found) return found as Extract<FederatedMessage, { type: T }>;
        if (closed) throw new Error(`socket closed before a '${type}' message`);
        await new Promise<void>((r) => waiters.push(r));
      }
    },
    async waitClosed(): Promise<void> {
      while (!closed) await new Promise<void>((r) => waiters.push(r));
    },
  };
}

/** Resolves when `predicate` holds, polling every 10 ms; rejects after `timeoutMs`. */
export async function until(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

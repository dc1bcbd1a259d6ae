/**
 * The minimal socket shapes the runtimes use, so nothing under src/ imports `ws`: a Node
 * coordinator passes a `ws` WebSocketServer; clients use the browser WebSocket (or `ws`'s).
 */
import { protocolFail } from '../protocol/errors.js';

/**
 * A server-side connection as `ws` provides it (`socket.on('message', (data, isBinary) => ...)`).
 *
 * @example
 * ```ts
 * import type { ServerSocketLike } from 'responsible-tfjs/federated';
 * import { WebSocketServer } from 'ws';
 * new WebSocketServer({ port: 8080 }).on('connection', (socket: ServerSocketLike) => socket.close());
 * ```
 */
export interface ServerSocketLike {
  /** Sends one binary frame. */
  send(data: Uint8Array): void;
  /** Closes the connection. */
  close(code?: number, reason?: string): void;
  /** Registers a listener (`message`, `close` and `error` are used). */
  on(event: 'message' | 'close' | 'error', listener: (...args: any[]) => void): unknown;
  /** 1 when open (WebSocket readyState); sends are skipped otherwise. */
  readonly readyState?: number;
}

/**
 * A WebSocket server as `ws`'s WebSocketServer provides it: emits `connection` with a socket.
 *
 * @example
 * ```ts
 * import type { ServerLike } from 'responsible-tfjs/federated';
 * import { WebSocketServer } from 'ws';
 * const server: ServerLike = new WebSocketServer({ port: 8080 });
 * ```
 */
export interface ServerLike {
  /** Registers the connection listener. */
  on(event: 'connection', listener: (socket: ServerSocketLike, ...rest: any[]) => void): unknown;
  /** Removes it (called when the coordinator stops), when the server supports it. */
  off?(event: 'connection', listener: (socket: ServerSocketLike, ...rest: any[]) => void): unknown;
}

/**
 * A client-side WebSocket as browsers (and `ws`'s WebSocket) provide it.
 *
 * @example
 * ```ts
 * import type { WebSocketLike } from 'responsible-tfjs/federated';
 * const socket: WebSocketLike = new WebSocket('ws://localhost:8080');
 * ```
 */
export interface WebSocketLike {
  /** Set to `'arraybuffer'` so binary frames arrive as ArrayBuffer. */
  binaryType: string;
  /** 1 when open. */
  readonly readyState: number;
  /** Sends one binary frame. */
  send(data: Uint8Array): void;
  /** Closes the connection. */
  close(code?: number, reason?: string): void;
  /** Called when the connection opens. */
  onopen: ((event: any) => void) | null;
  /** Called with each message (`event.data` holds the frame). */
  onmessage: ((event: any) => void) | null;
  /** Called when the connection closes, from either side. */
  onclose: ((event: any) => void) | null;
  /** Called on a transport error (a close follows). */
  onerror: ((event: any) => void) | null;
}

/**
 * A WebSocket constructor: `globalThis.WebSocket` in browsers, `ws`'s `WebSocket` in Node 20.
 *
 * @example
 * ```ts
 * import type { WebSocketConstructorLike } from 'responsible-tfjs/federated';
 * import { WebSocket } from 'ws';
 * const ctor: WebSocketConstructorLike = WebSocket;
 * ```
 */
export type WebSocketConstructorLike = new (url: string) => WebSocketLike;

/** The bytes of a received binary message (Buffer, ArrayBuffer, or Buffer fragments); text frames are refused. */
export function messageBytes(fn: string, data: unknown): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (Array.isArray(data) && data.every((d) => d instanceof Uint8Array)) {
    const out = new Uint8Array(data.reduce((n, d: Uint8Array) => n + d.length, 0));
    let at = 0;
    for (const d of data as Uint8Array[]) {
      out.set(d, at);
      at += d.length;
    }
    return out;
  }
  return protocolFail(fn, 'frame', typeof data === 'string' ? 'a text frame' : data, 'a binary WebSocket frame');
}

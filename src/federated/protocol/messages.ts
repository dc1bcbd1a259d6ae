/**
 * The federated wire protocol's messages and their hand-written schema validation. Every message
 * carries `protocolVersion`; a peer speaking another version is rejected before anything else.
 */
import type { Payload } from './payload.js';
import { protocolFail } from './errors.js';

/**
 * The wire protocol version this build speaks. Bumped on any incompatible change; a coordinator
 * rejects a client's `hello` of another version with a `reject` naming both versions.
 *
 * @example
 * ```ts
 * import { PROTOCOL_VERSION } from 'responsible-tfjs/federated';
 * console.log(PROTOCOL_VERSION); // 1
 * ```
 */
export const PROTOCOL_VERSION = 1;

/**
 * Why a coordinator refused a connection: `protocolVersion` (the peers speak different versions),
 * `auth` (unknown client or bad token), `protocol` (the first message was not a valid `hello`),
 * `finished` (the federation is over). A client does not retry after a reject.
 *
 * @example
 * ```ts
 * import type { RejectCode } from 'responsible-tfjs/federated';
 * const code: RejectCode = 'auth';
 * ```
 */
export type RejectCode = 'protocolVersion' | 'auth' | 'protocol' | 'finished';

const REJECT_CODES: readonly RejectCode[] = ['protocolVersion', 'auth', 'protocol', 'finished'];

/**
 * One message of the federated wire protocol (a discriminated union on `type`).
 * Client to coordinator: `hello`, `response`, `error`. Coordinator to client: `welcome`,
 * `reject`, `request`, `error`, `bye`.
 *
 * @example
 * ```ts
 * import { PROTOCOL_VERSION, type FederatedMessage } from 'responsible-tfjs/federated';
 * const hello: FederatedMessage = { type: 'hello', protocolVersion: PROTOCOL_VERSION, clientId: 'c1', token: 's3cret' };
 * ```
 */
export type FederatedMessage =
  | { readonly type: 'hello'; readonly protocolVersion: number; readonly clientId: string; readonly token: string }
  | { readonly type: 'welcome'; readonly protocolVersion: number; readonly clientId: string }
  | { readonly type: 'reject'; readonly protocolVersion: number; readonly code: RejectCode; readonly reason: string }
  | {
      readonly type: 'request';
      readonly protocolVersion: number;
      readonly round: number;
      readonly phase: string;
      readonly requestId: string;
      readonly payload: Payload;
    }
  | {
      readonly type: 'response';
      readonly protocolVersion: number;
      readonly round: number;
      readonly phase: string;
      readonly requestId: string;
      readonly payload: Payload;
    }
  | { readonly type: 'error'; readonly protocolVersion: number; readonly reason: string; readonly requestId?: string }
  | { readonly type: 'bye'; readonly protocolVersion: number; readonly reason: string; readonly summary?: Payload };

/**
 * The message types, in protocol order.
 *
 * @example
 * ```ts
 * import { MESSAGE_TYPES } from 'responsible-tfjs/federated';
 * console.log(MESSAGE_TYPES.includes('hello')); // true
 * ```
 */
export const MESSAGE_TYPES = ['hello', 'welcome', 'reject', 'request', 'response', 'error', 'bye'] as const;

/** Longest accepted identifier or reason string, in UTF-16 code units. */
export const MAX_STRING_LENGTH = 4096;

// Fields each type must have besides type/protocolVersion, and which are optional.
const FIELDS: Record<(typeof MESSAGE_TYPES)[number], { required: readonly string[]; optional: readonly string[] }> = {
  hello: { required: ['clientId', 'token'], optional: [] },
  welcome: { required: ['clientId'], optional: [] },
  reject: { required: ['code', 'reason'], optional: [] },
  request: { required: ['round', 'phase', 'requestId', 'payload'], optional: [] },
  response: { required: ['round', 'phase', 'requestId', 'payload'], optional: [] },
  error: { required: ['reason'], optional: ['requestId'] },
  bye: { required: ['reason'], optional: ['summary'] },
};

/**
 * Checks a decoded header against the schema of its message type: the protocol version first,
 * then the type, then each field (no missing, no unknown, each of the right type). Payload
 * contents are not inspected here (they are the driver's business).
 *
 * @param fn - The calling function, for the error message.
 * @param header - The parsed header object.
 * @returns The header, typed as a message.
 * @throws ProtocolError naming the first offending field (`header.<field>`), its value and what is allowed.
 *
 * @example
 * ```ts
 * import { validateMessage, PROTOCOL_VERSION } from 'responsible-tfjs/federated';
 * const m = validateMessage('myDecoder', { type: 'bye', protocolVersion: PROTOCOL_VERSION, reason: 'done' });
 * console.log(m.type); // 'bye'
 * ```
 */
export function validateMessage(fn: string, header: unknown): FederatedMessage {
  if (typeof header !== 'object' || header === null || Array.isArray(header)) protocolFail(fn, 'header', header, 'a JSON object');
  const h = header as Record<string, unknown>;
  if (h.protocolVersion !== PROTOCOL_VERSION) {
    protocolFail(fn, 'header.protocolVersion', h.protocolVersion, `${PROTOCOL_VERSION} (the protocol version this build speaks)`);
  }
  const type = h.type;
  if (typeof type !== 'string' || !(MESSAGE_TYPES as readonly string[]).includes(type)) {
    protocolFail(fn, 'header.type', type, `one of ${MESSAGE_TYPES.join(', ')}`);
  }
  const { required, optional } = FIELDS[type as (typeof MESSAGE_TYPES)[number]];
  for (const key of Object.keys(h)) {
    if (key !== 'type' && key !== 'protocolVersion' && !required.includes(key) && !optional.includes(key)) {
      protocolFail(fn, `header.${key}`, h[key], `absent (a '${type}' message has the fields ${['type', 'protocolVersion', ...required, ...optional].join(', ')})`);
    }
  }
  for (const key of required) if (!(key in h)) protocolFail(fn, `header.${key}`, undefined, `present in a '${type}' message`);
  for (const key of [...required, ...optional]) {
    if (!(key in h)) continue;
    const value = h[key];
    switch (key) {
      case 'round':
        if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) protocolFail(fn, 'header.round', value, 'an integer >= 0');
        break;
      case 'code':
        if (!(REJECT_CODES as readonly unknown[]).includes(value)) protocolFail(fn, 'header.code', value, `one of ${REJECT_CODES.join(', ')}`);
        break;
      case 'payload':
      case 'summary':
        break;
      default:
        checkString(fn, `header.${key}`, value, key === 'reason' || key === 'token');
    }
  }
  return h as unknown as FederatedMessage;
}

function checkString(fn: string, field: string, value: unknown, mayBeEmpty: boolean): void {
  if (typeof value !== 'string' || (!mayBeEmpty && value.length === 0) || value.length > MAX_STRING_LENGTH) {
    protocolFail(fn, field, value, `a ${mayBeEmpty ? '' : 'non-empty '}string of at most ${MAX_STRING_LENGTH} characters`);
  }
}

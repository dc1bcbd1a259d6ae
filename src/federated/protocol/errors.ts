/**
 * The error a malformed frame or message raises. It is an {@link InvalidArgumentError} (code
 * `INVALID_ARGUMENT`) whose `argument` is the offending field's path inside the frame, so a
 * coordinator can log exactly what a peer got wrong and answer it without crashing.
 */
import { InvalidArgumentError } from '../../core/errors.js';

/**
 * A frame or message does not follow the federated wire protocol: truncated, oversized, wrong
 * protocol version, unknown message type, a field of the wrong type, or a payload value the wire
 * cannot carry. `fn` is the function that rejected it (`decodeFrame`, `encodeFrame`, ...) and
 * `argument` the field path (e.g. `header.round`, `payload.weights`).
 *
 * @example
 * ```ts
 * import { decodeFrame, ProtocolError } from 'responsible-tfjs/federated';
 * try {
 *   decodeFrame(new Uint8Array([1, 2]));
 * } catch (e) {
 *   if (e instanceof ProtocolError) console.log(e.argument, e.allowed); // 'frame' 'at least 4 bytes ...'
 * }
 * ```
 */
export class ProtocolError extends InvalidArgumentError {}

/** Throws a {@link ProtocolError}. */
export function protocolFail(fn: string, field: string, value: unknown, allowed: string, hint?: string): never {
  throw new ProtocolError({ fn, argument: field, value, allowed, ...(hint !== undefined ? { hint } : {}) });
}

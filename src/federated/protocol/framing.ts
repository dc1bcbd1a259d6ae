/**
 * Binary framing of protocol messages for WebSocket binary frames:
 *
 *     [u32 little-endian header length H][H bytes of UTF-8 JSON header][attachments...]
 *
 * Typed arrays inside `payload` / `summary` become placeholders `{"$bin": i, "dtype", "length"}`
 * in the header; attachment `i` starts at the next multiple of 8 bytes after the previous one
 * (the first after the header), so a decoder can view it without copying on aligned buffers.
 * The frame ends exactly at the last attachment's end (or the header's, without attachments).
 */
import { protocolFail } from './errors.js';
import { validateMessage, type FederatedMessage } from './messages.js';
import {
  arrayFromLittleEndian,
  bytesPerElement,
  joinPayload,
  littleEndianBytes,
  splitPayload,
  type BinaryPlaceholder,
  type PayloadArray,
} from './payload.js';

/**
 * Default largest frame accepted or produced, in bytes (128 MiB: a 30-million-parameter float32
 * model update fits).
 *
 * @example
 * ```ts
 * import { DEFAULT_MAX_FRAME_BYTES } from 'responsible-tfjs/federated';
 * console.log(DEFAULT_MAX_FRAME_BYTES / 2 ** 20); // 128
 * ```
 */
export const DEFAULT_MAX_FRAME_BYTES = 128 * 2 ** 20;

/**
 * Options of {@link encodeFrame} and {@link decodeFrame}.
 *
 * @example
 * ```ts
 * import type { FrameOptions } from 'responsible-tfjs/federated';
 * const options: FrameOptions = { maxFrameBytes: 16 * 2 ** 20 };
 * ```
 */
export interface FrameOptions {
  /** Largest frame accepted or produced, in bytes. Default {@link DEFAULT_MAX_FRAME_BYTES}. */
  readonly maxFrameBytes?: number;
}

const align8 = (n: number): number => Math.ceil(n / 8) * 8;

/**
 * Encodes a protocol message as one binary frame. The message is validated first (schema and
 * protocol version), then its `payload` / `summary` is split into JSON and attachments.
 *
 * @param message - The message to send.
 * @param options - {@link FrameOptions}.
 * @returns A new byte array, ready for `socket.send`.
 * @throws ProtocolError when the message breaks the schema, the payload holds something the wire
 *   cannot carry (e.g. NaN outside a float array), or the frame would exceed `maxFrameBytes`.
 *
 * @example
 * ```ts
 * import { encodeFrame, decodeFrame, PROTOCOL_VERSION } from 'responsible-tfjs/federated';
 * const frame = encodeFrame({
 *   type: 'response', protocolVersion: PROTOCOL_VERSION, round: 1, phase: 'train', requestId: 'r1',
 *   payload: { numExamples: 32, delta: new Float32Array([0.5, -0.25]) },
 * });
 * const back = decodeFrame(frame);
 * if (back.type === 'response') console.log((back.payload as { delta: Float32Array }).delta); // Float32Array [0.5, -0.25]
 * ```
 */
export function encodeFrame(message: FederatedMessage, options: FrameOptions = {}): Uint8Array {
  const fn = 'encodeFrame';
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const { json, arrays } = splitPayload(fn, message, 'message');
  validateMessage(fn, json);
  const header = new TextEncoder().encode(JSON.stringify(json));
  let size = 4 + header.length;
  const offsets: number[] = [];
  for (const array of arrays) {
    size = align8(size);
    offsets.push(size);
    size += array.byteLength;
  }
  if (size > maxFrameBytes) protocolFail(fn, 'message', `a frame of ${size} bytes`, `at most ${maxFrameBytes} bytes (maxFrameBytes)`);
  const frame = new Uint8Array(size);
  new DataView(frame.buffer).setUint32(0, header.length, true);
  frame.set(header, 4);
  arrays.forEach((array, i) => frame.set(littleEndianBytes(array), offsets[i]));
  return frame;
}

/**
 * Decodes one binary frame into a validated protocol message. Never trusts the peer: lengths are
 * checked before anything is allocated, the header must be valid UTF-8 JSON of the current
 * protocol version, every placeholder must name a distinct attachment, and the frame must end
 * exactly where the last attachment does. Float attachments may hold NaN or ±Infinity (the
 * driver decides whether that is acceptable). Typed arrays in the result are fresh copies.
 *
 * @param frame - The frame's bytes (`Uint8Array`, Node `Buffer` or `ArrayBuffer`).
 * @param options - {@link FrameOptions}.
 * @returns The message, with typed arrays restored in its `payload` / `summary`.
 * @throws ProtocolError naming the offending field: `frame` (truncated, oversized, trailing
 *   bytes), `header` (not UTF-8 JSON), `header.protocolVersion`, `header.type`, a field path, or
 *   a placeholder path such as `message.payload.delta.$bin`.
 *
 * @example
 * ```ts
 * import { decodeFrame, ProtocolError } from 'responsible-tfjs/federated';
 * socket.on('message', (data: Uint8Array) => {
 *   try {
 *     const message = decodeFrame(data);
 *     console.log(message.type);
 *   } catch (e) {
 *     if (e instanceof ProtocolError) console.warn('bad frame:', e.message);
 *   }
 * });
 * ```
 */
export function decodeFrame(frame: Uint8Array | ArrayBuffer, options: FrameOptions = {}): FederatedMessage {
  const fn = 'decodeFrame';
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  // Tag checks, not instanceof: frames may come from another realm (a worker, an iframe, a test VM).
  const tag = Object.prototype.toString.call(frame);
  if (tag !== '[object Uint8Array]' && tag !== '[object ArrayBuffer]') protocolFail(fn, 'frame', frame, 'a Uint8Array or an ArrayBuffer');
  const bytes = tag === '[object Uint8Array]' ? (frame as Uint8Array) : new Uint8Array(frame as ArrayBuffer);
  if (bytes.length > maxFrameBytes) protocolFail(fn, 'frame', `${bytes.length} bytes`, `at most ${maxFrameBytes} bytes (maxFrameBytes)`);
  if (bytes.length < 4) protocolFail(fn, 'frame', `${bytes.length} bytes`, 'at least 4 bytes (the header length)');
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
  if (headerLength > bytes.length - 4) {
    protocolFail(fn, 'frame', `${bytes.length} bytes`, `at least ${4 + headerLength} bytes (the header length says ${headerLength}): truncated`);
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(4, 4 + headerLength)));
  } catch {
    return protocolFail(fn, 'header', `${headerLength} bytes`, 'UTF-8 JSON text');
  }
  const message = validateMessage(fn, header);
  const record = message as unknown as Record<string, unknown>;
  const fields = (['payload', 'summary'] as const).filter((f) => f in record);
  // First pass: collect placeholders, so offsets and the total size are known before copying.
  const placeholders: { placeholder: BinaryPlaceholder; path: string }[] = [];
  for (const f of fields) {
    joinPayload(fn, record[f], (placeholder, path) => {
      placeholders.push({ placeholder, path });
      return new Uint8Array(0);
    }, `message.${f}`);
  }
  const byIndex = new Array<{ placeholder: BinaryPlaceholder; path: string } | undefined>(placeholders.length);
  for (const p of placeholders) {
    const i = p.placeholder.$bin;
    if (i >= placeholders.length || byIndex[i] !== undefined) {
      protocolFail(fn, `${p.path}.$bin`, i, `a distinct attachment index below ${placeholders.length} (each attachment is used once)`);
    }
    byIndex[i] = p;
  }
  let end = 4 + headerLength;
  const starts: number[] = [];
  for (const p of byIndex as { placeholder: BinaryPlaceholder; path: string }[]) {
    end = align8(end);
    starts.push(end);
    end += p.placeholder.length * bytesPerElement(p.placeholder.dtype);
    if (end > bytes.length) {
      protocolFail(fn, 'frame', `${bytes.length} bytes`, `at least ${end} bytes (attachment ${p.placeholder.$bin} at ${p.path}): truncated`);
    }
  }
  if (end !== bytes.length) protocolFail(fn, 'frame', `${bytes.length} bytes`, `exactly ${end} bytes: trailing bytes after the last attachment`);
  const resolve = (placeholder: BinaryPlaceholder): PayloadArray => {
    const start = starts[placeholder.$bin] as number;
    return arrayFromLittleEndian(placeholder.dtype, bytes.subarray(start, start + placeholder.length * bytesPerElement(placeholder.dtype)));
  };
  const out: Record<string, unknown> = { ...record };
  for (const f of fields) out[f] = joinPayload(fn, record[f], resolve, `message.${f}`);
  return out as unknown as FederatedMessage;
}

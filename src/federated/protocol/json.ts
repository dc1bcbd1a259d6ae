/**
 * Payloads as JSON text (for checkpoints and logs): typed arrays become
 * `{"$bin": i, "dtype", "length"}` placeholders and their little-endian bytes are stored base64
 * in a side list, so a checkpoint of float32 weights round-trips bit for bit (NaN included).
 */
import { protocolFail } from './errors.js';
import { arrayFromLittleEndian, bytesPerElement, joinPayload, littleEndianBytes, splitPayload, type Payload } from './payload.js';
import { base64ToBytes, bytesToBase64 } from '../base64.js';

const FORMAT = 'responsible-tfjs/federated-payload@1';

/**
 * Serialises a payload (typed arrays included) to JSON text.
 *
 * @param payload - Any {@link Payload}.
 * @returns JSON text that {@link payloadFromJson} turns back into an equal payload.
 * @throws ProtocolError when the payload holds something the wire cannot carry.
 *
 * @example
 * ```ts
 * import { payloadToJson, payloadFromJson } from 'responsible-tfjs/federated';
 * const text = payloadToJson({ round: 3, weights: new Float32Array([1, 2]) });
 * const back = payloadFromJson(text) as { round: number; weights: Float32Array };
 * console.log(back.weights); // Float32Array [1, 2]
 * ```
 */
export function payloadToJson(payload: Payload): string {
  const { json, arrays } = splitPayload('payloadToJson', payload);
  return JSON.stringify({ format: FORMAT, payload: json, attachments: arrays.map((a) => bytesToBase64(littleEndianBytes(a))) });
}

/**
 * Parses JSON text written by {@link payloadToJson}.
 *
 * @param text - The JSON text.
 * @returns The payload, with fresh typed arrays.
 * @throws ProtocolError when the text is not JSON of this format or a placeholder does not match its data.
 *
 * @example
 * ```ts
 * import { payloadFromJson } from 'responsible-tfjs/federated';
 * const state = payloadFromJson(await readFile('checkpoint.json', 'utf8'));
 * ```
 */
export function payloadFromJson(text: string): Payload {
  const fn = 'payloadFromJson';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return protocolFail(fn, 'text', text, 'JSON text');
  }
  const doc = parsed as { format?: unknown; payload?: unknown; attachments?: unknown };
  if (typeof parsed !== 'object' || parsed === null || doc.format !== FORMAT) protocolFail(fn, 'text.format', doc?.format, JSON.stringify(FORMAT));
  const attachments = doc.attachments;
  if (!Array.isArray(attachments) || !attachments.every((a) => typeof a === 'string')) {
    protocolFail(fn, 'text.attachments', attachments, 'an array of base64 strings');
  }
  const used = new Set<number>();
  return joinPayload(fn, doc.payload, (placeholder, path) => {
    const data = attachments[placeholder.$bin] as string | undefined;
    if (data === undefined || used.has(placeholder.$bin)) protocolFail(fn, `${path}.$bin`, placeholder.$bin, `a distinct index below ${attachments.length}`);
    used.add(placeholder.$bin);
    const bytes = base64ToBytes(data);
    if (bytes === undefined) return protocolFail(fn, `text.attachments[${placeholder.$bin}]`, data, 'base64 text');
    const expected = placeholder.length * bytesPerElement(placeholder.dtype);
    if (bytes.length !== expected) protocolFail(fn, `text.attachments[${placeholder.$bin}]`, `${bytes.length} bytes`, `${expected} bytes (${path})`);
    return arrayFromLittleEndian(placeholder.dtype, bytes);
  });
}

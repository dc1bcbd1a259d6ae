/**
 * Payloads as JSON text (for checkpoints and logs): typed arrays become
 * `{"$bin": i, "dtype", "length"}` placeholders and their little-endian bytes are stored base64
 * in a side list, so a checkpoint of float32 weights round-trips bit for bit (NaN included).
 */
import { protocolFail } from './errors.js';
import { arrayFromLittleEndian, bytesPerElement, joinPayload, littleEndianBytes, splitPayload, type Payload } from './payload.js';

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
  return JSON.stringify({ format: FORMAT, payload: json, attachments: arrays.map((a) => toBase64(littleEndianBytes(a))) });
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
    let bytes: Uint8Array;
    try {
      bytes = fromBase64(data);
    } catch {
      return protocolFail(fn, `text.attachments[${placeholder.$bin}]`, data, 'base64 text');
    }
    const expected = placeholder.length * bytesPerElement(placeholder.dtype);
    if (bytes.length !== expected) protocolFail(fn, `text.attachments[${placeholder.$bin}]`, `${bytes.length} bytes`, `${expected} bytes (${path})`);
    return arrayFromLittleEndian(placeholder.dtype, bytes);
  });
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

// Hand-rolled base64 (RFC 4648, with padding): portable (no Buffer), and much faster than
// building a binary string for btoa from a large typed array.
function toBase64(bytes: Uint8Array): string {
  const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  const code = (k: number): number => ALPHABET.charCodeAt(k);
  let j = 0;
  for (let i = 0; i < bytes.length; i += 3, j += 4) {
    const rest = bytes.length - i;
    const n = ((bytes[i] as number) << 16) | (rest > 1 ? (bytes[i + 1] as number) << 8 : 0) | (rest > 2 ? (bytes[i + 2] as number) : 0);
    out[j] = code(n >> 18);
    out[j + 1] = code((n >> 12) & 63);
    out[j + 2] = rest > 1 ? code((n >> 6) & 63) : 61; // '='
    out[j + 3] = rest > 2 ? code(n & 63) : 61;
  }
  return new TextDecoder().decode(out);
}

const DECODE = /* @__PURE__ */ (() => {
  const table = new Int16Array(128).fill(-1);
  for (let k = 0; k < 64; k++) table[ALPHABET.charCodeAt(k)] = k;
  return table;
})();

function fromBase64(text: string): Uint8Array {
  if (text.length % 4 !== 0) throw new Error('base64 length must be a multiple of 4');
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - padding);
  let j = 0;
  for (let i = 0; i < text.length; i += 4) {
    let n = 0;
    for (let k = 0; k < 4; k++) {
      const c = text.charCodeAt(i + k);
      const v = c === 61 && i + k >= text.length - padding ? 0 : c < 128 ? (DECODE[c] as number) : -1;
      if (v < 0) throw new Error('not base64');
      n = (n << 6) | v;
    }
    if (j < out.length) out[j++] = n >> 16;
    if (j < out.length) out[j++] = (n >> 8) & 255;
    if (j < out.length) out[j++] = n & 255;
  }
  return out;
}

/** Base64 of bytes without Node's Buffer (internal: the module runs in browsers too). */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 (RFC 4648, with padding) of `bytes`. */
export function bytesToBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] as number, b = bytes[i + 1], c = bytes[i + 2];
    const n = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    parts.push(
      (ALPHABET[(n >> 18) & 63] as string) + (ALPHABET[(n >> 12) & 63] as string) +
        (b === undefined ? '=' : (ALPHABET[(n >> 6) & 63] as string)) + (c === undefined ? '=' : (ALPHABET[n & 63] as string)),
    );
  }
  return parts.join('');
}

/** Decodes standard padded base64; undefined when the text is not valid base64. */
export function base64ToBytes(text: string): Uint8Array | undefined {
  if (typeof text !== 'string' || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    let n = 0;
    for (let k = 0; k < 4; k++) {
      const ch = text[i + k] as string;
      n = (n << 6) | (ch === '=' ? 0 : ALPHABET.indexOf(ch));
    }
    if (o < out.length) out[o++] = (n >> 16) & 255;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}

/** Little-endian bytes of a Float32Array, whatever the platform's byte order. */
export function float32ToBase64(values: Float32Array): string {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i] as number, true);
  return bytesToBase64(bytes);
}

/** Inverse of {@link float32ToBase64}; undefined when the text is not base64 of `length` floats. */
export function base64ToFloat32(text: string, length: number): Float32Array | undefined {
  const bytes = base64ToBytes(text);
  if (bytes === undefined || bytes.length !== length * 4) return undefined;
  const view = new DataView(bytes.buffer);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/**
 * Base64 (RFC 4648, with padding) without Node's Buffer, for checkpoints and JSON payloads (the
 * module runs in browsers too); much faster than building a binary string for btoa from a large
 * typed array.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 (RFC 4648, with padding) of `bytes`. */
export function bytesToBase64(bytes: Uint8Array): string {
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

export function base64ToBytes(text: string): Uint8Array | undefined {
  try {
    return decode(text);
  } catch {
    return undefined;
  }
}

function decode(text: string): Uint8Array {
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

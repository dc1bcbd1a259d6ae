/**
 * Byte helpers shared by the secure-aggregation files (internal): concatenation, UTF-8 labels,
 * little-endian words and WebCrypto access.
 */

/** Concatenates byte arrays into a new one. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** UTF-8 bytes of a string (labels, associated data). */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Constant-shape equality of two byte arrays. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/** Lowercase hex of bytes (map keys for public-key distinctness checks). */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/**
 * A copy of `bytes` typed as a WebCrypto `BufferSource` (TypeScript 5.7+ types typed arrays over
 * `ArrayBufferLike`, which WebCrypto's signatures do not accept; the copy is over a plain ArrayBuffer).
 */
export function bufferSource(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer as ArrayBuffer;
}

/** `globalThis.crypto.subtle`, or a clear error where WebCrypto is missing. */
export function subtle(): SubtleCrypto {
  const s = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto?.subtle;
  if (s === undefined) {
    throw new Error('secure aggregation: crypto.subtle is not available (Node >= 20 or a browser in a secure context is required)');
  }
  return s;
}

/** `n` random bytes from an Rng-like word source. */
export function randomBytes(n: number, nextUint32: () => number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 4) {
    const w = nextUint32();
    for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (w >>> (8 * j)) & 0xff;
  }
  return out;
}

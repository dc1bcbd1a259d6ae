/** Float32 arrays as base64 of their little-endian bytes (internal: checkpoints of server state). */
import { base64ToBytes, bytesToBase64 } from '../base64.js';

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

/**
 * Plaintext layout of the share bundle one client encrypts for another (internal):
 * 2-byte big-endian length of the s-key share, the s-key share, then the 32-byte self-mask share.
 * Sender, receiver and round are bound as AES-GCM associated data, not repeated here.
 */
import { secAggFail } from './errors.js';

export const SEED_BYTES = 32;

/** Encodes the two shares a peer will hold for the sender. */
export function encodeBundle(secretKeyShare: Uint8Array, selfMaskShare: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + secretKeyShare.length + selfMaskShare.length);
  out[0] = secretKeyShare.length >>> 8;
  out[1] = secretKeyShare.length & 0xff;
  out.set(secretKeyShare, 2);
  out.set(selfMaskShare, 2 + secretKeyShare.length);
  return out;
}

/** Decodes a bundle, refusing any other layout. */
export function decodeBundle(fn: string, bytes: Uint8Array, from: number): { secretKeyShare: Uint8Array; selfMaskShare: Uint8Array } {
  const sLength = bytes.length >= 2 ? ((bytes[0] as number) << 8) | (bytes[1] as number) : -1;
  if (sLength < 1 || bytes.length !== 2 + sLength + SEED_BYTES) {
    secAggFail(fn, 'malformed', `share bundle from client ${from} has ${bytes.length} bytes, not the expected layout`, from);
  }
  return { secretKeyShare: bytes.slice(2, 2 + sLength), selfMaskShare: bytes.slice(2 + sLength) };
}

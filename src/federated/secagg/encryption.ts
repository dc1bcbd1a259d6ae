/**
 * Authenticated encryption of the share bundles one client sends another through the server
 * (Bonawitz et al. 2017, §3: AE.enc / AE.dec): AES-256-GCM with a random 96-bit IV, under a key
 * both clients derive from their c-key agreement, with associated data binding sender, receiver
 * and round so the server cannot replay or redirect a bundle without detection.
 * Wire format: IV (12 bytes) || ciphertext || tag (16 bytes).
 */
import { bufferSource, concatBytes, subtle, utf8 } from './bytes.js';
import { secAggFail } from './errors.js';
import { invalid, nonNegativeInteger } from '../../core/validate.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Who sends a bundle to whom, in which round: authenticated as AES-GCM associated data.
 *
 * @example
 * ```ts
 * import type { PeerBinding } from 'responsible-tfjs/federated';
 * const binding: PeerBinding = { sender: 1, receiver: 4, round: 12 };
 * ```
 */
export interface PeerBinding {
  readonly sender: number;
  readonly receiver: number;
  readonly round: number;
}

function associatedData(fn: string, binding: PeerBinding): ArrayBuffer {
  nonNegativeInteger(fn, 'options.sender', binding.sender);
  nonNegativeInteger(fn, 'options.receiver', binding.receiver);
  nonNegativeInteger(fn, 'options.round', binding.round);
  return bufferSource(utf8(`responsible-tfjs/secagg/v1/shares/round=${binding.round}/from=${binding.sender}/to=${binding.receiver}`));
}

async function aesKey(fn: string, key: Uint8Array, usage: 'encrypt' | 'decrypt'): Promise<CryptoKey> {
  if (!(key instanceof Uint8Array) || key.length !== 32) invalid(fn, 'options.key', key, 'a Uint8Array of 32 bytes');
  return subtle().importKey('raw', bufferSource(key), 'AES-GCM', false, [usage]);
}

/**
 * Encrypts and authenticates `plaintext` for one peer.
 *
 * @param options - 32-byte key, plaintext, and the sender/receiver/round binding.
 * @returns IV || ciphertext || tag.
 * @example
 * ```ts
 * import { encryptForPeer, decryptFromPeer } from 'responsible-tfjs/federated';
 * const key = crypto.getRandomValues(new Uint8Array(32));
 * const sealed = await encryptForPeer({ key, plaintext: new Uint8Array([1, 2]), sender: 0, receiver: 1, round: 3 });
 * await decryptFromPeer({ key, sealed, sender: 0, receiver: 1, round: 3 }); // Uint8Array [1, 2]
 * ```
 */
export async function encryptForPeer(options: PeerBinding & { readonly key: Uint8Array; readonly plaintext: Uint8Array }): Promise<Uint8Array> {
  const fn = 'encryptForPeer';
  if (!(options.plaintext instanceof Uint8Array)) invalid(fn, 'options.plaintext', options.plaintext, 'a Uint8Array');
  const ad = associatedData(fn, options);
  const key = await aesKey(fn, options.key, 'encrypt');
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const ct = await subtle().encrypt({ name: 'AES-GCM', iv, additionalData: ad, tagLength: 128 }, key, bufferSource(options.plaintext));
  return concatBytes([iv, new Uint8Array(ct)]);
}

/**
 * Verifies and decrypts a bundle from {@link encryptForPeer}. Any change to the bytes, or a
 * different sender, receiver or round, throws a `SecAggError` of kind `'decryption'`.
 *
 * @param options - 32-byte key, sealed bytes and the expected binding.
 * @returns The plaintext.
 * @example
 * ```ts
 * import { decryptFromPeer } from 'responsible-tfjs/federated';
 * const plaintext = await decryptFromPeer({ key, sealed, sender: 0, receiver: 1, round: 3 });
 * ```
 */
export async function decryptFromPeer(options: PeerBinding & { readonly key: Uint8Array; readonly sealed: Uint8Array }): Promise<Uint8Array> {
  const fn = 'decryptFromPeer';
  const { sealed } = options;
  if (!(sealed instanceof Uint8Array) || sealed.length < IV_BYTES + TAG_BYTES) {
    invalid(fn, 'options.sealed', sealed, `a Uint8Array of at least ${IV_BYTES + TAG_BYTES} bytes`);
  }
  const ad = associatedData(fn, options);
  const key = await aesKey(fn, options.key, 'decrypt');
  try {
    const pt = await subtle().decrypt(
      { name: 'AES-GCM', iv: bufferSource(sealed.subarray(0, IV_BYTES)), additionalData: ad, tagLength: 128 },
      key,
      bufferSource(sealed.subarray(IV_BYTES)),
    );
    return new Uint8Array(pt);
  } catch {
    return secAggFail(fn, 'decryption', `bundle from client ${options.sender} to ${options.receiver} in round ${options.round} failed authentication`, options.sender);
  }
}

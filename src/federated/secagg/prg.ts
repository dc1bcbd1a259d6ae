/**
 * The pseudorandom generator that expands a 32-byte seed into a mask vector in Z_{2^32}^m
 * (Bonawitz et al. 2017, §3: PRG). AES-256 in counter mode over zero bytes, counter block
 * starting at zero; each little-endian 4-byte word is one mask coordinate. A seed must only ever
 * be expanded for one purpose: secure aggregation derives a fresh seed per round and client pair.
 */
import { bufferSource, subtle } from './bytes.js';
import { invalid, nonNegativeInteger } from '../../core/validate.js';

/**
 * Deterministic mask of `length` uniform 32-bit words from a 32-byte seed.
 *
 * @param seed - 32 secret bytes (e.g. from {@link deriveSharedSecret} or a self-mask seed).
 * @param length - Number of words.
 * @returns A new Uint32Array; the same seed always gives the same words.
 * @example
 * ```ts
 * import { expandMask } from 'responsible-tfjs/federated';
 * const seed = crypto.getRandomValues(new Uint8Array(32));
 * const mask = await expandMask(seed, 4); // Uint32Array of 4 pseudorandom words
 * ```
 */
export async function expandMask(seed: Uint8Array, length: number): Promise<Uint32Array> {
  const fn = 'expandMask';
  if (!(seed instanceof Uint8Array) || seed.length !== 32) invalid(fn, 'seed', seed, 'a Uint8Array of 32 bytes');
  nonNegativeInteger(fn, 'length', length);
  if (length === 0) return new Uint32Array(0);
  const key = await subtle().importKey('raw', bufferSource(seed), 'AES-CTR', false, ['encrypt']);
  // 64-bit counter: 2^64 blocks, far beyond any vector length.
  const stream = await subtle().encrypt({ name: 'AES-CTR', counter: new Uint8Array(16), length: 64 }, key, new Uint8Array(4 * length));
  const view = new DataView(stream);
  const out = new Uint32Array(length);
  for (let i = 0; i < length; i++) out[i] = view.getUint32(4 * i, true);
  return out;
}

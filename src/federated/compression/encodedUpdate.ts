/**
 * The compressed forms of a client update, and their size on the wire.
 */
import { invalid } from '../../core/validate.js';

/**
 * A compressed update: a discriminated union on `method`. Only the typed arrays (and the seed) are
 * per-client payload; `size`, `k` and the segment boundaries are fixed by the round (the model's
 * {@link WeightLayout} and the compression settings) and known to both sides.
 *
 * - `'int8'`: every coordinate as an int8 with one float32 scale per segment (symmetric, zero point 0):
 *   `value ≈ q · scale`.
 * - `'topK'`: the `k` largest-magnitude coordinates, as sorted indices and their float32 values.
 * - `'randomK'`: `k` uniformly random coordinates, indices sent with the values.
 * - `'sharedRandomK'`: `k` random coordinates drawn from a seed shared by all clients of the round,
 *   so only the values travel, and every client's values line up coordinate by coordinate (they
 *   can be summed under secure aggregation).
 */
export type EncodedUpdate =
  | {
      readonly method: 'int8';
      /** Length of the dense update. */
      readonly size: number;
      /** Segment boundaries (length segments + 1, from 0 to size): one scale per segment. */
      readonly segmentOffsets: readonly number[];
      /** One float32 scale per segment. */
      readonly scales: Float32Array;
      /** One int8 per coordinate. */
      readonly values: Int8Array;
    }
  | {
      readonly method: 'topK' | 'randomK';
      /** Length of the dense update. */
      readonly size: number;
      /** Strictly increasing coordinates in [0, size). */
      readonly indices: Uint32Array;
      /** The update's values at `indices`. */
      readonly values: Float32Array;
    }
  | {
      readonly method: 'sharedRandomK';
      /** Length of the dense update. */
      readonly size: number;
      /** The round's shared seed (a safe integer >= 0); the coordinates are derived from it. */
      readonly seed: number;
      /** The update's values at the seed's `values.length` coordinates, in increasing coordinate order. */
      readonly values: Float32Array;
    };

/**
 * Exact size in bytes of an encoded update's per-client binary payload: int8 values plus float32
 * scales; uint32 indices plus float32 values; float32 values plus a 4-byte seed (the seed a
 * server hands out fits in 32 bits; we count it although the server already knows it). Framing
 * and the round's fixed metadata (`size`, `k`, the layout) are not included.
 *
 * @param encoded - An update from {@link compressUpdate}.
 * @returns The payload size in bytes.
 * @example
 * ```ts
 * import { compressUpdate, encodedUpdateBytes } from 'responsible-tfjs/federated';
 * const delta = new Float32Array(1000).fill(0.01);
 * encodedUpdateBytes(compressUpdate(delta, { method: 'int8' }).encoded);          // 1000 + 4
 * encodedUpdateBytes(compressUpdate(delta, { method: 'topK', k: 10 }).encoded);   // 10 · (4 + 4)
 * ```
 */
export function encodedUpdateBytes(encoded: EncodedUpdate): number {
  const e = encoded as Partial<Record<string, unknown>> | null;
  if (e === null || typeof e !== 'object') invalid('encodedUpdateBytes', 'encoded', encoded, 'an EncodedUpdate');
  switch (encoded.method) {
    case 'int8':
      return encoded.values.byteLength + encoded.scales.byteLength;
    case 'topK':
    case 'randomK':
      return encoded.indices.byteLength + encoded.values.byteLength;
    case 'sharedRandomK':
      return 4 + encoded.values.byteLength;
    default:
      return invalid('encodedUpdateBytes', 'encoded.method', (encoded as { method: unknown }).method, "'int8', 'topK', 'randomK' or 'sharedRandomK'");
  }
}

/**
 * Back from an {@link EncodedUpdate} to a dense update.
 */
import { invalid, nonNegativeInteger } from '../../core/validate.js';
import type { EncodedUpdate } from './encodedUpdate.js';
import { decodeInt8 } from './int8Segments.js';
import { sharedIndices } from './selectCoordinates.js';

/**
 * The dense update an {@link EncodedUpdate} stands for: dequantised int8 values, or the sent
 * values at their coordinates and zeros elsewhere (for `'sharedRandomK'` the coordinates are
 * re-derived from the seed). Checks the encoding's consistency first, since it arrives over a network.
 *
 * @param encoded - The update from {@link compressUpdate}.
 * @param size - The expected length (the model's parameter count); must equal `encoded.size`.
 * @returns A new Float32Array of length `size`.
 * @throws InvalidArgumentError when `size` does not match or the encoding is malformed
 *   (lengths, indices out of range or not increasing, non-finite values or scales).
 * @example
 * ```ts
 * import { compressUpdate, decompressUpdate } from 'responsible-tfjs/federated';
 * const delta = new Float32Array([0.5, -2, 0.1, 3]);
 * const { encoded } = compressUpdate(delta, { method: 'topK', k: 2 });
 * decompressUpdate(encoded, 4); // Float32Array [0, -2, 0, 3]
 * ```
 */
export function decompressUpdate(encoded: EncodedUpdate, size: number): Float32Array {
  return decodeDense('decompressUpdate', encoded, size);
}

/** {@link decompressUpdate} under the caller's name (internal). */
export function decodeDense(fn: string, encoded: EncodedUpdate, size: number): Float32Array {
  nonNegativeInteger(fn, 'size', size);
  const e = encoded as Partial<Record<string, unknown>> | null;
  if (e === null || typeof e !== 'object') invalid(fn, 'encoded', encoded, 'an EncodedUpdate');
  if (encoded.size !== size) invalid(fn, 'encoded.size', encoded.size, `equal to size (${size})`);
  switch (encoded.method) {
    case 'int8': {
      const { segmentOffsets: off, scales, values } = encoded;
      if (!(values instanceof Int8Array) || values.length !== size) invalid(fn, 'encoded.values', values, `an Int8Array of length ${size}`);
      if (!(scales instanceof Float32Array)) invalid(fn, 'encoded.scales', scales, 'a Float32Array');
      if (!Array.isArray(off) || off.length !== scales.length + 1 || off[0] !== 0 || off[off.length - 1] !== size) {
        invalid(fn, 'encoded.segmentOffsets', off, `scales.length + 1 integers from 0 to ${size}`);
      }
      for (let s = 0; s < scales.length; s++) {
        if (!(Number.isSafeInteger(off[s + 1]) && (off[s + 1] as number) >= (off[s] as number))) invalid(fn, `encoded.segmentOffsets[${s + 1}]`, off[s + 1], 'a non-decreasing integer');
        if (!Number.isFinite(scales[s]) || (scales[s] as number) < 0) invalid(fn, `encoded.scales[${s}]`, scales[s], 'a finite number >= 0');
      }
      return decodeInt8(values, scales, off);
    }
    case 'topK':
    case 'randomK':
      checkValues(fn, encoded.values);
      if (!(encoded.indices instanceof Uint32Array) || encoded.indices.length !== encoded.values.length) {
        invalid(fn, 'encoded.indices', encoded.indices, `a Uint32Array of the values' length (${encoded.values.length})`);
      }
      return scatter(fn, encoded.indices, encoded.values, size);
    case 'sharedRandomK': {
      checkValues(fn, encoded.values);
      const seed = nonNegativeInteger(fn, 'encoded.seed', encoded.seed);
      if (encoded.values.length > size) invalid(fn, 'encoded.values', encoded.values, `at most ${size} values`);
      const indices = sharedIndices(seed, size, encoded.values.length);
      return scatter(fn, indices, encoded.values, size);
    }
    default:
      return invalid(fn, 'encoded.method', (encoded as { method: unknown }).method, "'int8', 'topK', 'randomK' or 'sharedRandomK'");
  }
}

function checkValues(fn: string, values: unknown): void {
  if (!(values instanceof Float32Array)) invalid(fn, 'encoded.values', values, 'a Float32Array');
  for (let j = 0; j < values.length; j++) {
    if (!Number.isFinite(values[j])) invalid(fn, `encoded.values[${j}]`, values[j], 'a finite number');
  }
}

function scatter(fn: string, indices: Uint32Array, values: Float32Array, size: number): Float32Array {
  const out = new Float32Array(size);
  let previous = -1;
  for (let j = 0; j < indices.length; j++) {
    const i = indices[j] as number;
    if (i <= previous || i >= size) invalid(fn, `encoded.indices[${j}]`, i, `an index in (${previous}, ${size}) (strictly increasing)`);
    out[i] = values[j] as number;
    previous = i;
  }
  return out;
}

/**
 * Compression of client updates with error feedback (Stich, Cordonnier and Jaggi 2018,
 * "Sparsified SGD with Memory", https://arxiv.org/abs/1809.07599; Karimireddy et al. 2019,
 * "Error Feedback Fixes SignSGD and other Gradient Compression Schemes", https://arxiv.org/abs/1901.09847).
 */
import { finiteArray, invalid, nonNegativeInteger, oneOf, optionsObject, positiveInteger, sameLength } from '../../core/validate.js';
import { resolveRng, statisticalRng, type Rng } from '../../core/rng.js';
import type { WeightLayout } from '../types.js';
import { checkFloat32Array } from '../dp/checkFloat32Array.js';
import type { EncodedUpdate } from './encodedUpdate.js';
import { decodeInt8, encodeInt8, segmentOffsetsOf } from './int8Segments.js';
import { randomKIndices, sharedIndices, topKIndices } from './selectCoordinates.js';

/**
 * How to compress, a discriminated union on `method`:
 * - `{ method: 'int8', layout? }`: int8 per coordinate, one scale per weight of `layout` (or one
 *   for the whole update), PyTorch's symmetric rule `scale = max|x| / 127.5`; the error per
 *   coordinate is at most half a scale plus float32 rounding (`scale/2 + 2^-22·|x|`).
 * - `{ method: 'topK', k }`: keep the `k` largest magnitudes (ties to the lower index). The kept
 *   indices depend on the data: they are not protected by DP noise added later, and the sparse
 *   vectors of different clients do not line up under secure aggregation.
 * - `{ method: 'randomK', k, rng? }`: `k` uniformly random coordinates (default rng: `Math.random`;
 *   the choice is not a privacy mechanism).
 * - `{ method: 'randomK', k, seed }`: the coordinates are drawn from a seed that the server gives
 *   every client of the round, so all clients keep the same coordinates: only values are sent and
 *   they can be summed coordinate-wise, also under secure aggregation.
 *
 * Kept values are not rescaled by `size / k`; error feedback carries what was left out.
 */
export type CompressUpdateOptions =
  | { readonly method: 'int8'; readonly layout?: WeightLayout }
  | { readonly method: 'topK'; readonly k: number }
  | { readonly method: 'randomK'; readonly k: number; readonly rng?: Rng }
  | { readonly method: 'randomK'; readonly k: number; readonly seed: number };

/** Result of {@link compressUpdate}. */
export interface CompressUpdateResult {
  /** What the client sends. */
  readonly encoded: EncodedUpdate;
  /**
   * What was not sent: `(delta + errorFeedback) − decompress(encoded)`, to pass as `errorFeedback`
   * next round (the client's memory). Zeros where a sparse method sent the exact value.
   */
  readonly residual: Float32Array;
}

/**
 * Compresses a client update, optionally with error feedback: the residual left out last round is
 * added back before compressing, so that over rounds everything is eventually sent (what was sent
 * plus the current residual equals the sum of all updates; Stich et al. 2018, Karimireddy et al.
 * 2019). Without `errorFeedback` the residual is still returned; pass it next round to start.
 *
 * @param delta - The update; every entry must be finite.
 * @param options - The method and its settings.
 * @param errorFeedback - Last round's residual (same length), or undefined for none.
 * @returns The encoded update and the new residual.
 * @throws InvalidArgumentError for a non-finite entry (`delta[i]`, `errorFeedback[i]`), a sum
 *   `delta + errorFeedback` that overflows float32, `k` outside [1, delta.length], a bad layout,
 *   seed or rng.
 * @example
 * ```ts
 * import { compressUpdate, decompressUpdate } from 'responsible-tfjs/federated';
 * let memory: Float32Array | undefined;
 * for (const delta of localUpdates) {
 *   const { encoded, residual } = compressUpdate(delta, { method: 'topK', k: 100 }, memory);
 *   memory = residual;                                  // kept by the client
 *   send(encoded);                                      // server: decompressUpdate(encoded, delta.length)
 * }
 * ```
 */
export function compressUpdate(delta: Float32Array, options: CompressUpdateOptions, errorFeedback?: Float32Array): CompressUpdateResult {
  const fn = 'compressUpdate';
  checkFloat32Array(fn, 'delta', delta);
  finiteArray(fn, 'delta', delta);
  const o = optionsObject(fn, 'options', options) as Partial<{ method: string; k: number; layout: WeightLayout; rng: Rng; seed: number }>;
  const method = oneOf(fn, 'options.method', o.method, ['int8', 'topK', 'randomK'] as const);
  const n = delta.length;
  const corrected = withFeedback(fn, delta, errorFeedback);
  let encoded: EncodedUpdate;
  if (method === 'int8') {
    const segmentOffsets = segmentOffsetsOf(fn, 'options.layout', o.layout, n);
    const { scales, q } = encodeInt8(corrected, segmentOffsets);
    encoded = { method, size: n, segmentOffsets, scales, values: q };
    const residual = subtract(corrected, decodeInt8(q, scales, segmentOffsets));
    return { encoded, residual };
  }
  const k = positiveInteger(fn, 'options.k', o.k);
  if (k > n) invalid(fn, 'options.k', k, `an integer in [1, delta.length = ${n}]`);
  let indices: Uint32Array;
  if (method === 'topK') {
    indices = topKIndices(corrected, k);
    encoded = { method, size: n, indices, values: gather(corrected, indices) };
  } else if (o.seed !== undefined) {
    if (o.rng !== undefined) invalid(fn, 'options.rng', o.rng, 'undefined when options.seed is given');
    const seed = nonNegativeInteger(fn, 'options.seed', o.seed);
    indices = sharedIndices(seed, n, k);
    encoded = { method: 'sharedRandomK', size: n, seed, values: gather(corrected, indices) };
  } else {
    const rng = resolveRng(fn, o.rng, statisticalRng);
    indices = randomKIndices(n, k, rng);
    encoded = { method: 'randomK', size: n, indices, values: gather(corrected, indices) };
  }
  // Sent coordinates are exact copies, so the residual is `corrected` with them zeroed.
  const residual = Float32Array.from(corrected);
  for (let j = 0; j < indices.length; j++) residual[indices[j] as number] = 0;
  return { encoded, residual };
}

function withFeedback(fn: string, delta: Float32Array, errorFeedback: Float32Array | undefined): Float32Array {
  if (errorFeedback === undefined) return delta;
  checkFloat32Array(fn, 'errorFeedback', errorFeedback);
  sameLength(fn, 'errorFeedback', errorFeedback.length, delta.length, 'delta');
  finiteArray(fn, 'errorFeedback', errorFeedback);
  const out = new Float32Array(delta.length);
  for (let i = 0; i < delta.length; i++) {
    out[i] = (delta[i] as number) + (errorFeedback[i] as number);
    if (!Number.isFinite(out[i])) {
      invalid(fn, `errorFeedback[${i}]`, errorFeedback[i], `a value whose sum with delta[${i}] (${delta[i]}) is a finite float32`, 'The accumulated update overflows float32');
    }
  }
  return out;
}

function gather(values: Float32Array, indices: Uint32Array): Float32Array {
  const out = new Float32Array(indices.length);
  for (let j = 0; j < indices.length; j++) out[j] = values[indices[j] as number] as number;
  return out;
}

function subtract(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] as number) - (b[i] as number);
  return out;
}

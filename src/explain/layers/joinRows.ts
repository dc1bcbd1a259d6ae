/** Joining the row blocks of chunked passes into one caller-owned result (internal). */
import { concat, dispose, type Tensor, type Tensor1D } from '../../core/tf.js';
import type { AttributionResult } from '../types.js';

/** The blocks concatenated along axis 0 (a single block is returned as it is); the blocks are consumed. */
export function joinRows(blocks: readonly Tensor[]): Tensor {
  if (blocks.length === 1) return blocks[0] as Tensor;
  try {
    return concat(blocks as Tensor[], 0);
  } finally {
    dispose(blocks as Tensor[]);
  }
}

/** `{ attributions, convergenceDelta? }` from the blocks of the passes (consumed). */
export function resultOf(attributions: readonly Tensor[], deltas: readonly Tensor[], withDelta: boolean): AttributionResult {
  let joined: Tensor | undefined;
  try {
    joined = joinRows(attributions);
    if (!withDelta) return { attributions: joined };
    return { attributions: joined, convergenceDelta: joinRows(deltas) as Tensor1D };
  } catch (e) {
    joined?.dispose();
    dispose(deltas as Tensor[]);
    throw e;
  }
}

/** Where a training loop's batches come from (internal): row indices per step. */
import { shuffledIndices, type Rng } from '../rng.js';

/** A source of batches: how many steps make an epoch, and the rows of each step. */
export interface BatchSource {
  readonly stepsPerEpoch: number;
  /** The rows of step `batch` of `epoch` (called in order, once per step). */
  rows(epoch: number, batch: number): Int32Array;
}

/**
 * Consecutive batches of `batchSize` rows over a (re)shuffled order each epoch; the last batch of
 * an epoch may be smaller. `shuffle: false` keeps the data's order.
 */
export function sequentialBatches(options: { readonly n: number; readonly batchSize: number; readonly shuffle: boolean; readonly rng: Rng }): BatchSource {
  const { n, batchSize, shuffle, rng } = options;
  let order: Int32Array | undefined;
  let orderEpoch = -1;
  return {
    stepsPerEpoch: Math.ceil(n / batchSize),
    rows(epoch, batch) {
      if (orderEpoch !== epoch) {
        order = shuffle ? shuffledIndices(n, rng) : Int32Array.from({ length: n }, (_, i) => i);
        orderEpoch = epoch;
      }
      return (order as Int32Array).subarray(batch * batchSize, Math.min(n, (batch + 1) * batchSize));
    },
  };
}

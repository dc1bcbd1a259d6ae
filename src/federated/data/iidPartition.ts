/** IID client datasets: a random permutation cut into near-equal parts. */
import { resolveRng, shuffledIndices, type Rng } from '../../core/rng.js';
import { invalid, optionsObject, positiveInteger } from '../../core/validate.js';

/** Options of {@link iidPartition}. */
export interface IidPartitionOptions {
  /** Number of examples to split (indices `0..numExamples-1`). */
  readonly numExamples: number;
  /** Number of clients (1..numExamples). */
  readonly numClients: number;
  /** Source of randomness (e.g. `seededRng(0)`). */
  readonly rng: Rng;
}

/**
 * Splits example indices uniformly at random among clients: a random permutation cut into
 * `numClients` consecutive parts whose sizes differ by at most one (the first
 * `numExamples % numClients` parts get the extra example), as Flower Datasets' `IidPartitioner`
 * (shuffle, then contiguous shards). The baseline against which {@link dirichletPartition}'s skew is measured.
 *
 * @param options - See {@link IidPartitionOptions}.
 * @returns One `Int32Array` of example indices per client; every index appears exactly once.
 * @throws {@link InvalidArgumentError} for a non-integer or out-of-range count, or a missing rng.
 * @example
 * ```ts
 * import { iidPartition } from 'responsible-tfjs/federated';
 * import { seededRng } from 'responsible-tfjs';
 * const parts = iidPartition({ numExamples: 10, numClients: 3, rng: seededRng(0) });
 * console.log(parts.map((p) => p.length)); // [4, 3, 3]
 * ```
 */
export function iidPartition(options: IidPartitionOptions): Int32Array[] {
  const fn = 'iidPartition';
  const opts = optionsObject(fn, 'options', options);
  const n = positiveInteger(fn, 'options.numExamples', opts.numExamples);
  const k = positiveInteger(fn, 'options.numClients', opts.numClients);
  if (k > n) invalid(fn, 'options.numClients', k, `an integer in [1, ${n}] (options.numExamples)`);
  if (opts.rng === undefined) invalid(fn, 'options.rng', undefined, 'an Rng (e.g. seededRng(0))');
  const rng = resolveRng(fn, opts.rng, () => { throw new Error('unreachable'); });
  const order = shuffledIndices(n, rng);
  const base = Math.floor(n / k);
  const extra = n % k;
  const parts: Int32Array[] = [];
  for (let j = 0, start = 0; j < k; j++) {
    const size = base + (j < extra ? 1 : 0);
    parts.push(order.slice(start, start + size));
    start += size;
  }
  return parts;
}

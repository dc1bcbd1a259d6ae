/** Non-IID client datasets: label proportions drawn from a Dirichlet distribution. */
import { resolveRng, shuffledIndices, type Rng } from '../../core/rng.js';
import { booleanValue, invalid, nonNegativeInteger, optionsObject, positiveInteger, positiveNumber } from '../../core/validate.js';
import { dirichletLogWeights, normaliseLogWeights } from './gammaSampling.js';

/** Options of {@link dirichletPartition}. */
export interface DirichletPartitionOptions {
  /** One label per example (finite numbers; any values, e.g. class indices). */
  readonly labels: ArrayLike<number>;
  /** Number of clients (1..labels.length). */
  readonly numClients: number;
  /**
   * Concentration (> 0), one for all clients or one per client. Small values (0.1) give each
   * client few classes; large values (1000) approach an IID split.
   */
  readonly alpha: number | readonly number[];
  /** Source of randomness (e.g. `seededRng(0)` for a reproducible experiment). */
  readonly rng: Rng;
  /** Every client gets at least this many examples; the draw is repeated until it holds. Default 1 (Flower's default is 10). */
  readonly minPartitionSize?: number;
  /** Draws to try before giving up on `minPartitionSize`. Default 11 (Flower: one draw and 10 retries). */
  readonly maxAttempts?: number;
  /**
   * Flower's balancing: a client already holding more than `n / numClients` examples gets no
   * more of the later classes. Default false (as Flower).
   */
  readonly selfBalancing?: boolean;
  /** Shuffle each client's indices (otherwise grouped by class, in data order). Default true. */
  readonly shuffle?: boolean;
}

/**
 * Splits example indices among clients with label skew, as Flower Datasets' `DirichletPartitioner`
 * (after Yurochkin et al. 2019, https://arxiv.org/abs/1905.12022; Hsu et al. 2019): for each class
 * (in increasing label order) a draw `p ~ Dirichlet(alpha)` gives the share of that class's
 * examples each client receives (`floor` of the cumulative shares cut the class's indices, in
 * data order). With `selfBalancing`, clients already above the mean size are left out of later
 * classes. The whole draw repeats until every client has `minPartitionSize` examples.
 *
 * The algorithm is Flower's (adap/flower, datasets/flwr_datasets/partitioner/dirichlet_partitioner.py);
 * the random numbers are not numpy's, so partitions for the same seed differ from Flower's. Gamma
 * variates come from Marsaglia–Tsang in log space, so tiny `alpha` stays exact (no 0/0).
 *
 * @param options - See {@link DirichletPartitionOptions}.
 * @returns One `Int32Array` of example indices per client; every index appears exactly once overall.
 * @throws {@link InvalidArgumentError} for bad options, or (naming `options.minPartitionSize`)
 *   when no draw in `maxAttempts` gave every client enough examples: lower it or raise `alpha`.
 * @example
 * ```ts
 * import { dirichletPartition } from 'responsible-tfjs/federated';
 * import { seededRng } from 'responsible-tfjs';
 * const parts = dirichletPartition({ labels: trainLabels, numClients: 20, alpha: 0.5, rng: seededRng(0) });
 * console.log(parts.map((p) => p.length)); // uneven sizes, each client dominated by a few classes
 * ```
 */
export function dirichletPartition(options: DirichletPartitionOptions): Int32Array[] {
  const fn = 'dirichletPartition';
  const opts = optionsObject(fn, 'options', options);
  const labels = opts.labels;
  if (!(Array.isArray(labels) || ArrayBuffer.isView(labels)) || labels.length === 0) invalid(fn, 'options.labels', labels, 'a non-empty array of labels');
  const n = labels.length;
  for (let i = 0; i < n; i++) if (!Number.isFinite(labels[i])) invalid(fn, `options.labels[${i}]`, labels[i], 'a finite number');
  const numClients = positiveInteger(fn, 'options.numClients', opts.numClients);
  if (numClients > n) invalid(fn, 'options.numClients', numClients, `an integer in [1, ${n}] (the number of examples)`);
  const alphas = clientAlphas(fn, opts.alpha, numClients);
  if (opts.rng === undefined) invalid(fn, 'options.rng', undefined, 'an Rng (e.g. seededRng(0))');
  const rng = resolveRng(fn, opts.rng, () => { throw new Error('unreachable'); });
  const minSize = nonNegativeInteger(fn, 'options.minPartitionSize', opts.minPartitionSize ?? 1);
  if (minSize * numClients > n) invalid(fn, 'options.minPartitionSize', minSize, `at most ${Math.floor(n / numClients)} (examples per client)`);
  const maxAttempts = positiveInteger(fn, 'options.maxAttempts', opts.maxAttempts ?? 11);
  const selfBalancing = booleanValue(fn, 'options.selfBalancing', opts.selfBalancing ?? false);
  const shuffle = booleanValue(fn, 'options.shuffle', opts.shuffle ?? true);

  const byClass = indicesByClass(labels);
  let smallest = 0;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const parts = drawPartition(byClass, alphas, n, selfBalancing, rng);
    smallest = parts.reduce((m, p) => Math.min(m, p.length), Infinity);
    if (smallest >= minSize) return parts.map((p) => finish(p, shuffle, rng));
  }
  return invalid(fn, 'options.minPartitionSize', minSize, `reachable: after ${maxAttempts} Dirichlet draws the smallest client had ${smallest} examples`,
    'Lower minPartitionSize, raise alpha or use fewer clients');
}

function clientAlphas(fn: string, alpha: unknown, numClients: number): Float64Array {
  if (Array.isArray(alpha)) {
    if (alpha.length !== numClients) invalid(fn, 'options.alpha', `length ${alpha.length}`, `a number or an array of numClients (${numClients}) numbers`);
    return Float64Array.from(alpha.map((a, i) => positiveNumber(fn, `options.alpha[${i}]`, a)));
  }
  return new Float64Array(numClients).fill(positiveNumber(fn, 'options.alpha', alpha));
}

/** Example indices per distinct label, labels in increasing order, indices in data order. */
function indicesByClass(labels: ArrayLike<number>): number[][] {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const key = (labels[i] as number) + 0; // -0 and 0 are one class
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = []));
    g.push(i);
  }
  return [...groups.keys()].sort((a, b) => a - b).map((k) => groups.get(k) as number[]);
}

function drawPartition(byClass: number[][], alphas: Float64Array, n: number, selfBalancing: boolean, rng: Rng): number[][] {
  const k = alphas.length;
  const parts: number[][] = Array.from({ length: k }, () => []);
  const mean = n / k;
  for (const indices of byClass) {
    const logs = dirichletLogWeights(alphas, rng);
    // Zeroing the full clients' shares and renormalising, done in log space (no 0/0 for tiny alpha).
    const p = normaliseLogWeights(logs, selfBalancing ? (j) => (parts[j] as number[]).length <= mean : undefined);
    let cumulative = 0;
    let start = 0;
    for (let j = 0; j < k; j++) {
      cumulative += p[j] as number;
      const end = j === k - 1 ? indices.length : Math.min(indices.length, Math.floor(cumulative * indices.length));
      const part = parts[j] as number[];
      for (let i = start; i < end; i++) part.push(indices[i] as number);
      start = Math.max(start, end);
    }
  }
  return parts;
}

function finish(part: number[], shuffle: boolean, rng: Rng): Int32Array {
  const out = Int32Array.from(part);
  if (!shuffle) return out;
  const order = shuffledIndices(out.length, rng);
  return Int32Array.from(order, (i) => out[i] as number);
}

/**
 * The communication graph of a secure-aggregation round. Original SecAgg (Bonawitz et al. 2017)
 * uses the complete graph: every client masks with and shares secrets to every other. SecAgg+
 * (Bell et al. 2020, "Secure Single-Server Aggregation with (Poly)Logarithmic Overhead", §4) uses a
 * sparse k-regular graph: a Harary graph H_{k,n} (each node linked to the k/2 nearest on each side
 * of a ring) laid over a pseudorandom permutation of the clients drawn from a public round seed,
 * so nobody chooses who neighbours whom. The graph is a pure function of its inputs, so the
 * server and every client compute the same one.
 */
import { seededRng, shuffledIndices } from '../../core/rng.js';
import { invalid, optionsObject } from '../../core/validate.js';

/**
 * Options of {@link neighbourGraph}.
 *
 * @example
 * ```ts
 * import type { NeighbourGraphOptions } from 'responsible-tfjs/federated';
 * const options: NeighbourGraphOptions = { clientIds: [0, 1, 2, 3, 4, 5], neighbours: 2, seed: 'round-7' };
 * ```
 */
export interface NeighbourGraphOptions {
  /** Distinct integer client ids. */
  readonly clientIds: readonly number[];
  /**
   * Degree k (an even integer >= 2) of the SecAgg+ graph; omitted, or >= n - 1, gives the
   * complete graph of original SecAgg.
   */
  readonly neighbours?: number;
  /**
   * Public seed of the permutation (expanded with a deterministic, non-cryptographic generator:
   * it is public anyway; what matters is that the server draws it freshly per round).
   */
  readonly seed?: string | number;
}

/**
 * Each client's neighbours (sorted ids, without itself) in the round's graph; the relation is
 * symmetric and every client has exactly `min(k, n - 1)` neighbours.
 *
 * @param options - Client ids, degree and seed.
 * @returns Map from client id to its sorted neighbour ids.
 * @example
 * ```ts
 * import { neighbourGraph } from 'responsible-tfjs/federated';
 * const graph = neighbourGraph({ clientIds: [0, 1, 2, 3, 4, 5, 6, 7], neighbours: 4, seed: 'round-1' });
 * console.log(graph.get(0)?.length); // 4
 * ```
 */
export function neighbourGraph(options: NeighbourGraphOptions): ReadonlyMap<number, readonly number[]> {
  const fn = 'neighbourGraph';
  const o = optionsObject(fn, 'options', options);
  const ids = o.clientIds;
  if (!Array.isArray(ids) || ids.length === 0) invalid(fn, 'options.clientIds', ids, 'a non-empty array of distinct integers');
  const seen = new Set<number>();
  ids.forEach((id, i) => {
    if (!Number.isSafeInteger(id) || seen.has(id)) invalid(fn, `options.clientIds[${i}]`, id, 'a distinct integer');
    seen.add(id);
  });
  const n = ids.length;
  const k = o.neighbours;
  const graph = new Map<number, number[]>();
  if (k === undefined || (Number.isSafeInteger(k) && k >= n - 1 && k >= 2 && k % 2 === 0)) {
    for (const id of ids) graph.set(id, ids.filter((other) => other !== id).sort((a, b) => a - b));
    return graph;
  }
  if (!Number.isSafeInteger(k) || k < 2 || k % 2 !== 0) invalid(fn, 'options.neighbours', k, 'an even integer >= 2');
  if (o.seed === undefined) invalid(fn, 'options.seed', o.seed, 'a string or number (required with options.neighbours)');
  const ring = shuffledIndices(n, seededRng(o.seed));
  for (let pos = 0; pos < n; pos++) {
    const list: number[] = [];
    for (let d = 1; d <= k / 2; d++) {
      list.push(ids[ring[(pos + d) % n] as number] as number, ids[ring[(pos - d + n) % n] as number] as number);
    }
    graph.set(ids[ring[pos] as number] as number, list.sort((a, b) => a - b));
  }
  return graph;
}

/**
 * The round configuration the server and every client of a secure-aggregation round share, and
 * its validation (internal helpers plus the public {@link SecAggConfig} type).
 */
import { invalid, nonNegativeInteger, optionsObject, positiveInteger } from '../../core/validate.js';
import { neighbourGraph } from './graph.js';

/**
 * Parameters every party of a round must agree on.
 *
 * @example
 * ```ts
 * import type { SecAggConfig } from 'responsible-tfjs/federated';
 * const config: SecAggConfig = { round: 3, clientIds: [0, 1, 2, 3, 4], threshold: 3, vectorLength: 1000 };
 * ```
 */
export interface SecAggConfig {
  /** Round number (integer >= 0); bound into every derived key and encrypted bundle. */
  readonly round: number;
  /** All clients invited to the round: distinct integers in [0, 254] (at most 255 clients). */
  readonly clientIds: readonly number[];
  /**
   * Shamir threshold t: the minimum number of surviving clients (per neighbourhood, counting the
   * client itself, in SecAgg+) for the round to finish. At most n (or k + 1). Choose more than
   * half of a neighbourhood so that no minority of clients can reconstruct another's secrets.
   */
  readonly threshold: number;
  /** Length of every input vector. */
  readonly vectorLength: number;
  /** SecAgg+ degree k (even, >= 2); omitted for original SecAgg's complete graph. */
  readonly neighbours?: number;
  /** Public seed of the SecAgg+ graph; default `'round-<round>'`. Draw it freshly per round in production. */
  readonly graphSeed?: string | number;
}

/** A validated config with its graph (neighbours exclude self). */
export interface ResolvedConfig {
  readonly round: number;
  readonly clientIds: readonly number[];
  readonly threshold: number;
  readonly vectorLength: number;
  readonly graph: ReadonlyMap<number, readonly number[]>;
}

/** Validates a {@link SecAggConfig} (throws InvalidArgumentError naming `fn`). */
export function resolveConfig(fn: string, config: SecAggConfig): ResolvedConfig {
  const o = optionsObject(fn, 'options', config);
  const round = nonNegativeInteger(fn, 'options.round', o.round);
  if (!Array.isArray(o.clientIds) || o.clientIds.length < 1 || o.clientIds.length > 255) {
    invalid(fn, 'options.clientIds', o.clientIds, 'an array of 1 to 255 distinct integers in [0, 254]');
  }
  const seen = new Set<number>();
  o.clientIds.forEach((id, i) => {
    if (!Number.isInteger(id) || id < 0 || id > 254 || seen.has(id)) invalid(fn, `options.clientIds[${i}]`, id, 'a distinct integer in [0, 254]');
    seen.add(id);
  });
  const clientIds = [...o.clientIds].sort((a, b) => a - b);
  const vectorLength = positiveInteger(fn, 'options.vectorLength', o.vectorLength);
  const threshold = positiveInteger(fn, 'options.threshold', o.threshold);
  const n = clientIds.length;
  if (o.neighbours !== undefined && (!Number.isSafeInteger(o.neighbours) || o.neighbours < 2 || o.neighbours % 2 !== 0)) {
    invalid(fn, 'options.neighbours', o.neighbours, 'an even integer >= 2 (the SecAgg+ degree k)');
  }
  const degree = o.neighbours === undefined ? n - 1 : Math.min(o.neighbours, n - 1);
  if (threshold > degree + 1) {
    invalid(fn, 'options.threshold', threshold, `an integer in [1, ${degree + 1}] (a neighbourhood has ${degree + 1} clients with itself)`);
  }
  const graph = neighbourGraph({
    clientIds,
    ...(o.neighbours !== undefined ? { neighbours: o.neighbours } : {}),
    seed: o.graphSeed ?? `round-${round}`,
  });
  return { round, clientIds, threshold, vectorLength, graph };
}

/** Neighbours of `id` plus `id` itself. */
export function closedNeighbourhood(config: ResolvedConfig, id: number): Set<number> {
  return new Set([id, ...(config.graph.get(id) ?? [])]);
}

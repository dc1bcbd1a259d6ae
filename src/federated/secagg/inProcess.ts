/**
 * Runs a whole secure-aggregation round in one process: the simulator's and the tests' way to
 * use {@link SecAggClient} and {@link SecAggServer} without a network, with optional dropouts.
 */
import type { Rng } from '../../core/rng.js';
import { invalid, oneOf, optionsObject } from '../../core/validate.js';
import { SecAggClient } from './client.js';
import type { KeyAgreementCurve } from './keyAgreement.js';
import type { SecAggClientMessage, SecAggPhase, SecAggResult } from './messages.js';
import { SecAggServer } from './server.js';

/**
 * Options of {@link runSecAggInProcess}.
 *
 * @example
 * ```ts
 * import type { RunSecAggOptions } from 'responsible-tfjs/federated';
 * const options: RunSecAggOptions = {
 *   inputs: [new Uint32Array([1]), new Uint32Array([2]), new Uint32Array([3])],
 *   threshold: 2,
 *   dropouts: [{ phase: 'maskedInput', clients: [1] }],
 * };
 * ```
 */
export interface RunSecAggOptions {
  /** One input vector per client (client ids are the indices 0..n-1, n <= 255), all the same length. */
  readonly inputs: readonly Uint32Array[];
  /** Shamir threshold t (see `SecAggConfig.threshold`). */
  readonly threshold: number;
  /** SecAgg+ degree k (even); omitted for the complete graph. */
  readonly neighbours?: number;
  /** Public graph seed; default `'round-<round>'`. */
  readonly graphSeed?: string | number;
  /** Round number; default 0. */
  readonly round?: number;
  /**
   * Clients that go silent: a client listed for a phase sends no message in that phase or later.
   */
  readonly dropouts?: readonly { readonly phase: SecAggPhase; readonly clients: readonly number[] }[];
  /** Key-agreement curve of every client; default `'auto'`. */
  readonly curve?: KeyAgreementCurve | 'auto';
  /** Clients' source of self-mask seeds and Shamir coefficients; default `secureRng()` each. */
  readonly rng?: Rng;
  /** Called with every message the server receives (e.g. to study the server's view). */
  readonly onServerReceive?: (message: SecAggClientMessage) => void;
}

const PHASES: readonly SecAggPhase[] = ['advertiseKeys', 'shareKeys', 'maskedInput', 'unmask'];

/**
 * Runs one secure-aggregation round among `inputs.length` in-process clients and returns what
 * the server learns. Throws a `SecAggError` of kind `'belowThreshold'` when too many drop out.
 *
 * @param options - Inputs, threshold, optional SecAgg+ degree and dropouts.
 * @returns The exact sum mod 2^32 of the surviving clients' inputs, and who they are.
 * @example
 * ```ts
 * import { runSecAggInProcess } from 'responsible-tfjs/federated';
 * const { sum, included } = await runSecAggInProcess({
 *   inputs: [new Uint32Array([1, 2]), new Uint32Array([3, 4]), new Uint32Array([5, 6])],
 *   threshold: 2,
 *   dropouts: [{ phase: 'maskedInput', clients: [2] }],
 * });
 * console.log(sum, included); // Uint32Array [4, 6] [0, 1]
 * ```
 */
export async function runSecAggInProcess(options: RunSecAggOptions): Promise<SecAggResult> {
  const fn = 'runSecAggInProcess';
  const o = optionsObject(fn, 'options', options);
  if (!Array.isArray(o.inputs) || o.inputs.length < 1 || o.inputs.length > 255) invalid(fn, 'options.inputs', o.inputs, 'an array of 1 to 255 Uint32Arrays');
  const vectorLength = o.inputs[0]?.length ?? 0;
  o.inputs.forEach((x, i) => {
    if (!(x instanceof Uint32Array) || x.length !== vectorLength || vectorLength === 0) {
      invalid(fn, `options.inputs[${i}]`, x, `a non-empty Uint32Array of the same length as options.inputs[0]`);
    }
  });
  const clientIds = o.inputs.map((_, i) => i);
  const dropAt = new Map<number, number>();
  (o.dropouts ?? []).forEach((d, i) => {
    const phase = PHASES.indexOf(oneOf(fn, `options.dropouts[${i}].phase`, d?.phase, PHASES));
    if (!Array.isArray(d.clients)) invalid(fn, `options.dropouts[${i}].clients`, d.clients, 'an array of client indices');
    for (const c of d.clients) {
      if (!clientIds.includes(c)) invalid(fn, `options.dropouts[${i}].clients`, c, `client indices in [0, ${clientIds.length - 1}]`);
      dropAt.set(c, Math.min(dropAt.get(c) ?? phase, phase));
    }
  });
  const config = {
    round: o.round ?? 0,
    clientIds,
    threshold: o.threshold,
    vectorLength,
    ...(o.neighbours !== undefined ? { neighbours: o.neighbours } : {}),
    ...(o.graphSeed !== undefined ? { graphSeed: o.graphSeed } : {}),
  };
  const server = new SecAggServer(config);
  const clients = clientIds.map(
    (clientId) => new SecAggClient({ ...config, clientId, curve: o.curve ?? 'auto', ...(o.rng !== undefined ? { rng: o.rng } : {}) }),
  );
  const speaks = (id: number, phase: number): boolean => (dropAt.get(id) ?? PHASES.length) > phase;
  const deliver = async (messages: Promise<SecAggClientMessage>[]): Promise<void> => {
    for (const m of await Promise.all(messages)) {
      o.onServerReceive?.(m);
      server.receive(m);
    }
  };
  await deliver(clients.filter((c) => speaks(c.clientId, 0)).map((c) => c.advertiseKeys()));
  const keys = server.closeAdvertiseKeys().filter((m) => speaks(m.to, 1));
  await deliver(keys.map((m) => clients[m.to]!.shareKeys(m)));
  const shares = server.closeShareKeys().filter((m) => speaks(m.to, 2));
  await deliver(shares.map((m) => clients[m.to]!.maskedInput(m, o.inputs[m.to]!)));
  const requests = server.closeMaskedInput().filter((m) => speaks(m.to, 3));
  await deliver(requests.map((m) => clients[m.to]!.unmask(m)));
  return server.finish();
}

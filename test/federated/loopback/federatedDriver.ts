/**
 * The federated round drivers (DP-FedAvg, secure aggregation) in the loopback harness's shape:
 * `createServerDriver(options)` and `createClientDriver(options & { clientId })`. The same module
 * runs in the test process (server, and the simulator's data and model), in each Node client
 * process (cpu backend) and bundled in each Chromium tab (webgl backend).
 *
 * Everything a client needs is derived from JSON: its index is its id's position in `population`,
 * its data is `makeClientData(index)` (a seeded rng keyed by the index), its model `makeModel()`
 * (seeded initializers). The test uses the same two functions to feed `simulateFederated`.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { seededRng } from '../../../src/core/rng.js';
import type { ClientRoundDriver } from '../../../src/federated/runtime/driver.js';
import { federatedClientDriver } from '../../../src/federated/round/clientDriver.js';
import { federatedServerDriver, type FederatedServerDriver, type FederatedServerDriverOptions } from '../../../src/federated/round/serverDriver.js';
import type { FederatedOptions } from '../../../src/federated/round/options.js';
import { readWeights } from '../../../src/federated/weights/readWeights.js';

export const FEATURES = 4;
export const CLASSES = 3;

/** Client `index`'s synthetic data: 8-16 rows of 4 features in [-1, 1], 3 classes, from seededRng(`client-${index}`). */
export function makeClientData(index: number): { x: tf.Tensor2D; y: tf.Tensor1D } {
  const rng = seededRng(`loopback-client-${index}`);
  const rows = 8 + Math.floor(rng.next() * 9);
  const x = Array.from({ length: rows * FEATURES }, () => rng.next() * 2 - 1);
  // A learnable label (the sign pattern of two features), shifted per client: non-IID.
  const y = Array.from({ length: rows }, (_, i) => (((x[i * FEATURES] as number) > 0 ? 1 : 0) + ((x[i * FEATURES + 1] as number) > 0 ? 1 : 0) + index) % CLASSES);
  return { x: tf.tensor2d(x, [rows, FEATURES]), y: tf.tensor1d(y, 'int32') };
}

/** The architecture, with seeded initial weights (only the server's and the simulator's copies' initial weights matter). */
export function makeModel(): tfl.Sequential {
  const m = tfl.sequential();
  m.add(tfl.layers.dense({ units: 6, activation: 'tanh', inputShape: [FEATURES], kernelInitializer: tfl.initializers.glorotUniform({ seed: 11 }) }));
  m.add(tfl.layers.dense({ units: CLASSES, kernelInitializer: tfl.initializers.glorotUniform({ seed: 12 }) }));
  return m;
}

/** Options of {@link createServerDriver}: the run's options, the population, and in-process hooks. */
export interface LoopbackFederatedServerOptions {
  readonly federated: FederatedOptions;
  /** Every client id; a client's index is its position here. */
  readonly population: readonly string[];
  /** Receives the server driver's log lines (in-process only). */
  readonly log?: (line: string) => void;
  /**
   * In-process only: awaited before round 1 starts, resolving with the clients connected then (e.g.
   * to wait for the whole population, browsers included, while `minClients` stays low enough for
   * later rounds that have fewer survivors). Round 1 is then planned for the clients it returns.
   */
  readonly beforeFirstRound?: () => Promise<readonly string[]>;
}

/** The federated server driver over the population, starting from `makeModel()`'s weights. */
export async function createServerDriver(options: LoopbackFederatedServerOptions): Promise<FederatedServerDriver> {
  const initialWeights = (await readWeights(makeModel())).values;
  const driverOptions: FederatedServerDriverOptions = {
    ...options.federated,
    initialWeights,
    population: options.population,
    ...(options.log !== undefined ? { log: options.log } : {}),
  };
  const inner = federatedServerDriver(driverOptions);
  const gate = options.beforeFirstRound;
  if (gate === undefined) return inner;
  return {
    get rounds() { return inner.rounds; },
    get state() { return inner.state; },
    beginRound: async (round, connected) => inner.beginRound(round, round === 1 ? await gate() : connected),
    advance: (phase, responses) => inner.advance(phase, responses),
    checkpoint: () => inner.checkpoint(),
    restore: (state) => inner.restore(state),
  };
}

/** Options of {@link createClientDriver} (JSON: they cross process and page boundaries). */
export interface LoopbackFederatedClientOptions {
  readonly clientId: string;
  readonly federated: FederatedOptions;
  readonly population: readonly string[];
  /** 'cpu' in Node processes, 'webgl' in browser tabs. */
  readonly backend: 'cpu' | 'webgl';
  /**
   * webgl only: tfjs's `WEBGL_PACK` flag (default: tfjs's default, true). With packed kernels, local
   * training on SwiftShader's WebGL2 (headless Chromium here) drifts from cpu by 1-3% of the update
   * after the second SGD step (the first step agrees to 1e-7); unpacked it agrees to ~1e-7.
   */
  readonly webglPack?: boolean;
}

/** A client: selects its backend, builds its data and model, and returns the federated client driver. */
export async function createClientDriver(options: LoopbackFederatedClientOptions): Promise<ClientRoundDriver> {
  if (options.backend === 'webgl') {
    // Browser path only (the Node bundle keeps this import external and never runs it).
    await import('@tensorflow/tfjs-backend-webgl');
    if (options.webglPack !== undefined) tf.env().set('WEBGL_PACK', options.webglPack);
  }
  if (!(await tf.setBackend(options.backend))) throw new Error(`backend ${options.backend} did not initialise`);
  await tf.ready();
  if (tf.getBackend() !== options.backend) throw new Error(`backend is ${tf.getBackend()}, wanted ${options.backend}`);
  const pack = options.backend === 'webgl' ? ` (WEBGL_PACK ${String(tf.env().getBool('WEBGL_PACK'))})` : '';
  console.error(`${options.clientId}: tfjs backend ${tf.getBackend()}${pack}`);
  const index = options.population.indexOf(options.clientId);
  if (index < 0) throw new Error(`${options.clientId} is not in the population`);
  const { x, y } = makeClientData(index);
  return federatedClientDriver({ ...options.federated, model: makeModel(), x, y, numClients: options.population.length });
}

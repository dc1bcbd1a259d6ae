/**
 * What the coordinator, the Node clients and the browser clients of federated-live must agree on:
 * the federated options, the model and the data partition. Kept free of node:* imports because
 * the browser client is bundled from it too.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { seededRng } from 'responsible-tfjs';
import { dirichletPartition, federatedClientDriver, type ClientRoundDriver, type FederatedOptions } from 'responsible-tfjs/federated';

/** Seed of the partition and of the run's random choices (reproducible demo, see main.ts). */
export const SEED = 'federated-live';
/** Dirichlet concentration of the label split: 0.5 gives each client a few dominant digits. */
export const ALPHA = 0.5;
/** User-level delta at which epsilon is reported. */
export const DELTA = 1e-3;

/**
 * The run's options. Clients and coordinator build the same object from the same numbers: the
 * drivers refuse nothing when they differ, but clipping, noise shares and fixed-point encoding
 * would silently disagree.
 */
export function liveOptions(rounds: number, numClients: number): FederatedOptions {
  // One client fewer than the population per round, so a dead client is not needed for progress.
  const clientsPerRound = Math.max(2, numClients - 1);
  return {
    rounds,
    sampling: { method: 'uniform', clientsPerRound },
    localEpochs: 2,
    batchSize: 16,
    clientLearningRate: 0.3,
    privacy: {
      noiseMultiplier: 0.5,
      clipping: { adaptive: { initialClipNorm: 0.5, clippedCountStddev: 0.5 } },
      noise: 'distributed',
      // Noise shares sized so that the survivors of one dropout still add the full noise.
      minSurvivingClients: Math.max(1, clientsPerRound - 1),
      delta: DELTA,
    },
    secureAggregation: { thresholdFraction: 0.6 },
    seed: SEED,
  };
}

/** The MLP every party holds: 64-32-10, logits, seeded initial weights. */
export function liveModel(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [64], units: 32, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 21 }) }),
      tfl.layers.dense({ units: 10, kernelInitializer: tfl.initializers.glorotUniform({ seed: 22 }) }),
    ],
  });
}

/**
 * Row indices of each client's share of the training split. Deterministic in (labels,
 * numClients): every process recomputes it instead of receiving it, as real clients would simply
 * hold their own data.
 */
export function livePartition(labels: ArrayLike<number>, numClients: number): Int32Array[] {
  return dirichletPartition({ labels, numClients, alpha: ALPHA, rng: seededRng(`${SEED}-partition`), minPartitionSize: 16 });
}

/** The ids of the population, in the order the server samples by: Node clients, then browser tabs. */
export function populationIds(nodeClients: number, browserClients: number): string[] {
  return [...Array.from({ length: nodeClients }, (_, i) => `node-${i}`), ...Array.from({ length: browserClients }, (_, i) => `tab-${i}`)];
}

/** One client's rows of the training split, as plain arrays (JSON-able for the browser tabs). */
export interface ClientData {
  /** `n * 64` pixels in [0, 1]. */
  readonly x: ArrayLike<number>;
  /** `n` labels 0..9. */
  readonly y: ArrayLike<number>;
}

/** Picks rows of a split: the data a client holds. */
export function selectRows(split: { readonly x: Float32Array; readonly y: Int32Array }, rows: ArrayLike<number>): { x: Float32Array; y: Int32Array } {
  const x = new Float32Array(rows.length * 64);
  const y = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as number;
    x.set(split.x.subarray(r * 64, r * 64 + 64), i * 64);
    y[i] = split.y[r] as number;
  }
  return { x, y };
}

/**
 * The client driver of a Node process or a browser tab: the same options as the coordinator's
 * driver, the shared architecture and the client's own rows. Its tensors live as long as the
 * client does (the process or page ends with the run).
 */
export function liveClientDriver(data: ClientData, population: number, rounds: number): ClientRoundDriver {
  const n = data.y.length;
  return federatedClientDriver({
    ...liveOptions(rounds, population),
    model: liveModel(),
    x: tf.tensor2d(Float32Array.from(data.x), [n, 64]),
    y: tf.tensor1d(Int32Array.from(data.y), 'int32'),
    numClients: population,
  });
}

/** The digits a client mostly holds (a line of context in the logs: Dirichlet(0.5) is far from IID). */
export function describeLabels(y: ArrayLike<number>): string {
  const counts = new Array<number>(10).fill(0);
  for (let i = 0; i < y.length; i++) counts[y[i] as number]!++;
  const top = counts.map((c, d) => [d, c] as const).filter(([, c]) => c > 0).sort((a, b) => b[1] - a[1]).slice(0, 3);
  return `${y.length} examples, mostly digits ${top.map(([d, c]) => `${d} (${c})`).join(', ')}`;
}

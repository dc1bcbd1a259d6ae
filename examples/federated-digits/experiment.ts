/**
 * The federated-digits experiment, importable so that a test can run it at a tiny size: 100
 * simulated clients holding Dirichlet(0.5) non-IID shares of the UCI digits' training split, and a
 * set of federated configurations compared on test accuracy per round, user-level epsilon and
 * bytes sent per round.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { seededRng } from 'responsible-tfjs';
import { dirichletPartition, simulateFederated, type FederatedOptions, type SimulatedRound } from 'responsible-tfjs/federated';
import type { DigitsSplit } from '../shared/datasets.js';

/** One configuration of the comparison. */
export interface Variant {
  readonly name: string;
  readonly options: Omit<FederatedOptions, 'rounds' | 'seed'>;
}

/** Sizes of a run. */
export interface FederatedDigitsConfig {
  readonly numClients: number;
  readonly alpha: number;
  readonly rounds: number;
  readonly variants: readonly Variant[];
  readonly seed: string;
}

/** What a variant did. */
export interface VariantResult {
  readonly name: string;
  readonly accuracy: number[];
  readonly bytesUpPerRound: number;
  readonly epsilon?: number;
  readonly delta?: number;
  readonly clipNorms: number[];
  readonly seconds: number;
}

/** The MLP every client trains: 64-32-10, logits, seeded initial weights. */
export function digitsModel(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [64], units: 32, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 11 }) }),
      tfl.layers.dense({ units: 10, kernelInitializer: tfl.initializers.glorotUniform({ seed: 12 }) }),
    ],
  });
}

/** Splits the training rows over clients by Dirichlet(alpha) label proportions. */
export function partitionDigits(train: DigitsSplit, numClients: number, alpha: number, seed: string): Int32Array[] {
  return dirichletPartition({ labels: train.y, numClients, alpha, rng: seededRng(`${seed}-partition`), minPartitionSize: 2 });
}

/** Runs every variant on the same partition and initial weights. */
export async function runFederatedDigits(train: DigitsSplit, test: DigitsSplit, config: FederatedDigitsConfig, log: (line: string) => void = () => {}): Promise<{ results: VariantResult[]; partitionSizes: number[] }> {
  const parts = partitionDigits(train, config.numClients, config.alpha, config.seed);
  const x = tf.tensor2d(train.x, [train.n, 64]);
  const y = tf.tensor1d(train.y, 'int32');
  const clients = parts.map((rows) => {
    const idx = tf.tensor1d(rows, 'int32');
    const c = { x: tf.gather(x, idx), y: tf.gather(y, idx) };
    idx.dispose();
    return c;
  });
  const xTest = tf.tensor2d(test.x, [test.n, 64]);
  const yTest = tf.tensor1d(test.y, 'int32');
  const results: VariantResult[] = [];
  try {
    for (const variant of config.variants) {
      const model = digitsModel();
      const t0 = performance.now();
      const rounds: SimulatedRound[] = [];
      const r = await simulateFederated({
        ...variant.options,
        rounds: config.rounds,
        seed: `${config.seed}-${variant.name}`,
        model, clients,
        evaluation: { x: xTest, y: yTest },
        onRound: (round) => {
          rounds.push(round);
          if ((round.round + 1) % 10 === 0 || round.round === config.rounds - 1) {
            log(`${variant.name}: round ${round.round + 1}, ${round.contributors.length} clients, test accuracy ${round.evaluation!.accuracy.toFixed(3)}${round.privacy ? `, epsilon ${round.privacy.epsilon.toFixed(2)}` : ''}`);
          }
        },
      });
      model.dispose();
      results.push({
        name: variant.name,
        accuracy: rounds.map((q) => q.evaluation!.accuracy),
        bytesUpPerRound: rounds.reduce((s, q) => s + q.bytesUp, 0) / rounds.length,
        ...(r.privacy !== undefined ? { epsilon: r.privacy.epsilon, delta: r.privacy.delta } : {}),
        clipNorms: rounds.map((q) => q.clipNorm ?? Number.NaN),
        seconds: (performance.now() - t0) / 1000,
      });
    }
  } finally {
    tf.dispose([x, y, xTest, yTest, ...clients.flatMap((c) => [c.x, c.y])]);
  }
  return { results, partitionSizes: parts.map((p) => p.length) };
}

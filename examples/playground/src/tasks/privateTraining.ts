/**
 * Panel 1: DP-SGD on the digits at a target epsilon, reporting epsilon and test accuracy after
 * every epoch. The noise and the Poisson batches come from a seeded generator so the page and the
 * Node test agree: that is for a reproducible demonstration only (a real private run leaves `rng`
 * out and gets the library's cryptographically secure default).
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { seededRng } from 'responsible-tfjs';
import { fitPrivately } from 'responsible-tfjs/privacy';
import type { DigitsSplit } from '../../../shared/datasets.js';
import { accuracyOf, checkSetting, digitsMlp, type TaskControl } from './common.js';

export interface PrivateTrainingSettings {
  /** Epsilon the whole run may spend, at `delta`. */
  readonly targetEpsilon: number;
  readonly epochs: number;
  /** Expected (Poisson) batch size. */
  readonly batchSize: number;
  /** Clipping bound on each example's gradient norm. */
  readonly maxGradNorm: number;
  /** SGD learning rate. */
  readonly learningRate: number;
  /** Seed of the noise, the batches and the initial weights (reproducible demonstration only). */
  readonly seed: number;
}

export const PRIVATE_TRAINING_DEFAULTS: PrivateTrainingSettings = {
  targetEpsilon: 3, epochs: 10, batchSize: 64, maxGradNorm: 1, learningRate: 0.5, seed: 1,
};

/** The delta of every run: below 1 / (1,347 training rows). */
export const DELTA = 1e-5;

/** One point of the live curves. */
export interface EpochPoint {
  readonly epoch: number;
  readonly epsilon: number;
  readonly testAccuracy: number;
}

export interface PrivateTrainingResult {
  /** The trained model (the caller disposes it). */
  readonly model: tfl.LayersModel;
  /** The noise multiplier calibrated for the target epsilon. */
  readonly noiseMultiplier: number;
  /** Epsilon spent, at {@link DELTA}. */
  readonly epsilon: number;
  readonly steps: number;
  readonly history: readonly EpochPoint[];
  readonly testAccuracy: number;
  /** Whether the noise came from a secure source (false here: the demo's noise is seeded). */
  readonly secureNoise: boolean;
}

/** Trains the digits MLP privately and reports each epoch through `control.onProgress`. */
export async function trainPrivately(
  data: { train: DigitsSplit; test: DigitsSplit },
  settings: PrivateTrainingSettings,
  control: TaskControl<EpochPoint> = {},
): Promise<PrivateTrainingResult> {
  const task = 'trainPrivately';
  checkSetting(task, 'targetEpsilon', settings.targetEpsilon, 0.1, 100);
  checkSetting(task, 'epochs', settings.epochs, 1, 200, true);
  checkSetting(task, 'batchSize', settings.batchSize, 1, data.train.n, true);
  const x = tf.tensor2d(data.train.x, [data.train.n, 64]);
  const xTest = tf.tensor2d(data.test.x, [data.test.n, 64]);
  const model = digitsMlp(settings.seed);
  const optimizer = tf.train.sgd(settings.learningRate);
  const history: EpochPoint[] = [];
  try {
    const result = await fitPrivately(model, x, data.train.y, {
      epochs: settings.epochs,
      batchSize: settings.batchSize,
      maxGradNorm: settings.maxGradNorm,
      targetEpsilon: settings.targetEpsilon,
      delta: DELTA,
      optimizer,
      rng: seededRng(`playground-dp-${settings.seed}`),
      signal: control.signal,
      callbacks: {
        onEpochEnd: async (epoch, logs) => {
          const point = { epoch: epoch + 1, epsilon: logs.epsilon ?? Number.NaN, testAccuracy: await accuracyOf(model, xTest, data.test.y) };
          history.push(point);
          control.onProgress?.({ fraction: point.epoch / settings.epochs, message: `epoch ${point.epoch} of ${settings.epochs}`, point });
        },
      },
    });
    return {
      model,
      noiseMultiplier: result.noiseMultiplier,
      epsilon: result.epsilon,
      steps: result.steps,
      secureNoise: result.secure,
      history,
      testAccuracy: history.at(-1)?.testAccuracy ?? (await accuracyOf(model, xTest, data.test.y)),
    };
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    tf.dispose([x, xTest]);
    optimizer.dispose();
  }
}

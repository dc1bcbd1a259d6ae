/**
 * The two Adult classifiers of the explain example, trained with tfjs `model.fit` on the 10
 * features of ./features.ts: a logistic regression (one sigmoid unit, the reference model's
 * architecture) and a small MLP (16 ReLU units, then one sigmoid unit). Both return the
 * probability of >50K, so class 1 of the explain module is that probability.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { NUM_FEATURES, type AdultFeatures } from './features.js';

/** `Dense(1, 'sigmoid')`. */
export function logisticModel(seed: number): tfl.Sequential {
  const model = tfl.sequential({ name: 'logistic' });
  model.add(tfl.layers.dense({ name: 'out', units: 1, activation: 'sigmoid', inputShape: [NUM_FEATURES], kernelInitializer: tfl.initializers.glorotUniform({ seed }) }));
  return model;
}

/** `Dense(16, 'relu')` then `Dense(1, 'sigmoid')`. */
export function mlpModel(seed: number): tfl.Sequential {
  const model = tfl.sequential({ name: 'mlp' });
  model.add(tfl.layers.dense({ name: 'hidden', units: 16, activation: 'relu', inputShape: [NUM_FEATURES], kernelInitializer: tfl.initializers.glorotUniform({ seed }) }));
  model.add(tfl.layers.dense({ name: 'out', units: 1, activation: 'sigmoid', kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }) }));
  return model;
}

/** Training settings. */
export interface FitSettings {
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
}

/**
 * Fits with Adam on the binary cross-entropy; `train` comes pre-shuffled with a seeded generator,
 * so `shuffle: false` keeps the run reproducible. Returns the last epoch's loss.
 */
export async function fitBinary(model: tfl.Sequential, train: AdultFeatures, settings: FitSettings): Promise<number> {
  model.compile({ optimizer: tf.train.adam(settings.learningRate), loss: 'binaryCrossentropy' });
  const x = tf.tensor2d(train.x, [train.n, NUM_FEATURES]);
  const y = tf.tensor2d(Float32Array.from(train.y), [train.n, 1]);
  const history = await model.fit(x, y, { epochs: settings.epochs, batchSize: settings.batchSize, shuffle: false, verbose: 0 });
  tf.dispose([x, y]);
  return history.history.loss!.at(-1) as number;
}

/** Probability of >50K for every row. */
export async function probabilities(model: tfl.LayersModel, x: tf.Tensor2D): Promise<Float32Array> {
  const p = tf.tidy(() => tf.reshape(model.predict(x) as tf.Tensor, [-1]));
  const values = (await p.data()) as Float32Array;
  p.dispose();
  return values;
}

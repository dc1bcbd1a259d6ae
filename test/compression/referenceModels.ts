/** Builds the two reference digits models (weights in tfjs layers layout) as tfjs-layers models. */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { buildReferenceModel, type ReferenceModelName, type ReferenceModelSpec } from '../helpers/referenceModels.js';
import models from '../fixtures/compression/models.json';
import { digitsTest } from './fixtures.js';

export type { ReferenceModelName } from '../helpers/referenceModels.js';

/** A Sequential model with the architecture and weights of the named reference model. */
export function referenceModel(name: ReferenceModelName): tfl.Sequential {
  return buildReferenceModel(models[name] as unknown as ReferenceModelSpec);
}

/** Test accuracy of a model on the 450 reference test digits, and its predictions. */
export async function testAccuracy(model: tfl.LayersModel, name: ReferenceModelName): Promise<{ accuracy: number; predictions: number[] }> {
  const { x, labels, n } = digitsTest();
  const shape = name === 'mlp' ? [n, 64] : [n, 8, 8, 1];
  const pred = tf.tidy(() => tf.argMax(model.predict(tf.tensor(x, shape)) as tf.Tensor, 1));
  const predictions = Array.from(await pred.data());
  pred.dispose();
  const correct = predictions.filter((p, i) => p === labels[i]).length;
  return { accuracy: correct / n, predictions };
}

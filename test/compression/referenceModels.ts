/** Builds the two reference digits models (weights in tfjs layers layout) as tfjs-layers models. */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import models from '../fixtures/compression/models.json';
import { digitsTest } from './fixtures.js';

export type ReferenceModelName = 'mlp' | 'cnn';

interface LayerSpec {
  readonly type: string;
  readonly name: string;
  readonly units?: number;
  readonly filters?: number;
  readonly kernelSize?: number[];
  readonly activation?: string;
  readonly kernelShape?: number[];
  readonly kernel?: number[];
  readonly biasShape?: number[];
  readonly bias?: number[];
}

/** A Sequential model with the architecture and weights of the named reference model. */
export function referenceModel(name: ReferenceModelName): tfl.Sequential {
  const spec = models[name] as unknown as { inputShape: number[]; layers: LayerSpec[] };
  const model = tfl.sequential();
  spec.layers.forEach((l, i) => {
    const first = i === 0 ? { inputShape: spec.inputShape } : {};
    const activation = (l.activation ?? 'linear') as 'relu' | 'linear';
    if (l.type === 'dense') model.add(tfl.layers.dense({ units: l.units!, activation, name: l.name, ...first }));
    else if (l.type === 'conv2d') {
      model.add(tfl.layers.conv2d({ filters: l.filters!, kernelSize: l.kernelSize!, strides: 1, padding: 'same', activation, name: l.name, ...first }));
    } else if (l.type === 'flatten') model.add(tfl.layers.flatten({ name: l.name, ...first }));
    else throw new Error(`unknown layer ${l.type}`);
  });
  spec.layers.forEach((l) => {
    if (l.kernel === undefined) return;
    const weights = [tf.tensor(l.kernel, l.kernelShape), tf.tensor(l.bias!, l.biasShape)];
    model.getLayer(l.name).setWeights(weights);
    tf.dispose(weights);
  });
  return model;
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

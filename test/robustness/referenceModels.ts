/**
 * Builds the two reference digits models (models.json, weights already in tfjs layers layout)
 * as tfjs-layers models.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import models from '../fixtures/robustness/models.json';

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

/** A Sequential model matching the architecture and weights of the named reference model. */
export function referenceModel(name: ReferenceModelName): tfl.Sequential {
  const spec = models[name] as unknown as { inputShape: number[]; layers: LayerSpec[] };
  const model = tfl.sequential();
  spec.layers.forEach((l, i) => {
    const first = i === 0 ? { inputShape: spec.inputShape } : {};
    const activation = (l.activation ?? 'linear') as 'relu' | 'linear';
    if (l.type === 'dense') model.add(tfl.layers.dense({ units: l.units!, activation, name: l.name, ...first }));
    else if (l.type === 'conv2d') {
      model.add(tfl.layers.conv2d({
        filters: l.filters!, kernelSize: l.kernelSize!, strides: 1, padding: 'same', dataFormat: 'channelsLast', activation, name: l.name, ...first,
      }));
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

/** Input shape of one example, without the batch dimension. */
export function referenceInputShape(name: ReferenceModelName): number[] {
  return name === 'mlp' ? [64] : [8, 8, 1];
}

/**
 * Builds the reference digits models (shared/reference/robustness/models.json: Dense kernel
 * [in, out], Conv2D kernel [kh, kw, in, out], NHWC) as tfjs-layers models. Each domain passes its
 * own trimmed copy of the fixture.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

export type ReferenceModelName = 'mlp' | 'cnn';

/** One layer of a reference model spec. */
export interface LayerSpec {
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

/** One model's entry in models.json. */
export interface ReferenceModelSpec {
  readonly inputShape: number[];
  readonly layers: readonly LayerSpec[];
}

/** A Sequential model with the architecture and weights of a reference model spec. */
export function buildReferenceModel(spec: ReferenceModelSpec): tfl.Sequential {
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

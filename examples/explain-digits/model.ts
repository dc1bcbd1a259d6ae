/**
 * The digits CNN of the explain example and its training, in two forms with the same weights:
 *
 * - `separate`: the last convolution (`conv2`) has no activation and its ReLU is a separate
 *   `Activation` layer, so Grad-CAM on `conv2` reads the pre-ReLU map, as Captum's `LayerGradCam`
 *   does on a torch `nn.Conv2d` followed by an `nn.ReLU` module. Every method explains this form;
 * - `fused`: the ReLU is fused into `conv2` (`activation: 'relu'`). It computes the same function,
 *   but Grad-CAM on its `conv2` reads the post-ReLU map: the example compares the two maps.
 *
 * tfjs 4.22's wasm backend has no `Conv2DBackpropFilter` kernel, so a Conv2D layer cannot be
 * trained there; `trainDigitsCnn` trains on the cpu backend and hands the weights to copies of the
 * model on the backend that was active when it was called. Explaining needs only gradients with
 * respect to inputs and activations, which the explain module takes on every backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { DigitsSplit } from '../shared/data.js';

/**
 * conv1 (8 filters 3×3, same, ReLU) → 2×2 max-pool → conv2 (16 filters 3×3, same) → ReLU (its
 * own layer, or fused into conv2 with `fusedRelu`) → flatten → dense 10 (logits). conv2's map is
 * 4×4, so its Grad-CAM is upsampled to the 8×8 input. Seeded Glorot initialisers.
 */
export function digitsCnn(seed = 1, options: { fusedRelu?: boolean } = {}): tfl.Sequential {
  const fused = options.fusedRelu ?? false;
  const init = (k: number) => tfl.initializers.glorotUniform({ seed: seed + k });
  const model = tfl.sequential({ name: 'digits_cnn' });
  model.add(tfl.layers.conv2d({ name: 'conv1', inputShape: [8, 8, 1], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(0) }));
  model.add(tfl.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }));
  model.add(tfl.layers.conv2d({ name: 'conv2', filters: 16, kernelSize: 3, padding: 'same', activation: fused ? 'relu' : 'linear', kernelInitializer: init(1) }));
  if (!fused) model.add(tfl.layers.activation({ name: 'conv2_relu', activation: 'relu' }));
  model.add(tfl.layers.flatten({ name: 'flatten' }));
  model.add(tfl.layers.dense({ name: 'logits', units: 10, kernelInitializer: init(2) }));
  return model;
}

/** Training settings of the example. */
export interface TrainSettings {
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
}

/** The trained CNN in its two forms (same weights). */
export interface TrainedCnn {
  /** conv2 then a separate ReLU layer: Grad-CAM on conv2 reads the pre-ReLU map. */
  readonly separate: tfl.Sequential;
  /** conv2 with its ReLU fused: Grad-CAM on conv2 reads the post-ReLU map. */
  readonly fused: tfl.Sequential;
  readonly finalLoss: number;
}

/**
 * Trains {@link digitsCnn} with tfjs `model.fit` (Adam, softmax cross-entropy on the logits, no
 * shuffling: the rows come pre-shuffled with a seeded generator) on the cpu backend, then returns
 * both forms with the trained weights on the backend that was active at the call.
 */
export async function trainDigitsCnn(train: DigitsSplit, settings: TrainSettings, seed = 1): Promise<TrainedCnn> {
  const target = tf.getBackend();
  await import('@tensorflow/tfjs-backend-cpu');
  await tf.setBackend('cpu');
  const model = digitsCnn(seed, { fusedRelu: true });
  model.compile({ optimizer: tf.train.adam(settings.learningRate), loss: (yTrue, yPred) => tf.losses.softmaxCrossEntropy(yTrue, yPred) });
  const x = tf.tensor4d(train.x, [train.n, 8, 8, 1]);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(train.y, 'int32'), 10));
  const history = await model.fit(x, y, { epochs: settings.epochs, batchSize: settings.batchSize, shuffle: false, verbose: 0 });
  const weights = await Promise.all(model.getWeights().map(async (w) => ({ shape: w.shape, values: await w.data() as Float32Array })));
  const finalLoss = history.history.loss!.at(-1) as number;
  tf.dispose([x, y]);
  model.dispose();
  await tf.setBackend(target);
  const copy = (fusedRelu: boolean): tfl.Sequential => {
    const m = digitsCnn(seed, { fusedRelu });
    const tensors = weights.map((w) => tf.tensor(w.values, w.shape));
    m.setWeights(tensors);
    tf.dispose(tensors);
    return m;
  };
  return { separate: copy(false), fused: copy(true), finalLoss };
}

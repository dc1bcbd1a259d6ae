/** Small deterministic models covering every supported layer type, Sequential and functional. */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { seededRng } from '../../../src/core/rng.js';

/** Replaces every weight with seeded values in [-scale, scale]. */
export function seedWeights(model: tfl.LayersModel, seed: number, scale = 0.5): void {
  const rng = seededRng(seed);
  const weights = model.getWeights().map((w) => tf.tensor(Float32Array.from({ length: w.size }, () => (2 * rng.next() - 1) * scale), w.shape));
  model.setWeights(weights);
  tf.dispose(weights);
}

/** Seeded inputs of a given shape in [-1, 1]. */
export function seededInput(shape: number[], seed: number): tf.Tensor {
  const rng = seededRng(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: size }, () => 2 * rng.next() - 1), shape);
}

export interface ModelCase {
  readonly name: string;
  readonly build: () => tfl.LayersModel;
  readonly inputShape: number[];
  /** Integer inputs below this bound (Embedding), else real inputs. */
  readonly vocab?: number;
  readonly classes: number;
  /**
   * Uses kernels whose gradient the wasm backend lacks (Conv2DBackpropFilter, UnsortedSegmentSum
   * for Embedding), so tfjs's own autodiff cannot compute the reference there: it runs on cpu.
   */
  readonly convolutional: boolean;
}

export const MODEL_CASES: readonly ModelCase[] = [
  {
    name: 'Sequential Dense (relu, softmax)',
    inputShape: [5],
    classes: 3,
    convolutional: false,
    build: () =>
      tfl.sequential({
        layers: [
          tfl.layers.dense({ inputShape: [5], units: 4, activation: 'relu' }),
          tfl.layers.dropout({ rate: 0.5 }),
          tfl.layers.dense({ units: 3, activation: 'softmax' }),
        ],
      }),
  },
  {
    name: 'Dense on sequences + LayerNormalization + Softmax layer',
    inputShape: [3, 4],
    classes: 3,
    convolutional: false,
    build: () =>
      tfl.sequential({
        layers: [
          tfl.layers.dense({ inputShape: [3, 4], units: 5, activation: 'tanh' }),
          tfl.layers.layerNormalization({}),
          tfl.layers.flatten(),
          tfl.layers.dense({ units: 3 }),
          tfl.layers.softmax(),
        ],
      }),
  },
  {
    name: 'Embedding + pooling (logits output)',
    inputShape: [4],
    vocab: 6,
    classes: 3,
    convolutional: true,
    build: () =>
      tfl.sequential({
        layers: [
          tfl.layers.embedding({ inputDim: 6, outputDim: 3, inputLength: 4 }),
          tfl.layers.globalAveragePooling1d({}),
          tfl.layers.dense({ units: 3 }),
        ],
      }),
  },
  {
    name: 'Conv2D (valid, same, strides) + max pool',
    inputShape: [7, 7, 2],
    classes: 3,
    convolutional: true,
    build: () =>
      tfl.sequential({
        layers: [
          tfl.layers.conv2d({ inputShape: [7, 7, 2], filters: 3, kernelSize: 3, activation: 'relu' }),
          tfl.layers.conv2d({ filters: 2, kernelSize: [2, 3], strides: 2, padding: 'same', activation: 'elu' }),
          tfl.layers.conv2d({ filters: 2, kernelSize: 2, padding: 'same', useBias: false }),
          // 'valid': tfjs 4.22's wasm MaxPool gradient with 'same' padding disagrees with cpu's
          // (a backend bug, pinned in perExampleGradients.test.ts), which the engine would inherit.
          tfl.layers.maxPooling2d({ poolSize: 2, padding: 'valid' }),
          tfl.layers.flatten(),
          tfl.layers.dense({ units: 3, activation: 'softmax' }),
        ],
      }),
  },
  {
    name: 'DepthwiseConv2D + average pool',
    inputShape: [6, 6, 2],
    classes: 3,
    convolutional: true,
    build: () =>
      tfl.sequential({
        layers: [
          tfl.layers.depthwiseConv2d({ inputShape: [6, 6, 2], kernelSize: 3, depthMultiplier: 2, activation: 'relu' }),
          tfl.layers.depthwiseConv2d({ kernelSize: 2, strides: 2, padding: 'same' }),
          tfl.layers.averagePooling2d({ poolSize: 2 }),
          tfl.layers.flatten(),
          tfl.layers.dense({ units: 3, activation: 'softmax' }),
        ],
      }),
  },
  {
    name: 'functional: branches, Add, Concatenate, shared Dense, nested Sequential',
    inputShape: [4],
    classes: 3,
    convolutional: false,
    build: () => {
      const input = tfl.input({ shape: [4] });
      const shared = tfl.layers.dense({ units: 4, activation: 'tanh' });
      const a = shared.apply(input) as tfl.SymbolicTensor;
      const b = shared.apply(tfl.layers.dense({ units: 4 }).apply(input)) as tfl.SymbolicTensor;
      const sum = tfl.layers.add().apply([a, b]) as tfl.SymbolicTensor;
      const both = tfl.layers.concatenate().apply([sum, a]) as tfl.SymbolicTensor;
      const inner = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [8], units: 5, activation: 'relu' }), tfl.layers.layerNormalization({})] });
      const out = tfl.layers.dense({ units: 3, activation: 'softmax' }).apply(inner.apply(both)) as tfl.SymbolicTensor;
      return tfl.model({ inputs: input, outputs: out });
    },
  },
  {
    name: 'Conv1D text model (valid, same, strides) + global max pool',
    inputShape: [9],
    vocab: 7,
    classes: 3,
    convolutional: true,
    build: () =>
      tfl.sequential({
        layers: [
          tfl.layers.embedding({ inputDim: 7, outputDim: 3, inputLength: 9 }),
          tfl.layers.conv1d({ filters: 4, kernelSize: 3, activation: 'relu' }),
          tfl.layers.conv1d({ filters: 3, kernelSize: 2, strides: 2, padding: 'same', useBias: false, activation: 'tanh' }),
          tfl.layers.globalMaxPooling1d({}),
          tfl.layers.dense({ units: 3, activation: 'softmax' }),
        ],
      }),
  },
  {
    name: 'SeparableConv2D (strides, same, depthMultiplier) + average pool',
    inputShape: [7, 7, 2],
    classes: 3,
    convolutional: true,
    build: () =>
      tfl.sequential({
        layers: [
          tfl.layers.separableConv2d({ inputShape: [7, 7, 2], filters: 3, kernelSize: 3, strides: 2, padding: 'same', depthMultiplier: 2, activation: 'relu' }),
          tfl.layers.separableConv2d({ filters: 2, kernelSize: [2, 3], useBias: false }),
          tfl.layers.averagePooling2d({ poolSize: [1, 2] }),
          tfl.layers.flatten(),
          tfl.layers.dense({ units: 3, activation: 'softmax' }),
        ],
      }),
  },
];

/** Builds a case's model with seeded weights and a seeded batch with labels. */
export function instantiate(c: ModelCase, batch: number, seed = 1): { model: tfl.LayersModel; x: tf.Tensor; y: number[] } {
  const model = c.build();
  seedWeights(model, seed);
  const rng = seededRng(seed + 100);
  const x =
    c.vocab !== undefined
      ? tf.tensor(Array.from({ length: batch * c.inputShape.reduce((p, q) => p * q, 1) }, () => Math.floor(rng.next() * c.vocab!)), [batch, ...c.inputShape])
      : seededInput([batch, ...c.inputShape], seed + 200);
  const y = Array.from({ length: batch }, () => Math.floor(rng.next() * c.classes));
  return { model, x, y };
}

/**
 * Reference per-example gradients: tfjs autodiff (`variableGrads` on `model.apply`) for each
 * example alone, as flat arrays per weight. Runs on the current backend. Reads asynchronously: on
 * webgpu (tfjs 4.22, SwiftShader) a synchronous read can return zeros (seen for a `tf.sum` result)
 * and the tensor keeps them, which once made this reference, not the gradients it checks, wrong.
 */
export async function loopGradients(model: tfl.LayersModel, x: tf.Tensor, y: number[], fromProbabilities: boolean): Promise<Float32Array[][]> {
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const out: Float32Array[][] = [];
  for (let i = 0; i < y.length; i++) {
    const grads = tf.tidy(() => {
      const xi = tf.slice(x, i, 1);
      const yi = tf.oneHot([y[i]!], model.outputs[0]!.shape[1] as number);
      const { value, grads } = tf.variableGrads(() => {
        const o = model.apply(xi, { training: false }) as tf.Tensor;
        const logp = fromProbabilities ? tf.log(tf.clipByValue(o, 1e-7, 1)) : tf.logSoftmax(o);
        return tf.neg(tf.sum(tf.mul(yi, logp))) as tf.Scalar;
      }, vars);
      value.dispose();
      return vars.map((v) => grads[v.name]!);
    });
    out.push(await Promise.all(grads.map(async (g) => (await g.data()) as Float32Array)));
    tf.dispose(grads);
  }
  return out;
}

/** Whether a model's last layer outputs probabilities (a softmax). */
export function outputsProbabilities(model: tfl.LayersModel): boolean {
  const last = model.layers[model.layers.length - 1] as unknown as { getClassName(): string; activation?: { getClassName(): string } };
  return last.getClassName() === 'Softmax' || last.activation?.getClassName() === 'softmax';
}

/** Largest |a - b| / max(1, max |b|) over all entries. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs((a[i] as number) - (b[i] as number)));
    scale = Math.max(scale, Math.abs(b[i] as number));
  }
  return diff / scale;
}

/** Clips each example's flat gradient (over all tensors) to C, sums, divides, in doubles. */
export function clippedMean(perExample: Float32Array[], batch: number, c: number, divisor: number = batch): Float64Array[] {
  const per = perExample.map((g) => g.length / batch);
  const out = perExample.map((g, k) => new Float64Array(per[k]!));
  for (let i = 0; i < batch; i++) {
    let sq = 0;
    perExample.forEach((g, k) => {
      for (let j = 0; j < per[k]!; j++) sq += g[i * per[k]! + j]! ** 2;
    });
    const factor = Math.min(1, c / Math.sqrt(sq));
    perExample.forEach((g, k) => {
      for (let j = 0; j < per[k]!; j++) out[k]![j]! += (factor * g[i * per[k]! + j]!) / divisor;
    });
  }
  return out;
}

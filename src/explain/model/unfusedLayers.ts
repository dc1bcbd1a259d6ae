/**
 * Unfused `call`s for Conv2D and Dense layers, used while the explanations differentiate a model
 * (internal).
 *
 * tfjs-layers runs a Conv2D layer through `tf.fused.conv2d`, which keeps its fused kernel under a
 * gradient whenever the activation is linear, and whose gradient then computes the filter's
 * gradient as well as the input's: wasted work for an input attribution, and a failure on the wasm
 * backend, which has no `Conv2DBackpropFilter` kernel in tfjs 4.22. While swapped in, this `call`
 * computes the same thing with `tf.conv2d`, a bias add and the layer's activation (the arithmetic
 * of the fused kernel), whose gradient with respect to the input is computed alone. Dense layers
 * likewise run through `tf.fused.matMul`, whose gradient computes the kernel's gradient too: a
 * third of the backward work of a small MLP; their unfused call is a matMul, a bias add and the
 * activation.
 */
import { add, conv2d, matMul, reshape, tidy, transpose, type Tensor, type Tensor2D, type Tensor3D, type Tensor4D } from '../../core/tf.js';
import type { ModelLayer } from './modelLayers.js';
import { swapCall } from './swapCall.js';

/** The Conv2D fields the unfused call reads (tfjs-layers' `Conv` internals). */
interface Conv2DInternals {
  readonly kernel: { read(): Tensor };
  readonly bias: { read(): Tensor } | null;
  readonly strides: number[];
  readonly padding: string;
  readonly dataFormat: string;
  readonly dilationRate: number | number[];
  readonly activation: { apply(x: Tensor): Tensor } | null;
}

/** Whether the layer can take an unfused call (a Dense, or a Conv2D with 'same' or 'valid' padding). */
export function canUnfuse(layer: ModelLayer): boolean {
  if (layer.getClassName() === 'Dense') return true;
  if (layer.getClassName() !== 'Conv2D') return false;
  const padding = (layer as unknown as Conv2DInternals).padding;
  return padding === 'same' || padding === 'valid';
}

/** Swaps the layer's `call` for the unfused computation (Dense or Conv2D); returns the restorer. */
export function unfuse(layer: ModelLayer): () => void {
  return layer.getClassName() === 'Dense' ? unfuseDense(layer) : unfuseConv2D(layer);
}

/** The Dense fields the unfused call reads (tfjs-layers' `Dense` internals). */
interface DenseInternals {
  readonly kernel: { read(): Tensor };
  readonly bias: { read(): Tensor } | null;
  readonly activation: { apply(x: Tensor): Tensor } | null;
}

function unfuseDense(layer: ModelLayer): () => void {
  const dense = layer as unknown as DenseInternals;
  return swapCall(layer, () => (inputs) => tidy(() => {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as Tensor;
    const kernel = dense.kernel.read() as Tensor2D;
    // Dense acts on the last axis of an input of any rank, as tfjs-layers' `K.dot` does.
    const flat = x.rank === 2 ? (x as Tensor2D) : (reshape(x, [-1, x.shape[x.rank - 1] as number]) as Tensor2D);
    let y: Tensor = matMul(flat, kernel);
    if (dense.bias !== null) y = add(y, dense.bias.read());
    if (x.rank !== 2) y = reshape(y, [...x.shape.slice(0, -1), kernel.shape[1]]);
    return dense.activation === null ? y : dense.activation.apply(y);
  }));
}

function unfuseConv2D(layer: ModelLayer): () => void {
  const conv = layer as unknown as Conv2DInternals;
  return swapCall(layer, () => (inputs) => tidy(() => {
    let x = (Array.isArray(inputs) ? inputs[0] : inputs) as Tensor4D;
    const channelsFirst = conv.dataFormat === 'channelsFirst';
    if (channelsFirst) x = transpose(x, [0, 2, 3, 1]);
    const dilations = Array.isArray(conv.dilationRate) ? (conv.dilationRate as [number, number]) : conv.dilationRate;
    let y: Tensor = conv2d(x as Tensor3D | Tensor4D, conv.kernel.read() as Tensor4D, conv.strides as [number, number],
      conv.padding as 'same' | 'valid', 'NHWC', dilations);
    if (conv.bias !== null) y = add(y, conv.bias.read());
    if (channelsFirst) y = transpose(y, [0, 3, 1, 2]);
    return conv.activation === null ? y : conv.activation.apply(y);
  }));
}

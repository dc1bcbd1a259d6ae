/**
 * An unfused `call` for Conv2D layers, used while the layer methods differentiate a model
 * (internal).
 *
 * tfjs-layers runs a Conv2D layer through `tf.fused.conv2d`, which keeps its fused kernel under a
 * gradient whenever the activation is linear, and whose gradient then computes the filter's
 * gradient as well as the input's: wasted work for an input attribution, and a failure on the wasm
 * backend, which has no `Conv2DBackpropFilter` kernel in tfjs 4.22. While swapped in, this `call`
 * computes the same thing with `tf.conv2d`, a bias add and the layer's activation (the arithmetic
 * of the fused kernel), whose gradient with respect to the input is computed alone.
 */
import { add, conv2d, tidy, transpose, type Tensor, type Tensor3D, type Tensor4D } from '../../core/tf.js';
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

/** Whether the layer can take the unfused call (a Conv2D with 'same' or 'valid' padding). */
export function canUnfuse(layer: ModelLayer): boolean {
  if (layer.getClassName() !== 'Conv2D') return false;
  const padding = (layer as unknown as Conv2DInternals).padding;
  return padding === 'same' || padding === 'valid';
}

/** Swaps the layer's `call` for the unfused computation; returns the restorer. */
export function unfuseConv2D(layer: ModelLayer): () => void {
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

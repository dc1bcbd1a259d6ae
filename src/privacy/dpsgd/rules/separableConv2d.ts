/**
 * Per-example gradients of `SeparableConv2D` (NHWC): a depthwise convolution followed by a 1x1
 * pointwise convolution and a bias (internal). The pointwise kernel's gradient is the outer
 * product of the depthwise output and the output gradient; the gradient at the depthwise output
 * is the output gradient through the transposed pointwise kernel, from which the DepthwiseConv2D
 * rule's math gives the depthwise kernel's gradient. The depthwise part runs on patches, because
 * the wasm backend registers no gradient kernel for depthwise convolutions.
 */
import { add, matMul, reshape, sum, type Tensor, type Tensor3D } from '../../../core/tf.js';
import type { LayerLike, WeightLike } from '../types.js';
import { applyActivation, scaleRows, weightField } from './common.js';
import { convGeometry } from './conv2d.js';
import { depthwiseConv2dRule } from './depthwiseConv2d.js';
import type { LayerCall, LayerRule } from './rule.js';

function pointwiseOf(layer: LayerLike): WeightLike {
  return weightField(layer, 'pointwiseKernel') as WeightLike;
}

/**
 * The layer seen as its depthwise part: the same object without a bias, so the DepthwiseConv2D
 * rule (which reads `depthwiseKernel`, the config's geometry and `bias`) applies to it.
 */
function depthwisePart(layer: LayerLike): LayerLike {
  return Object.create(layer, { bias: { value: null } }) as LayerLike;
}

/** The pointwise kernel as a `[C * M, F]` matrix. */
function pointwiseMatrix(layer: LayerLike): Tensor {
  const [, , mid, filters] = pointwiseOf(layer).shape as [number, number, number, number];
  return reshape(pointwiseOf(layer).read(), [mid, filters]);
}

/** Depthwise outputs `d` `[B, T, C * M]`, output gradients `g` `[B, T, F]` and the gradient at `d` `[B, Ho, Wo, C * M]`. */
function parts(layer: LayerLike, call: LayerCall): { d: Tensor3D; g: Tensor3D; depthwiseCall: LayerCall } {
  const [batch, rows, cols, filters] = call.outputGrad.shape as [number, number, number, number];
  const w = pointwiseMatrix(layer);
  const mid = w.shape[0] as number;
  const d = reshape(depthwiseConv2dRule.preActivation(depthwisePart(layer), call.input), [batch, -1, mid]) as Tensor3D;
  const g = reshape(call.outputGrad, [batch, -1, filters]) as Tensor3D;
  const gd = reshape(matMul(reshape(g, [-1, filters]), w, false, true), [batch, rows, cols, mid]);
  return { d, g, depthwiseCall: { input: call.input, outputGrad: gd } };
}

/** The rule of tfjs-layers' `SeparableConv2D`. */
export const separableConv2dRule: LayerRule = {
  check(layer) {
    const g = convGeometry(layer);
    if (typeof g === 'string') return g;
    // tfjs's depthwiseConv2d (which separableConv2d calls) refuses this combination itself.
    const strided = g.strides[0] > 1 || g.strides[1] > 1;
    if (strided && (g.dilation[0] > 1 || g.dilation[1] > 1)) return 'strides > 1 together with dilationRate > 1 is not supported (tfjs convolutions need one of them to be 1)';
    return undefined;
  },
  weights(layer) {
    const bias = weightField(layer, 'bias');
    const kernels = [weightField(layer, 'depthwiseKernel') as WeightLike, pointwiseOf(layer)];
    return bias === undefined ? kernels : [...kernels, bias];
  },
  preActivation(layer, input) {
    const d = depthwiseConv2dRule.preActivation(depthwisePart(layer), input);
    const w = pointwiseMatrix(layer);
    const [batch, rows, cols, mid] = d.shape as [number, number, number, number];
    const z = reshape(matMul(reshape(d, [-1, mid]), w), [batch, rows, cols, w.shape[1] as number]);
    const bias = weightField(layer, 'bias');
    return bias === undefined ? z : add(z, bias.read());
  },
  activate: applyActivation,
  perExample(layer, call) {
    const { d, g, depthwiseCall } = parts(layer, call);
    const depthwise = depthwiseConv2dRule.perExample(depthwisePart(layer), depthwiseCall)[0] as Tensor;
    const out: Tensor[] = [depthwise, reshape(matMul(d, g, true, false), [d.shape[0], ...pointwiseOf(layer).shape])];
    if (weightField(layer, 'bias') !== undefined) out.push(sum(g, 1));
    return out;
  },
  // The depthwise kernel has no ghost norm (see the DepthwiseConv2D rule): materialising is needed anyway.
  ghostSquaredNorms: () => undefined,
  weightedSum(layer, call, c) {
    const { d, g, depthwiseCall } = parts(layer, call);
    const depthwise = depthwiseConv2dRule.weightedSum(depthwisePart(layer), depthwiseCall, c)[0] as Tensor;
    const gc = scaleRows(g, c);
    const pointwise = matMul(reshape(d, [-1, d.shape[2]]), reshape(gc, [-1, g.shape[2]]), true, false);
    const out: Tensor[] = [depthwise, reshape(pointwise, [...pointwiseOf(layer).shape])];
    if (weightField(layer, 'bias') !== undefined) out.push(sum(gc, [0, 1]));
    return out;
  },
};

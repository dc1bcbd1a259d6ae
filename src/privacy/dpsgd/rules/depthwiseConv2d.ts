/**
 * Per-example gradients of `DepthwiseConv2D` (NHWC) from im2col patches (internal). The forward
 * pass is also written with patches, because the wasm backend registers no gradient kernel for
 * depthwise convolutions.
 */
import { add, matMul, mul, reshape, sum, transpose, type Tensor, type Tensor4D } from '../../../core/tf.js';
import { extractPatches } from '../patches.js';
import type { LayerLike, WeightLike } from '../types.js';
import { applyActivation, scaleRows, weightField } from './common.js';
import { convGeometry } from './conv2d.js';
import type { ConvGeometry } from '../patches.js';
import type { LayerCall, LayerRule } from './rule.js';

function kernelOf(layer: LayerLike): WeightLike {
  return weightField(layer, 'depthwiseKernel') as WeightLike;
}

function dims(layer: LayerLike): { kh: number; kw: number; channels: number; multiplier: number } {
  const [kh, kw, channels, multiplier] = kernelOf(layer).shape as [number, number, number, number];
  return { kh, kw, channels, multiplier };
}

/** Patches as `[B, T, K, C]` and output gradients as `[B, T, C, M]`. */
function patchesAndGrads(layer: LayerLike, call: LayerCall): { p: Tensor; g: Tensor } {
  const { kh, kw, channels, multiplier } = dims(layer);
  const patches = extractPatches(call.input as Tensor4D, convGeometry(layer) as ConvGeometry);
  const batch = patches.shape[0];
  return {
    p: reshape(patches, [batch, -1, kh * kw, channels]),
    g: reshape(call.outputGrad, [batch, -1, channels, multiplier]),
  };
}

export const depthwiseConv2dRule: LayerRule = {
  check: (layer) => {
    const g = convGeometry(layer);
    if (typeof g === 'string') return g;
    // tfjs-layers' DepthwiseConv2D ignores dilationRate in its own forward pass, so the network
    // tfjs runs and the one the engine would differentiate differ: refuse instead of training the wrong model.
    if (g.dilation[0] > 1 || g.dilation[1] > 1) return 'dilationRate > 1 is not supported (tfjs-layers ignores it in DepthwiseConv2D; use dilationRate 1)';
    return undefined;
  },
  weights(layer) {
    const bias = weightField(layer, 'bias');
    return bias === undefined ? [kernelOf(layer)] : [kernelOf(layer), bias];
  },
  preActivation(layer, input) {
    const { kh, kw, channels, multiplier } = dims(layer);
    const patches = extractPatches(input as Tensor4D, convGeometry(layer) as ConvGeometry);
    const [batch, rows, cols] = patches.shape;
    const p = reshape(patches, [batch, rows, cols, kh * kw, channels, 1]);
    const w = reshape(kernelOf(layer).read(), [kh * kw, channels, multiplier]);
    const z = reshape(sum(mul(p, w), 3), [batch, rows, cols, channels * multiplier]);
    const bias = weightField(layer, 'bias');
    return bias === undefined ? z : add(z, bias.read());
  },
  activate: applyActivation,
  perExample(layer, call) {
    const { kh, kw, channels, multiplier } = dims(layer);
    const { p, g } = patchesAndGrads(layer, call);
    const batch = p.shape[0] as number;
    const positions = p.shape[1] as number;
    const pt = reshape(transpose(p, [0, 3, 2, 1]), [batch * channels, kh * kw, positions]);
    const gt = reshape(transpose(g, [0, 2, 1, 3]), [batch * channels, positions, multiplier]);
    const k = transpose(reshape(matMul(pt, gt), [batch, channels, kh * kw, multiplier]), [0, 2, 1, 3]);
    const out: Tensor[] = [reshape(k, [batch, kh, kw, channels, multiplier])];
    if (weightField(layer, 'bias') !== undefined) out.push(reshape(sum(g, 1), [batch, channels * multiplier]));
    return out;
  },
  ghostSquaredNorms: () => undefined,
  weightedSum(layer, call, c) {
    const { kh, kw, channels, multiplier } = dims(layer);
    const { p, g } = patchesAndGrads(layer, call);
    const gc = scaleRows(g, c);
    const pt = transpose(reshape(p, [-1, kh * kw, channels]), [2, 1, 0]);
    const gt = transpose(reshape(gc, [-1, channels, multiplier]), [1, 0, 2]);
    const k = transpose(matMul(pt, gt), [1, 0, 2]);
    const out: Tensor[] = [reshape(k, [kh, kw, channels, multiplier])];
    if (weightField(layer, 'bias') !== undefined) out.push(reshape(sum(gc, [0, 1]), [channels * multiplier]));
    return out;
  },
};

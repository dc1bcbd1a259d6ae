/** Per-example gradients of `Conv2D` (NHWC) from im2col patches and output gradients (internal). */
import { add, conv2d, matMul, reshape, sum, type Tensor, type Tensor1D, type Tensor3D, type Tensor4D } from '../../../core/tf.js';
import { extractPatches, type ConvGeometry } from '../patches.js';
import type { LayerLike, WeightLike } from '../types.js';
import { applyActivation, ghostOuterNorms, pair, scaleRows, squaredNormsPerExample, weightField } from './common.js';
import type { LayerCall, LayerRule } from './rule.js';

/** The geometry of a Conv2D or DepthwiseConv2D layer, or why it is not supported. */
export function convGeometry(layer: LayerLike): ConvGeometry | string {
  const config = layer.getConfig();
  if (config.dataFormat !== undefined && config.dataFormat !== 'channelsLast') return "dataFormat 'channelsFirst' is not supported (use channelsLast, NHWC)";
  if (config.padding !== 'valid' && config.padding !== 'same') return `padding '${String(config.padding)}' is not supported (use 'valid' or 'same')`;
  return {
    kernelSize: pair(config.kernelSize),
    strides: pair(config.strides ?? 1),
    dilation: pair(config.dilationRate ?? 1),
    padding: config.padding,
  };
}

function geometry(layer: LayerLike): ConvGeometry {
  return convGeometry(layer) as ConvGeometry;
}

function kernelOf(layer: LayerLike): WeightLike {
  return weightField(layer, 'kernel') as WeightLike;
}

export const conv2dRule: LayerRule = {
  check(layer) {
    const g = convGeometry(layer);
    if (typeof g === 'string') return g;
    // tfjs cannot differentiate dilated convolutions, so their per-example gradients could not be
    // checked against its autodiff (checkPerExampleGradients): refuse rather than trust unverified math.
    if (g.dilation[0] > 1 || g.dilation[1] > 1) return 'dilationRate > 1 is not supported (use dilationRate 1)';
    return undefined;
  },
  weights(layer) {
    const bias = weightField(layer, 'bias');
    return bias === undefined ? [kernelOf(layer)] : [kernelOf(layer), bias];
  },
  preActivation(layer, input) {
    const g = geometry(layer);
    const z = conv2d(input as Tensor4D, kernelOf(layer).read() as Tensor4D, [...g.strides], g.padding, 'NHWC', [...g.dilation]);
    const bias = weightField(layer, 'bias');
    return bias === undefined ? z : add(z, bias.read());
  },
  activate: applyActivation,
  perExample(layer, call) {
    const { p, g } = patchesAndGrads(layer, call);
    const kernel = kernelOf(layer);
    const out: Tensor[] = [reshape(matMul(p, g, true, false), [p.shape[0], ...kernel.shape])];
    if (weightField(layer, 'bias') !== undefined) out.push(sum(g, 1));
    return out;
  },
  ghostSquaredNorms(layer, call) {
    const { p, g } = patchesAndGrads(layer, call);
    const kernelNorms = ghostOuterNorms(p, g);
    if (kernelNorms === undefined) return undefined;
    if (weightField(layer, 'bias') === undefined) return kernelNorms;
    return add(kernelNorms, squaredNormsPerExample(sum(g, 1))) as Tensor1D;
  },
  weightedSum(layer, call, c) {
    const { p, g } = patchesAndGrads(layer, call);
    const gc = scaleRows(g, c);
    const kernel = kernelOf(layer);
    const flatP = reshape(p, [-1, p.shape[2]]);
    const flatG = reshape(gc, [-1, g.shape[2]]);
    const out: Tensor[] = [reshape(matMul(flatP, flatG, true, false), [...kernel.shape])];
    if (weightField(layer, 'bias') !== undefined) out.push(sum(gc, [0, 1]));
    return out;
  },
};

function patchesAndGrads(layer: LayerLike, call: LayerCall): { p: Tensor3D; g: Tensor3D } {
  const patches = extractPatches(call.input as Tensor4D, geometry(layer));
  const [batch, , , k] = patches.shape;
  const filters = call.outputGrad.shape[3] as number;
  return { p: reshape(patches, [batch, -1, k]) as Tensor3D, g: reshape(call.outputGrad, [batch, -1, filters]) as Tensor3D };
}

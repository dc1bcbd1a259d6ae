/**
 * Per-example gradients of `Conv1D` (`[batch, steps, channels]`) from im2col patches of the input
 * viewed as an image of height 1 (internal). The math is Conv2D's with a `[1, k]` kernel.
 */
import { add, conv1d, matMul, reshape, sum, type Tensor, type Tensor3D, type Tensor4D } from '../../../core/tf.js';
import { extractPatches, patchRows, type ConvGeometry } from '../patches.js';
import type { LayerLike, WeightLike } from '../types.js';
import { applyActivation, ghostOuterNormsApply, patchGhostNorms, patchWeightedSum, weightField } from './common.js';
import type { LayerCall, LayerRule } from './rule.js';

/** A config entry given as `3` or `[3]`. */
function single(value: unknown): number {
  return typeof value === 'number' ? value : ((value as number[])[0] as number);
}

/** The geometry of a Conv1D layer as a height-1 Conv2D, or why it is not supported. */
export function conv1dGeometry(layer: LayerLike): ConvGeometry | string {
  // Conv1D leaves dataFormat out of its config; tfjs-layers transposes a channelsFirst input but
  // not its output, so only channelsLast describes the network tfjs runs.
  if (layer.dataFormat !== undefined && layer.dataFormat !== 'channelsLast') return "dataFormat 'channelsFirst' is not supported (use channelsLast, [batch, steps, channels])";
  const config = layer.getConfig();
  if (config.padding === 'causal') {
    return "padding 'causal' is not supported: tfjs-layers' own Conv1D throws for it (tfjs 4.22), so the model could not run outside the engine (pad the sequences on the left before the model and use 'valid')";
  }
  if (config.padding !== 'valid' && config.padding !== 'same') return `padding '${String(config.padding)}' is not supported (use 'valid' or 'same')`;
  const strides = single(config.strides ?? 1);
  const dilation = single(config.dilationRate ?? 1);
  // tfjs's conv2d (which conv1d calls) refuses this combination itself.
  if (strides > 1 && dilation > 1) return 'strides > 1 together with dilationRate > 1 is not supported (tfjs convolutions need one of them to be 1)';
  return { kernelSize: [1, single(config.kernelSize)], strides: [1, strides], dilation: [1, dilation], padding: config.padding };
}

function geometry(layer: LayerLike): ConvGeometry {
  return conv1dGeometry(layer) as ConvGeometry;
}

function kernelOf(layer: LayerLike): WeightLike {
  return weightField(layer, 'kernel') as WeightLike;
}

/**
 * Patches `[B, steps', k * C]` (index `j * C + c`, the order of a `[k, C, F]` kernel) of `x`
 * `[B, steps, C]`; `differentiable` picks slices (a forward pass) over the faster patchRows.
 */
export function extractPatches1d(x: Tensor3D, g: ConvGeometry, differentiable: boolean): Tensor3D {
  const [batch, steps, channels] = x.shape;
  const image = reshape(x, [batch, 1, steps, channels]) as Tensor4D;
  const patches = differentiable ? extractPatches(image, g) : patchRows(image, g);
  return reshape(patches, [batch, patches.shape[2], patches.shape[3]]) as Tensor3D;
}

/** The rule of tfjs-layers' `Conv1D`. */
export const conv1dRule: LayerRule = {
  check(layer) {
    const g = conv1dGeometry(layer);
    return typeof g === 'string' ? g : undefined;
  },
  weights(layer) {
    const bias = weightField(layer, 'bias');
    return bias === undefined ? [kernelOf(layer)] : [kernelOf(layer), bias];
  },
  preActivation(layer, input) {
    const g = geometry(layer);
    const kernel = kernelOf(layer).read();
    // Dilated: patches, because tfjs has no gradient for dilated convolutions and the engine
    // differentiates this forward pass with respect to the layer's input.
    const z =
      g.dilation[1] === 1
        ? conv1d(input as Tensor3D, kernel as Tensor3D, g.strides[1], g.padding, 'NWC', 1)
        : matMul(extractPatches1d(input as Tensor3D, g, true), reshape(kernel, [-1, kernel.shape[2] as number]));
    const bias = weightField(layer, 'bias');
    return bias === undefined ? z : add(z, bias.read());
  },
  activate: applyActivation,
  perExample(layer, call) {
    const { p, g } = patchesAndGrads(layer, call);
    const out: Tensor[] = [reshape(matMul(p, g, true, false), [p.shape[0], ...kernelOf(layer).shape])];
    if (weightField(layer, 'bias') !== undefined) out.push(sum(g, 1));
    return out;
  },
  ghostSquaredNorms(layer, call) {
    // Decided from the shapes, so patches are not built only to be dropped for the materialised form.
    const [kernelSize, channels, filters] = kernelOf(layer).shape as [number, number, number];
    if (!ghostOuterNormsApply(call.outputGrad.shape[1] as number, kernelSize * channels, filters)) return undefined;
    const { p, g } = patchesAndGrads(layer, call);
    return patchGhostNorms(p, g, weightField(layer, 'bias') !== undefined);
  },
  weightedSum(layer, call, c) {
    const { p, g } = patchesAndGrads(layer, call);
    const s = patchWeightedSum(p, g, c, weightField(layer, 'bias') !== undefined);
    return s.bias === undefined ? [reshape(s.kernel, [...kernelOf(layer).shape])] : [reshape(s.kernel, [...kernelOf(layer).shape]), s.bias];
  },
};

function patchesAndGrads(layer: LayerLike, call: LayerCall): { p: Tensor3D; g: Tensor3D } {
  return { p: extractPatches1d(call.input as Tensor3D, geometry(layer), false), g: call.outputGrad as Tensor3D };
}

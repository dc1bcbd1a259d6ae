/** Per-example gradients of `Conv2D` (NHWC) from im2col patches and output gradients (internal). */
import { add, conv2d, customGrad, matMul, reshape, reverse, sum, transpose, type Tensor, type Tensor3D, type Tensor4D } from '../../../core/tf.js';
import { channelMajorPatches, outputSize, type ConvGeometry } from '../patches.js';
import type { LayerLike, WeightLike } from '../types.js';
import { applyActivation, ghostOuterNormsApply, pair, patchGhostNorms, patchWeightedSum, weightField } from './common.js';
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
    const z = convolve(input as Tensor4D, kernelOf(layer).read() as Tensor4D, geometry(layer));
    const bias = weightField(layer, 'bias');
    return bias === undefined ? z : add(z, bias.read());
  },
  activate: applyActivation,
  perExample(layer, call) {
    const { p, g } = patchesAndGrads(layer, call);
    const out: Tensor[] = [toKernelLayout(matMul(p, g, true, false), kernelOf(layer).shape)];
    if (weightField(layer, 'bias') !== undefined) out.push(sum(g, 1));
    return out;
  },
  ghostSquaredNorms(layer, call) {
    // Decided from the shapes, so patches are not built only to be dropped for the materialised form.
    const [, rows, cols, filters] = call.outputGrad.shape as number[];
    const [kh, kw] = geometry(layer).kernelSize;
    if (!ghostOuterNormsApply(rows! * cols!, kh * kw * (call.input.shape[3] as number), filters!)) return undefined;
    const { p, g } = patchesAndGrads(layer, call);
    return patchGhostNorms(p, g, weightField(layer, 'bias') !== undefined);
  },
  weightedSum(layer, call, c) {
    const { p, g } = patchesAndGrads(layer, call);
    const s = patchWeightedSum(p, g, c, weightField(layer, 'bias') !== undefined);
    return s.bias === undefined ? [reshape(toKernelLayout(reshape(s.kernel, [1, p.shape[2], g.shape[2]]), kernelOf(layer).shape), [...kernelOf(layer).shape])] : [reshape(toKernelLayout(reshape(s.kernel, [1, p.shape[2], g.shape[2]]), kernelOf(layer).shape), [...kernelOf(layer).shape]), s.bias];
  },
};

/**
 * `conv2d(x, kernel)`, differentiable with respect to `x` only (the engine differentiates its
 * probes, never the kernel). For stride 1 and dilation 1 the input gradient is a forward
 * convolution of the output gradient with the flipped, transposed kernel: the wasm backend runs
 * that through XNNPACK, ten times faster than its `Conv2DBackpropInput` on the digits CNN.
 */
function convolve(x: Tensor4D, kernel: Tensor4D, g: ConvGeometry): Tensor4D {
  const unit = g.strides[0] === 1 && g.strides[1] === 1 && g.dilation[0] === 1 && g.dilation[1] === 1;
  if (!unit) return conv2d(x, kernel, [...g.strides], g.padding, 'NHWC', [...g.dilation]);
  const [, height, width] = x.shape;
  const [kh, kw] = g.kernelSize;
  const rows = outputSize(height, kh, 1, 1, g.padding);
  const cols = outputSize(width, kw, 1, 1, g.padding);
  const forward = customGrad(((input: Tensor4D) => ({
    value: conv2d(input, kernel, 1, g.padding),
    gradFunc: (dy: Tensor) => {
      const flipped = transpose(reverse(kernel, [0, 1]), [0, 1, 3, 2]) as Tensor4D;
      // Correlating dy with the flipped kernel: kh - 1 - before rows of zeros before, the rest after.
      const top = kh - 1 - rows.before;
      const left = kw - 1 - cols.before;
      const padding = [[0, 0], [top, height - rows.out + kh - 1 - top], [left, width - cols.out + kw - 1 - left], [0, 0]] as [[number, number], [number, number], [number, number], [number, number]];
      return conv2d(dy as Tensor4D, flipped, 1, padding);
    },
  })) as unknown as Parameters<typeof customGrad>[0]);
  return forward(x) as Tensor4D;
}

/**
 * `[n, C * kh * kw, F]` products of channel-major patches and output gradients as `[n, kh, kw, C, F]`
 * kernels: a transpose of the (small) result instead of the (positions times larger) patches.
 */
function toKernelLayout(t: Tensor, kernelShape: readonly number[]): Tensor {
  const [kh, kw, channels, filters] = kernelShape as [number, number, number, number];
  const n = t.shape[0] as number;
  if (channels === 1 || kh * kw === 1) return reshape(t, [n, kh, kw, channels, filters]);
  return reshape(transpose(reshape(t, [n, channels, kh * kw, filters]), [0, 2, 1, 3]), [n, kh, kw, channels, filters]);
}

/** Channel-major patches `[B, positions, C * kh * kw]` (norms do not depend on column order) and output gradients `[B, positions, F]`. */
function patchesAndGrads(layer: LayerLike, call: LayerCall): { p: Tensor3D; g: Tensor3D } {
  const patches = channelMajorPatches(call.input as Tensor4D, geometry(layer));
  const [batch, , , k] = patches.shape;
  const filters = call.outputGrad.shape[3] as number;
  return { p: reshape(patches, [batch, -1, k]) as Tensor3D, g: reshape(call.outputGrad, [batch, -1, filters]) as Tensor3D };
}

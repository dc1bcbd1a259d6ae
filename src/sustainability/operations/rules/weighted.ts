/**
 * Rules for the layers whose kernels multiply their inputs: Dense, Conv1D, Conv2D, DepthwiseConv2D
 * and SeparableConv2D. Every kernel entry is used once per output position ("mult-adds", Howard et
 * al. 2017, arXiv 1704.04861, section 3.2), so a kernel's MACs are its size times the number of
 * positions it slides over; positions are the output elements divided by the output channels the
 * kernel produces, which holds for channelsLast and channelsFirst alike.
 */
import { activationFlopsPerElement } from '../conventions.js';
import type { Layer } from '../layerCalls.js';
import { elements, type CountRule, type RuleCounts } from './types.js';

/** The weight of `layer` whose name ends in `/suffix` (tfjs names them `layer/kernel`, `layer/bias`...). */
export function weightNamed(layer: Layer, suffix: string): Layer['weights'][number] | undefined {
  return layer.weights.find((w) => w.originalName.endsWith(`/${suffix}`));
}

function kernelShape(layer: Layer, suffix: string): number[] {
  const w = weightNamed(layer, suffix);
  if (w === undefined) throw new Error(`countOperations: layer ${layer.name} has no '${suffix}' weight`);
  return w.shape as number[];
}

/** Bias adds (1 per output element) and the fused activation's FLOPs. */
function epilogue(layer: Layer, outputElements: number): number {
  const bias = weightNamed(layer, 'bias') === undefined ? 0 : outputElements;
  return bias + activationFlopsPerElement(layer.getConfig().activation) * outputElements;
}

/**
 * Dense ([in, units]) and ConvND ([k..., in, filters]) kernels: the last kernel dimension is the
 * output channels, so positions = output elements / channels (for Dense on rank-2 input, 1).
 */
export const kernelLayer: CountRule = (layer, { output }) => {
  const kernel = kernelShape(layer, 'kernel');
  const out = elements(output);
  const positions = out / (kernel[kernel.length - 1] as number);
  return { macs: positions * elements(kernel), otherFlops: epilogue(layer, out), lookups: 0, sparse: [{ weight: 'kernel', positions }] };
};

/** DepthwiseConv2D, kernel [kh, kw, in, depthMultiplier]: in × depthMultiplier output channels. */
export const depthwiseLayer: CountRule = (layer, { output }) => {
  const kernel = kernelShape(layer, 'depthwise_kernel');
  const out = elements(output);
  const positions = out / ((kernel[2] as number) * (kernel[3] as number));
  return { macs: positions * elements(kernel), otherFlops: epilogue(layer, out), lookups: 0, sparse: [{ weight: 'depthwise_kernel', positions }] };
};

/**
 * SeparableConv2D: a depthwise kernel [kh, kw, in, dm] then a pointwise kernel [1, 1, in·dm,
 * filters], both at every output position (the depthwise output has the same spatial size).
 */
export const separableLayer: CountRule = (layer, { output }): RuleCounts => {
  const depthwise = kernelShape(layer, 'depthwise_kernel');
  const pointwise = kernelShape(layer, 'pointwise_kernel');
  const out = elements(output);
  const positions = out / (pointwise[3] as number);
  return {
    macs: positions * (elements(depthwise) + elements(pointwise)),
    otherFlops: epilogue(layer, out),
    lookups: 0,
    sparse: [{ weight: 'depthwise_kernel', positions }, { weight: 'pointwise_kernel', positions }],
  };
};

/**
 * Rules for layers without kernels: pooling, normalization, activation layers, merges, Embedding
 * and the layers that only move data. What each is charged is stated in COUNTING_CONVENTIONS.
 */
import { activationFlopsPerElement } from '../conventions.js';
import { elements, flopsOnly, type CountRule } from './types.js';

function poolWindow(poolSize: unknown): number {
  return Array.isArray(poolSize) ? elements(poolSize as number[]) : (poolSize as number);
}

/** MaxPooling1D/2D: window − 1 comparisons per output element. */
export const maxPooling: CountRule = (layer, { output }) => flopsOnly((poolWindow(layer.getConfig().poolSize) - 1) * elements(output));

/** AveragePooling1D/2D: window − 1 adds and 1 multiply per output element. */
export const averagePooling: CountRule = (layer, { output }) => flopsOnly(poolWindow(layer.getConfig().poolSize) * elements(output));

/** Global max pooling: the window is every position of a channel (input elements / output elements). */
export const globalMaxPooling: CountRule = (_layer, { inputs, output }) => {
  const out = elements(output);
  return flopsOnly((elements(inputs[0] as number[]) / out - 1) * out);
};

/** Global average pooling: window adds-and-multiply per output element, window = positions per channel. */
export const globalAveragePooling: CountRule = (_layer, { inputs }) => flopsOnly(elements(inputs[0] as number[]));

/** BatchNormalization at inference, folded to x·a + b: 2 FLOPs per element. */
export const batchNormalization: CountRule = (_layer, { output }) => flopsOnly(2 * elements(output));

/** LayerNormalization: 8 FLOPs per element (mean 1, variance 3, normalize 2, scale and shift 2). */
export const layerNormalization: CountRule = (_layer, { output }) => flopsOnly(8 * elements(output));

/** The Activation layer: its function's per-element charge. */
export const activationLayer: CountRule = (layer, { output }) => flopsOnly(activationFlopsPerElement(layer.getConfig().activation) * elements(output));

/** ReLU, LeakyReLU, PReLU, ELU, ThresholdedReLU, Softmax layers: 1 FLOP per element. */
export const nonLinearLayer: CountRule = (_layer, { output }) => flopsOnly(elements(output));

/** Add, Multiply, Maximum, Minimum of n inputs: n − 1 FLOPs per output element. */
export const reduceMerge: CountRule = (_layer, { inputs, output }) => flopsOnly((inputs.length - 1) * elements(output));

/** Average of n inputs: n − 1 adds and 1 multiply per output element. */
export const averageMerge: CountRule = (_layer, { inputs, output }) => flopsOnly(inputs.length * elements(output));

/** Embedding: one lookup per input index, no arithmetic. */
export const embedding: CountRule = (_layer, { inputs }) => flopsOnly(0, elements(inputs[0] as number[]));

/** Layers that only move or pass data at inference. */
export const free: CountRule = () => flopsOnly(0);

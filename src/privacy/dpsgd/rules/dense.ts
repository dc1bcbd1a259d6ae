/** Per-example gradients of `Dense`: outer products of inputs and output gradients (internal). */
import { add, matMul, reshape, sum, transpose, type Tensor, type Tensor1D } from '../../../core/tf.js';
import type { LayerLike, WeightLike } from '../types.js';
import { applyActivation, ghostOuterNorms, scaleRows, squaredNormsPerExample, toBatchPositions, weightField } from './common.js';
import type { LayerCall, LayerRule } from './rule.js';

function kernelOf(layer: LayerLike): WeightLike {
  return weightField(layer, 'kernel') as WeightLike;
}

export const denseRule: LayerRule = {
  check: () => undefined,
  weights(layer) {
    const bias = weightField(layer, 'bias');
    return bias === undefined ? [kernelOf(layer)] : [kernelOf(layer), bias];
  },
  preActivation(layer, input) {
    const kernel = kernelOf(layer).read();
    const [inputs, units] = kernel.shape as [number, number];
    const z = matMul(reshape(input, [-1, inputs]), kernel);
    const bias = weightField(layer, 'bias');
    const withBias = bias === undefined ? z : add(z, bias.read());
    return reshape(withBias, [...input.shape.slice(0, -1), units]);
  },
  activate: applyActivation,
  perExample(layer, call) {
    const { a, g } = positions(layer, call);
    const out: Tensor[] = [matMul(a, g, true, false)];
    if (weightField(layer, 'bias') !== undefined) out.push(sum(g, 1));
    return out;
  },
  ghostSquaredNorms(layer, call) {
    const { a, g } = positions(layer, call);
    const kernelNorms = ghostOuterNorms(a, g);
    if (kernelNorms === undefined) return undefined;
    if (weightField(layer, 'bias') === undefined) return kernelNorms;
    return add(kernelNorms, squaredNormsPerExample(sum(g, 1))) as Tensor1D;
  },
  weightedSum(layer, call, c) {
    const { a, g } = positions(layer, call);
    const [inputs, units] = kernelOf(layer).shape as [number, number];
    const gc = scaleRows(g, c);
    // An explicit transpose, not matMul's transposeA: the wasm backend's matMul reads a transposed
    // left operand column by column, 10x slower for a [256, 784] input (tfjs 4.22); cpu is unaffected.
    const out: Tensor[] = [matMul(transpose(reshape(a, [-1, inputs])), reshape(gc, [-1, units]))];
    if (weightField(layer, 'bias') !== undefined) out.push(sum(gc, [0, 1]));
    return out;
  },
};

function positions(layer: LayerLike, call: LayerCall): { a: ReturnType<typeof toBatchPositions>; g: ReturnType<typeof toBatchPositions> } {
  const [inputs, units] = kernelOf(layer).shape as [number, number];
  return { a: toBatchPositions(call.input, inputs), g: toBatchPositions(call.outputGrad, units) };
}

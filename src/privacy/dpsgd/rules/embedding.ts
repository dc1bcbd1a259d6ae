/** Per-example gradients of `Embedding`: output gradients scattered to the looked-up rows (internal). */
import { cast, equal, gather, matMul, mul, oneHot, reshape, sum, type Tensor, type Tensor1D, type Tensor2D } from '../../../core/tf.js';
import type { LayerLike, WeightLike } from '../types.js';
import { scaleRows, weightField } from './common.js';
import type { LayerCall, LayerRule } from './rule.js';

function tableOf(layer: LayerLike): WeightLike {
  return weightField(layer, 'embeddings') as WeightLike;
}

/** Indices as `[B, T]` int32, one-hot rows `[B, T, V]` and gradients `[B, T, D]`. */
function parts(layer: LayerLike, call: LayerCall): { ids: Tensor2D; hot: Tensor; g: Tensor } {
  const [vocab, dim] = tableOf(layer).shape as [number, number];
  const batch = call.input.shape[0] as number;
  const ids = reshape(cast(call.input, 'int32'), [batch, -1]) as Tensor2D;
  return { ids, hot: cast(oneHot(ids, vocab), 'float32'), g: reshape(call.outputGrad, [batch, -1, dim]) };
}

export const embeddingRule: LayerRule = {
  check: (layer) => (layer.getConfig().maskZero === true ? 'maskZero is not supported' : undefined),
  weights: (layer) => [tableOf(layer)],
  preActivation(layer, input) {
    const table = tableOf(layer).read();
    const ids = cast(input, 'int32');
    const rows = gather(table, reshape(ids, [-1]));
    return reshape(rows, [...input.shape, table.shape[1] as number]);
  },
  activate: (_layer, z) => z,
  perExample(layer, call) {
    const { hot, g } = parts(layer, call);
    return [matMul(hot, g, true, false)];
  },
  ghostSquaredNorms(layer, call) {
    const { ids, g } = parts(layer, call);
    const positions = ids.shape[1];
    const [vocab, dim] = tableOf(layer).shape as [number, number];
    if (positions * positions >= vocab * dim) return undefined;
    const same = cast(equal(reshape(ids, [ids.shape[0], positions, 1]), reshape(ids, [ids.shape[0], 1, positions])), 'float32');
    return sum(mul(same, matMul(g, g, false, true)), [1, 2]) as Tensor1D;
  },
  weightedSum(layer, call, c) {
    const { hot, g } = parts(layer, call);
    const [vocab, dim] = tableOf(layer).shape as [number, number];
    const gc = scaleRows(g, c);
    const out: Tensor = matMul(reshape(hot, [-1, vocab]), reshape(gc, [-1, dim]), true, false);
    return [out];
  },
};

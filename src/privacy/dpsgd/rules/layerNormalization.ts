/** Per-example gradients of `LayerNormalization` (gamma and beta) from the normalised input (internal). */
import { add, moments, mul, reshape, rsqrt, sub, sum, type Tensor } from '../../../core/tf.js';
import type { LayerLike, WeightLike } from '../types.js';
import { scaleRows, weightField } from './common.js';
import type { LayerCall, LayerRule } from './rule.js';

function axes(layer: LayerLike, rank: number): number[] {
  const raw = layer.getConfig().axis as number | number[];
  return (Array.isArray(raw) ? raw : [raw]).map((a) => (a < 0 ? a + rank : a));
}

/** The normalised input and the shape that gamma and beta broadcast to. */
function normalise(layer: LayerLike, x: Tensor): { xhat: Tensor; broadcast: number[] } {
  const ax = axes(layer, x.rank);
  const epsilon = layer.getConfig().epsilon as number;
  const { mean, variance } = moments(x, ax, true);
  const xhat = mul(sub(x, mean), rsqrt(add(variance, epsilon)));
  const broadcast = x.shape.map((d, i) => (ax.includes(i) ? (d as number) : 1));
  return { xhat, broadcast };
}

/** Sums a `[B, ...]` tensor over the axes gamma does not span, keeping batch: `[B, ...paramShape]`. */
function reduceToParam(layer: LayerLike, t: Tensor): Tensor {
  const ax = axes(layer, t.rank);
  const other = t.shape.map((_, i) => i).filter((i) => i > 0 && !ax.includes(i));
  const reduced = other.length === 0 ? t : sum(t, other, true);
  return reshape(reduced, [t.shape[0] as number, ...ax.map((i) => t.shape[i] as number)]);
}

function weightsOf(layer: LayerLike): { gamma?: WeightLike; beta?: WeightLike } {
  const gamma = weightField(layer, 'gamma');
  const beta = weightField(layer, 'beta');
  return { ...(gamma !== undefined ? { gamma } : {}), ...(beta !== undefined ? { beta } : {}) };
}

function perExample(layer: LayerLike, call: LayerCall): Tensor[] {
  const { gamma, beta } = weightsOf(layer);
  const out: Tensor[] = [];
  if (gamma !== undefined) {
    const { xhat } = normalise(layer, call.input);
    out.push(reshape(reduceToParam(layer, mul(call.outputGrad, xhat)), [call.input.shape[0] as number, ...gamma.shape]));
  }
  if (beta !== undefined) out.push(reshape(reduceToParam(layer, call.outputGrad), [call.input.shape[0] as number, ...beta.shape]));
  return out;
}

export const layerNormalizationRule: LayerRule = {
  check: () => undefined,
  weights(layer) {
    const { gamma, beta } = weightsOf(layer);
    return [gamma, beta].filter((w): w is WeightLike => w !== undefined);
  },
  preActivation(layer, input) {
    const { gamma, beta } = weightsOf(layer);
    const { xhat, broadcast } = normalise(layer, input);
    const scaled = gamma === undefined ? xhat : mul(xhat, reshape(gamma.read(), broadcast));
    return beta === undefined ? scaled : add(scaled, reshape(beta.read(), broadcast));
  },
  activate: (_layer, z) => z,
  perExample,
  ghostSquaredNorms: () => undefined,
  weightedSum(layer, call, c) {
    return perExample(layer, call).map((t) => sum(scaleRows(t, c), 0));
  },
};

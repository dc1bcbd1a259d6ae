/** Baselines of attribution methods, validated and shaped like the batch (internal). */
import { isTensor } from '../core/labels.js';
import { assertFiniteTensor, tensorArgument } from '../core/tensorArgument.js';
import { broadcastTo, expandDims, fill, type Tensor } from '../core/tf.js';
import { invalid } from '../core/validate.js';

/**
 * A baseline: a number used for every element, one example's tensor (the non-batch shape of the
 * input) used for every example, or a tensor of the input's shape with one baseline per example.
 */
export type Baseline = number | Tensor;

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * The baseline of every example, a tensor of `x`'s shape the caller owns. Default 0. Refuses a
 * non-finite number, a tensor of another shape and non-finite tensor values.
 */
export async function baselineLike(fn: string, argument: string, baseline: unknown, x: Tensor): Promise<Tensor> {
  if (baseline === undefined) return fill(x.shape, 0, 'float32');
  if (typeof baseline === 'number') {
    if (!Number.isFinite(baseline)) invalid(fn, argument, baseline, 'a finite number or a tensor');
    return fill(x.shape, baseline, 'float32');
  }
  if (!isTensor(baseline)) return invalid(fn, argument, baseline, `a number or a tensor of shape ${shapeText(x.shape.slice(1))} or ${shapeText(x.shape)}`);
  const b = tensorArgument(fn, argument, baseline);
  const one = x.shape.slice(1);
  const sameAsOne = b.rank === one.length && b.shape.every((d, i) => d === one[i]);
  const sameAsBatch = b.rank === x.rank && b.shape.every((d, i) => d === x.shape[i]);
  if (!sameAsOne && !sameAsBatch) {
    invalid(fn, argument, `a tensor of shape ${shapeText(b.shape)}`, `a number or a tensor of shape ${shapeText(one)} (one baseline) or ${shapeText(x.shape)} (one per example)`);
  }
  if (b.dtype !== 'float32') invalid(fn, argument, b, 'a float32 tensor');
  await assertFiniteTensor(fn, argument, b);
  if (sameAsBatch) return b.clone();
  const expanded = expandDims(b, 0);
  const out = broadcastTo(expanded, x.shape);
  expanded.dispose();
  return out;
}

/**
 * A set of baselines for the SHAP methods, `[baselines, ...features]`, validated against `x`
 * (a caller's tensor, returned as it is: the caller keeps ownership).
 */
export async function baselineSet(fn: string, argument: string, baselines: unknown, x: Tensor): Promise<Tensor> {
  const one = x.shape.slice(1);
  const allowed = `a tensor of shape [baselines, ${one.join(', ')}] (at least one baseline)`;
  if (!isTensor(baselines)) return invalid(fn, argument, baselines, allowed);
  const b = tensorArgument(fn, argument, baselines);
  if (b.rank !== x.rank || b.shape[0] === 0 || !b.shape.slice(1).every((d, i) => d === one[i])) {
    invalid(fn, argument, `a tensor of shape ${shapeText(b.shape)}`, allowed);
  }
  if (b.dtype !== 'float32') invalid(fn, argument, b, 'a float32 tensor');
  await assertFiniteTensor(fn, argument, b);
  return b;
}

/** Target classes of an explanation and the differentiable selection of the target output (internal). */
import { isTensor } from '../core/labels.js';
import { isSingleUnit, predictedClasses, type OutputKind } from '../core/outputs/index.js';
import { tensorArgument } from '../core/tensorArgument.js';
import { cast, equal, mul, neg, oneHot, reshape, sub, sum, tidy, where, type Tensor, type Tensor1D } from '../core/tf.js';
import { invalid } from '../core/validate.js';
import type { Target } from './types.js';

/**
 * Number of classes of a `[batch, units]` output: the units, or 2 for a single-unit binary model.
 * Refuses outputs that are not one row of scores per example.
 */
export function classCount(fn: string, outputs: Tensor): number {
  if (outputs.rank !== 2) invalid(fn, 'model', `output of shape [${outputs.shape.join(', ')}]`, 'a model returning [batch, classes]');
  const units = outputs.shape[1] as number;
  return units === 1 ? 2 : units;
}

/**
 * The target class of every example as a JS array, validated: `'predicted'` is read off `outputs`
 * (the model's outputs on the clean batch); indices must be integers in `[0, classes)`, one per
 * example.
 */
export async function resolveTargets(fn: string, target: Target | undefined, outputs: Tensor, kind: OutputKind): Promise<Int32Array> {
  const batch = outputs.shape[0] as number;
  const classes = classCount(fn, outputs);
  if (target === undefined || target === 'predicted') {
    const predicted = tidy(() => predictedClasses(outputs, kind));
    const values = await predicted.data();
    predicted.dispose();
    return Int32Array.from(values as ArrayLike<number>);
  }
  let values: ArrayLike<number>;
  if (isTensor(target)) {
    const t = tensorArgument(fn, 'options.target', target);
    if (t.rank !== 1) invalid(fn, 'options.target', t, `'predicted' or one class index per example (a [${batch}] tensor)`);
    values = (await t.data()) as ArrayLike<number>;
  } else if (Array.isArray(target) || ArrayBuffer.isView(target)) {
    values = target as ArrayLike<number>;
  } else {
    return invalid(fn, 'options.target', target, `'predicted' or one class index per example (an array or [batch] tensor)`);
  }
  if (values.length !== batch) invalid(fn, 'options.target', `${values.length} class indices`, `one class index per example (${batch})`);
  const out = new Int32Array(batch);
  for (let i = 0; i < batch; i++) {
    const v = values[i] as number;
    if (!(Number.isInteger(v) && v >= 0 && v < classes)) invalid(fn, `options.target[${i}]`, v, `an integer class index in [0, ${classes})`);
    out[i] = v;
  }
  return out;
}

/**
 * The target output of every row, `[rows]`, differentiable (call inside a gradient or `tidy`).
 * `targets` is an int32 `[rows]` tensor. One unit: class 1 is the unit, class 0 is `-z` for
 * logits and `1 - p` for probabilities.
 */
export function selectTargetOutputs(outputs: Tensor, targets: Tensor1D, kind: OutputKind): Tensor1D {
  if (isSingleUnit(outputs)) {
    const unit = reshape(outputs, [-1]) as Tensor1D;
    const classZero = kind === 'logits' ? neg(unit) : sub(1, unit);
    return where(equal(targets, 1), unit, classZero) as Tensor1D;
  }
  const mask = oneHot(targets, outputs.shape[1] as number);
  return sum(mul(outputs, cast(mask, outputs.dtype)), 1) as Tensor1D;
}

/** Predicted classes and positive-class scores from model outputs (internal; call inside `tidy`). */
import {
  argMax, cast, div, greater, oneHot, reshape, scalar, sigmoid, slice, softmax, squeeze, type Tensor, type Tensor1D, type Tensor2D,
} from '../tf.js';
import { invalid } from '../validate.js';
import { isSingleUnit, type OutputKind } from './logProbabilities.js';

/**
 * Predicted class per example, int32 `[batch]`: the arg-max over several units; for one unit,
 * class 1 when the logit is above 0 (the probability above 0.5), as the arg-max of `[0, z]`.
 */
export function predictedClasses(outputs: Tensor, kind: OutputKind): Tensor1D {
  if (isSingleUnit(outputs)) return cast(reshape(greater(outputs, kind === 'logits' ? 0 : 0.5), [-1]), 'int32') as Tensor1D;
  return argMax(outputs, -1) as Tensor1D;
}

/** Class per example, int32 `[batch]`, of labels shaped like the outputs (one-hot rows or a 0/1 column). */
export function labelClasses(labels: Tensor): Tensor1D {
  if (isSingleUnit(labels)) return cast(reshape(greater(labels, 0.5), [-1]), 'int32') as Tensor1D;
  return argMax(labels, -1) as Tensor1D;
}

/** The model's predictions as float32 labels shaped like its outputs: one-hot rows, or a 0/1 column. */
export function predictedLabels(outputs: Tensor2D, kind: OutputKind): Tensor2D {
  if (isSingleUnit(outputs)) return cast(greater(outputs, kind === 'logits' ? 0 : 0.5), 'float32') as Tensor2D;
  return cast(oneHot(argMax(outputs, 1), outputs.shape[1]), 'float32') as Tensor2D;
}

/**
 * Probability of the positive class `[batch]` of binary logits, for the fairness terms:
 * `sigmoid(z)` for one output unit, `softmax(z)[:, 1]` for two, with the logits divided by
 * `temperature` first.
 */
export function positiveScore(fn: string, logits: Tensor, temperature = 1): Tensor1D {
  if (logits.rank !== 2 || (logits.shape[1] !== 1 && logits.shape[1] !== 2)) {
    invalid(fn, 'model outputs', logits, 'binary logits of shape [batch, 1] or [batch, 2]');
  }
  const z = temperature === 1 ? logits : div(logits, scalar(temperature));
  if (logits.shape[1] === 1) return squeeze(sigmoid(z), [1]) as Tensor1D;
  return squeeze(slice(softmax(z), [0, 1], [-1, 1]), [1]) as Tensor1D;
}

/** Binary labels `[batch]` (1 for the positive class) from labels shaped like binary outputs. */
export function positiveLabels(labels: Tensor): Tensor1D {
  if (labels.shape[1] === 1) return squeeze(labels, [1]) as Tensor1D;
  return squeeze(slice(labels, [0, 1], [-1, 1]), [1]) as Tensor1D;
}

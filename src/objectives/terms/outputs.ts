import { concat, div, logSoftmax, scalar, mul, neg, onesLike, sigmoid, slice, softmax, squeeze, sub, sum, zerosLike, type Tensor, type Tensor1D } from '../../core/tf.js';
import { invalid } from '../../core/validate.js';

/**
 * Log-probabilities `[batch, classes]` of logits: log-softmax, or for a single output unit the
 * two-class log-softmax of `[0, z]` (the sigmoid model), which stays twice differentiable on every
 * backend (internal; call inside `tidy`).
 */
export function logProbabilities(logits: Tensor): Tensor {
  if (logits.rank !== 2) invalid('objectives', 'outputs', logits, 'logits of shape [batch, classes]');
  if (logits.shape[1] === 1) return logSoftmax(concat([zerosLike(logits), logits], 1));
  return logSoftmax(logits);
}

/**
 * Probability of the positive class `[batch]` for binary fairness terms: `sigmoid(z)` for one
 * output unit, `softmax(z)[:, 1]` for two, with logits divided by `temperature` first (internal; call
 * inside `tidy`).
 */
export function positiveScore(fn: string, logits: Tensor, temperature = 1): Tensor1D {
  if (logits.rank !== 2 || (logits.shape[1] !== 1 && logits.shape[1] !== 2)) {
    invalid(fn, 'model outputs', logits, 'binary logits of shape [batch, 1] or [batch, 2]');
  }
  const z = temperature === 1 ? logits : div(logits, scalar(temperature));
  if (logits.shape[1] === 1) return squeeze(sigmoid(z), [1]) as Tensor1D;
  return squeeze(slice(softmax(z), [0, 1], [-1, 1]), [1]) as Tensor1D;
}

/** Binary labels `[batch]` (1 for the positive class) from labels shaped like the outputs (internal). */
export function positiveLabels(labels: Tensor): Tensor1D {
  if (labels.shape[1] === 1) return squeeze(labels, [1]) as Tensor1D;
  return squeeze(slice(labels, [0, 1], [-1, 1]), [1]) as Tensor1D;
}

/** Per-example cross-entropy `[batch]` of logits against labels shaped like them (internal; inside `tidy`). */
export function perExampleCrossEntropy(labels: Tensor, logits: Tensor): Tensor1D {
  const full = labels.shape[1] === 1 ? concat([sub(onesLike(labels), labels), labels], 1) : labels;
  return neg(sum(mul(full, logProbabilities(logits)), 1)) as Tensor1D;
}

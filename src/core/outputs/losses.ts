/** Per-example losses over model outputs (internal; call inside `tidy` or a gradient function). */
import { exp, mul, neg, sub, sum, type Tensor, type Tensor1D } from '../tf.js';
import { logProbabilities, twoClassLabels, type OutputKind } from './logProbabilities.js';

/**
 * Per-example cross-entropy `[batch]`, `-sum_k y_k log p_k`, of log-probabilities against labels
 * shaped like the model's outputs (one-hot or soft rows, or a 0/1 column for a single-unit model).
 */
export function crossEntropyOfLogProbabilities(labels: Tensor, logP: Tensor): Tensor1D {
  return neg(sum(mul(twoClassLabels(labels), logP), -1)) as Tensor1D;
}

/**
 * Per-example cross-entropy `[batch]` of a model's outputs (logits or probabilities, see
 * {@link logProbabilities}) against labels shaped like them: softmax cross-entropy through
 * log-softmax for several units, the binary (sigmoid) cross-entropy for one.
 */
export function perExampleCrossEntropy(labels: Tensor, outputs: Tensor, kind: OutputKind): Tensor1D {
  return crossEntropyOfLogProbabilities(labels, logProbabilities(outputs, kind));
}

/** Per-example KL divergence `KL(p || q)` `[batch]` from log-probabilities `logP` and `logQ` (TRADES). */
export function perExampleKl(logP: Tensor, logQ: Tensor): Tensor1D {
  return sum(mul(exp(logP), sub(logP, logQ)), -1) as Tensor1D;
}

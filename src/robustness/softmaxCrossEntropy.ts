import { perExampleCrossEntropy } from '../core/outputs/index.js';
import { tensorArgument } from '../core/tensorArgument.js';
import { tidy, type Tensor, type Tensor1D } from '../core/tf.js';

export { PROBABILITY_FLOOR } from '../core/outputs/index.js';

/**
 * Per-example softmax cross-entropy `-sum(labels * logSoftmax(logits))`, the default attack loss.
 * It goes through log-softmax, as `torch.nn.CrossEntropyLoss` does: on confident examples the
 * true-class log-probability is exactly 0 in float32, and a gradient formed through a separate
 * softmax and log would be decided by rounding instead. A single output unit is a binary model's
 * logit `z`: the labels are then a `[batch, 1]` column of 0/1 and the loss is the binary
 * (sigmoid) cross-entropy, computed as the softmax cross-entropy of the logits `[0, z]`.
 *
 * @param labels - One-hot (or soft) labels `[batch, classes]`, or a 0/1 column `[batch, 1]`.
 * @param logits - Raw scores `[batch, classes]`, or `[batch, 1]`.
 * @returns A `[batch]` tensor the caller owns.
 * @throws {@link InvalidArgumentError} when either argument is not a tensor or has been disposed
 *   (values are not read: the loss runs inside gradient tapes).
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { softmaxCrossEntropy } from 'responsible-tfjs/robustness';
 * const loss = softmaxCrossEntropy(tf.tensor2d([[0, 1]]), tf.tensor2d([[1, 3]])); // [0.1269]
 * const binary = softmaxCrossEntropy(tf.tensor2d([[1]]), tf.tensor2d([[2]])); // -log(sigmoid(2)) = [0.1269]
 * ```
 */
export function softmaxCrossEntropy(labels: Tensor, logits: Tensor): Tensor1D {
  tensorArgument('softmaxCrossEntropy', 'labels', labels, 'one-hot labels [batch, classes]');
  tensorArgument('softmaxCrossEntropy', 'logits', logits, 'logits [batch, classes]');
  return tidy(() => perExampleCrossEntropy(labels, logits, 'logits'));
}

/**
 * Per-example cross-entropy of probabilities, `-sum(labels * log(max(p, 1e-7)))`: the default
 * attack loss for models whose outputs are probabilities (`modelOutput: 'probabilities'`, or a
 * LayersModel ending in a softmax or, with one unit, a sigmoid). Probabilities below
 * {@link PROBABILITY_FLOOR} are raised to it before the log (and get no gradient there). A single
 * output unit is the probability `p` of class 1 of a binary model: the labels are then a
 * `[batch, 1]` column of 0/1 and the loss the binary cross-entropy over `[1 - p, p]`.
 *
 * @param labels - One-hot labels `[batch, classes]`, or a 0/1 column `[batch, 1]`.
 * @param probabilities - Class probabilities `[batch, classes]`, or `[batch, 1]`.
 * @returns A `[batch]` tensor the caller owns.
 * @throws {@link InvalidArgumentError} when either argument is not a tensor or has been disposed.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { probabilityCrossEntropy } from 'responsible-tfjs/robustness';
 * const loss = probabilityCrossEntropy(tf.tensor2d([[0, 1]]), tf.tensor2d([[0.2, 0.8]])); // [0.2231]
 * ```
 */
export function probabilityCrossEntropy(labels: Tensor, probabilities: Tensor): Tensor1D {
  tensorArgument('probabilityCrossEntropy', 'labels', labels, 'one-hot labels [batch, classes]');
  tensorArgument('probabilityCrossEntropy', 'probabilities', probabilities, 'probabilities [batch, classes]');
  return tidy(() => perExampleCrossEntropy(labels, probabilities, 'probabilities'));
}

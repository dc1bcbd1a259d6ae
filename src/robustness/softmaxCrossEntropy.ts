import { tensorArgument } from '../core/tensorArgument.js';
import { clipByValue, log, logSoftmax, mul, neg, sum, tidy, type Tensor, type Tensor1D } from '../core/tf.js';

/**
 * Per-example softmax cross-entropy `-sum(labels * logSoftmax(logits))`, the default attack loss.
 * It goes through log-softmax, as `torch.nn.CrossEntropyLoss` does: on confident examples the
 * true-class log-probability is exactly 0 in float32, and a gradient formed through a separate
 * softmax and log would be decided by rounding instead.
 *
 * @param labels - One-hot (or soft) labels `[batch, classes]`.
 * @param logits - Raw scores `[batch, classes]`.
 * @returns A `[batch]` tensor the caller owns.
 * @throws {@link InvalidArgumentError} when either argument is not a tensor or has been disposed
 *   (values are not read: the loss runs inside gradient tapes).
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { softmaxCrossEntropy } from 'responsible-tfjs/robustness';
 * const loss = softmaxCrossEntropy(tf.tensor2d([[0, 1]]), tf.tensor2d([[1, 3]])); // [0.1269]
 * ```
 */
export function softmaxCrossEntropy(labels: Tensor, logits: Tensor): Tensor1D {
  tensorArgument('softmaxCrossEntropy', 'labels', labels, 'one-hot labels [batch, classes]');
  tensorArgument('softmaxCrossEntropy', 'logits', logits, 'logits [batch, classes]');
  return tidy(() => neg(sum(mul(labels, logSoftmax(logits)), -1)) as Tensor1D);
}

/**
 * Smallest probability {@link probabilityCrossEntropy} takes the log of, as Keras' categorical
 * cross-entropy does (its `epsilon()`), so that a zero probability gives a finite loss.
 *
 * @example
 * ```ts
 * import { PROBABILITY_FLOOR } from 'responsible-tfjs/robustness';
 * console.log(PROBABILITY_FLOOR); // 1e-7
 * ```
 */
export const PROBABILITY_FLOOR = 1e-7;

/**
 * Per-example cross-entropy of probabilities, `-sum(labels * log(max(p, 1e-7)))`: the default
 * attack loss for models whose outputs are probabilities (`modelOutput: 'probabilities'`).
 * Probabilities below {@link PROBABILITY_FLOOR} are raised to it before the log (and get no
 * gradient there).
 *
 * @param labels - One-hot labels `[batch, classes]`.
 * @param probabilities - Class probabilities `[batch, classes]`.
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
  return tidy(() => neg(sum(mul(labels, log(clipByValue(probabilities, PROBABILITY_FLOOR, 1))), -1)) as Tensor1D);
}

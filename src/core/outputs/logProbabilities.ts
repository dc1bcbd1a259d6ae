/**
 * Model outputs as log-probabilities (internal): the one place the library turns logits or
 * probabilities into the log-probabilities that its losses, attacks and terms work on.
 */
import { clipByValue, concat, log, logSoftmax, sub, zerosLike, type Tensor } from '../tf.js';

/**
 * Smallest probability whose logarithm the library takes, as Keras' cross-entropies do (their
 * `epsilon()`): a zero probability then costs `-log(1e-7)`, about 16.1, instead of infinity, and
 * probabilities below the floor get no gradient.
 *
 * @example
 * ```ts
 * import { PROBABILITY_FLOOR } from 'responsible-tfjs/robustness';
 * console.log(PROBABILITY_FLOOR); // 1e-7
 * ```
 */
export const PROBABILITY_FLOOR = 1e-7;

/**
 * What a model returns along its last axis: raw scores (`'logits'`) or probabilities. With a single
 * output unit the model is binary: the unit is the logit `z` of class 1 (class 0 has logit 0), or
 * its probability `sigmoid(z)`.
 */
export type OutputKind = 'logits' | 'probabilities';

/** Whether outputs (or labels shaped like them) have a single unit along the last axis: a binary model. */
export function isSingleUnit(t: Tensor): boolean {
  return t.shape[t.rank - 1] === 1;
}

/**
 * Log-probabilities of every class, along the last axis, from a model's outputs (call inside
 * `tidy`; differentiable twice). Logits go through log-softmax; probabilities are raised to
 * {@link PROBABILITY_FLOOR} before the log. A single unit is a binary model seen as two classes:
 * a logit `z` becomes the logits `[0, z]`, whose log-softmax is `[log sigmoid(-z), log sigmoid(z)]`
 * computed without overflow, and a probability `p` becomes `[1 - p, p]`. A model returning `[0, z]`
 * (or `[1 - p, p]`) therefore gets exactly the same numbers.
 */
export function logProbabilities(outputs: Tensor, kind: OutputKind): Tensor {
  if (isSingleUnit(outputs)) {
    if (kind === 'logits') return logSoftmax(concat([zerosLike(outputs), outputs], -1));
    return log(clipByValue(concat([sub(1, outputs), outputs], -1), PROBABILITY_FLOOR, 1));
  }
  return kind === 'logits' ? logSoftmax(outputs) : log(clipByValue(outputs, PROBABILITY_FLOOR, 1));
}

/**
 * Labels shaped like a model's outputs, as rows over all classes: one-hot rows unchanged, a
 * single-unit 0/1 column `y` as `[1 - y, y]` (call inside `tidy`).
 */
export function twoClassLabels(labels: Tensor): Tensor {
  return isSingleUnit(labels) ? concat([sub(1, labels), labels], -1) : labels;
}

import type { Tensor, Tensor1D, Tensor2D } from '../core/tf.js';
import type { ModelLike } from '../core/model.js';

/**
 * What a model returns: raw scores (`'logits'`) or class probabilities (`'probabilities'`). When
 * not given, a `LayersModel` whose last layer ends in a softmax (a fused `activation: 'softmax'`, a
 * `Softmax` or `Activation('softmax')` layer), or in a sigmoid with a single output unit, returns
 * probabilities; every other model, and every plain function, returns logits.
 *
 * A model with a **single output unit** is binary: the unit is the logit `z` of class 1 (or its
 * probability `sigmoid(z)`), and the library treats it as the two-class model with logits `[0, z]`
 * (probabilities `[1 - p, p]`), with identical numbers. Its labels are 0/1: class indices, or a
 * `[batch, 1]` column.
 */
export type ModelOutput = 'logits' | 'probabilities';

/**
 * Norm of an attack's perturbation ball: `'linf'` (every coordinate moves by at most epsilon) or
 * `'l2'` (the Euclidean length of the perturbation is at most epsilon).
 */
export type AttackNorm = 'linf' | 'l2';

/**
 * A differentiable loss with one value per example: given labels shaped like the model's outputs
 * (one-hot rows `[batch, classes]`, or a 0/1 column `[batch, 1]` for a single-output model) and the
 * outputs themselves (logits or probabilities, as the model returns them), it returns a `[batch]`
 * tensor. Attacks differentiate its batch mean.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { fgsm, type PerExampleLoss } from 'responsible-tfjs/robustness';
 * // Carlini–Wagner style margin loss on logits.
 * const margin: PerExampleLoss = (labels, logits) =>
 *   tf.sub(tf.max(tf.sub(logits, tf.mul(labels, 1e4)), 1), tf.sum(tf.mul(labels, logits), 1));
 * const xAdv = await fgsm(model, x, y, { epsilon: 0.1, loss: margin });
 * ```
 */
export type PerExampleLoss = (labels: Tensor2D, outputs: Tensor) => Tensor;

/** Options every attack shares: the input range, the attack goal and the loss. */
export interface AttackCommonOptions {
  /** Smallest valid input value; inputs must already lie in `[clipMin, clipMax]`. Default 0. */
  readonly clipMin?: number;
  /** Largest valid input value. Default 1. */
  readonly clipMax?: number;
  /**
   * When true, `y` holds target classes and the attack descends the loss toward them (it then
   * requires `y`). Default false: `y` holds the true classes and the attack ascends the loss.
   */
  readonly targeted?: boolean;
  /** Whether the model returns logits or probabilities. Default: what the model declares (see {@link ModelOutput}). */
  readonly modelOutput?: ModelOutput;
  /**
   * Per-example loss to maximise (untargeted) or minimise (targeted). Default: softmax
   * cross-entropy through log-softmax ({@link softmaxCrossEntropy}) on logits, or the
   * cross-entropy of the probabilities ({@link probabilityCrossEntropy}) when the model returns
   * probabilities; for a single-output model, the binary cross-entropy.
   */
  readonly loss?: PerExampleLoss;
  /**
   * Stops the attack when aborted: the call rejects with {@link AbortedError} at the next step
   * boundary, having disposed every tensor it created. Multi-step attacks (PGD) also yield to the
   * event loop between steps, so timers, input and rendering keep running during a long attack.
   * Default: none (the attack runs to the end, still yielding between steps).
   */
  readonly signal?: AbortSignal;
}

/**
 * What {@link robustAccuracy} and {@link robustAccuracyCurve} hand an {@link Attack} besides the
 * batch: the evaluation's own `signal`, to forward to the attack so that aborting the evaluation
 * also stops the attack in the middle of its steps.
 */
export interface AttackCallOptions {
  /** The evaluation's `signal` option (undefined when it was given none). */
  readonly signal?: AbortSignal;
}

/**
 * An attack bound to its settings, as {@link robustAccuracy} calls it: it receives the model, a
 * batch of inputs, their true class indices and the evaluation's {@link AttackCallOptions}, and
 * resolves to adversarial inputs of `x`'s shape that the caller owns.
 *
 * @example
 * ```ts
 * import { pgd, type Attack } from 'responsible-tfjs/robustness';
 * const pgd20: Attack = (model, x, y, call) =>
 *   pgd(model, x, y, { epsilon: 0.1, stepSize: 0.0125, steps: 20, signal: call?.signal });
 * ```
 */
export type Attack = (model: ModelLike, x: Tensor, y: Tensor1D, call?: AttackCallOptions) => Promise<Tensor>;

import type { Tensor, Tensor1D, Tensor2D } from '../core/tf.js';
import type { ModelLike } from '../core/model.js';

/**
 * What a model returns: raw scores (`'logits'`, the default) or class probabilities
 * (`'probabilities'`, e.g. a model ending in a softmax layer).
 *
 * @example
 * ```ts
 * import { fgsm, type ModelOutput } from 'responsible-tfjs/robustness';
 * const output: ModelOutput = 'probabilities';
 * const xAdv = await fgsm(softmaxModel, x, y, { epsilon: 0.1, modelOutput: output });
 * ```
 */
export type ModelOutput = 'logits' | 'probabilities';

/**
 * A differentiable loss with one value per example: given one-hot labels `[batch, classes]` and the
 * model's outputs `[batch, classes]` (logits or probabilities, as the model returns them), it
 * returns a `[batch]` tensor. Attacks differentiate its batch mean.
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

/**
 * Options every attack shares: the input range, the attack goal and the loss.
 *
 * @example
 * ```ts
 * import type { AttackCommonOptions } from 'responsible-tfjs/robustness';
 * const common: AttackCommonOptions = { clipMin: -1, clipMax: 1, targeted: false };
 * ```
 */
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
  /** Whether the model returns logits (default) or probabilities. */
  readonly modelOutput?: ModelOutput;
  /**
   * Per-example loss to maximise (untargeted) or minimise (targeted). Default: softmax
   * cross-entropy through log-softmax ({@link softmaxCrossEntropy}) on logits, or the
   * cross-entropy of the probabilities when `modelOutput` is `'probabilities'`.
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
 *
 * @example
 * ```ts
 * import { pgd, type Attack, type AttackCallOptions } from 'responsible-tfjs/robustness';
 * const attack: Attack = (m, x, y, call?: AttackCallOptions) =>
 *   pgd(m, x, y, { epsilon: 0.1, stepSize: 0.0125, steps: 20, signal: call?.signal });
 * ```
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

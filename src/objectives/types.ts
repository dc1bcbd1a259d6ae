import type { SensitiveFeatures } from '../fairness/inputs.js';
import type { Scalar, Tensor, Tensor2D, Variable } from '../core/tf.js';
import type { LabelsLike } from '../core/labels.js';

/**
 * How a loss term depends on the training examples, which decides what DP-SGD can do with it:
 * - `'example'`: a mean (or sum) of per-example quantities; each example's gradient can be clipped
 *   on its own, so DP-SGD accepts it.
 * - `'batch'`: couples examples (a gap between group means, a kernel two-sample statistic); no
 *   per-example gradient exists, so DP-SGD refuses it.
 * - `'none'`: depends on the parameters only (L1, group lasso); its gradient is added after the
 *   noise at no privacy cost.
 */
export type TermDataDependence = 'example' | 'batch' | 'none';

/**
 * A batch as the objectives module trains on it.
 */
export interface ObjectiveBatch {
  /** Inputs `[batch, ...features]`. */
  readonly x: Tensor;
  /**
   * Labels: class indices, or one-hot rows. For a model with a single output unit (binary,
   * sigmoid), class indices 0/1.
   */
  readonly y: LabelsLike;
  /**
   * Named per-example values that terms read, first dimension `batch`: `groups` (sensitive groups:
   * integer codes from 0 as a tensor, or the same inputs as the fairness module takes (arrays of
   * labels, named columns `{ sex, race }`, string tensors), encoded into codes at `setBatch`),
   * `sampleWeight`, `irrelevantMask` (annotation mask of input features), or any name a custom
   * term uses. The caller keeps ownership.
   */
  readonly extras?: Readonly<Record<string, Tensor | SensitiveFeatures>>;
}

/**
 * What a loss term sees. Tensors belong to the loss (do not dispose them); a term's function runs
 * inside the loss's `tidy`, so it may create intermediates freely.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import type { LossTerm, TermContext } from 'responsible-tfjs/objectives';
 * const meanLogit: LossTerm = {
 *   name: 'meanLogit', dataDependence: 'example',
 *   fn: (ctx: TermContext) => tf.mean(ctx.outputs),
 * };
 * ```
 */
export interface TermContext {
  /** Inputs of the batch. */
  readonly x: Tensor;
  /**
   * Float32 labels shaped like the outputs: one-hot rows `[batch, classes]`, or `[batch, 1]` of 0/1
   * for a single-output model.
   */
  readonly labels: Tensor2D;
  /** The model's outputs (logits) on `x`, computed once per loss call. */
  readonly outputs: Tensor;
  /** The model as a differentiable function (for terms that evaluate it elsewhere, e.g. on attacks). */
  readonly forward: (x: Tensor) => Tensor;
  /** The batch's extras, plus whatever terms' `prepare` hooks added. */
  readonly extras: Readonly<Record<string, Tensor>>;
  /** Trainable variables of the model. */
  readonly variables: readonly Variable[];
  /** The trainable variables that are weight matrices or filters (rank >= 2, biases excluded). */
  readonly kernels: readonly Variable[];
}

/**
 * What a term's `prepare` hook receives: the batch (labels already as in {@link TermContext}) and
 * the model, before the loss is differentiated.
 */
export type PrepareContext = Omit<TermContext, 'outputs'>;

/**
 * One term of an objective: a named, differentiable scalar function of the batch and the model.
 * Write your own by giving a name, its data dependence and `fn`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import type { LossTerm } from 'responsible-tfjs/objectives';
 * const weightDecay: LossTerm = {
 *   name: 'weightDecay', dataDependence: 'none',
 *   fn: (ctx) => tf.addN(ctx.kernels.map((k) => tf.sum(tf.square(k)))) as tf.Scalar,
 * };
 * ```
 */
export interface LossTerm {
  /** Unique name within an objective; weights, bounds and histories are keyed by it. */
  readonly name: string;
  /** How the term depends on the examples (decides DP-SGD compatibility). */
  readonly dataDependence: TermDataDependence;
  /** The term's value, a scalar; runs inside `tidy` and under the gradient tape. */
  readonly fn: (ctx: TermContext) => Scalar;
  /**
   * Optional asynchronous preparation run once per batch before differentiation (e.g. crafting
   * adversarial examples). Returned tensors are added to `extras` (under the returned keys) and
   * disposed by the loss when the batch changes.
   */
  readonly prepare?: (ctx: PrepareContext) => Promise<Readonly<Record<string, Tensor>>>;
}

import type { NamedTensorMap } from '../../core/tf.js';

/**
 * How an {@link EthicalLoss} weighs its objectives (the task and every term), as a value. Build one
 * with {@link fixedWeights}, {@link normalizedWeights}, {@link lagrangian}, {@link mgda} or
 * {@link gradNorm}, or write your own: a `name`, whether DP-SGD may use it (`privateSafe`), and
 * `init`, which {@link ethicalLoss} calls once per loss with the objectives' names and which
 * returns that loss's {@link WeightingState}: the initial weights and the `step` that updates
 * them. State that changes during training (multipliers, learned weights) lives in the object
 * `init` returns, so one strategy value can serve several losses.
 *
 * @example
 * ```ts
 * import type { WeightingStrategy } from 'responsible-tfjs/objectives';
 * // Term weights that ramp linearly from 0 to `target` over the first `steps` steps.
 * const warmUp = (target: number, steps: number): WeightingStrategy => ({
 *   name: 'warmUp',
 *   privateSafe: false, // DP-SGD never calls step, so the ramp would not move
 *   init: (termNames) => {
 *     let t = 0;
 *     const at = (s: number) => termNames.map((_, i) => (i === 0 ? 1 : target * Math.min(1, s / steps)));
 *     return {
 *       initialWeights: at(0),
 *       async step(ctx) {
 *         const weights = ctx.weights;                 // the weights this step uses
 *         const { total, values } = await ctx.minimize(); // one optimizer step on sum_i w_i v_i
 *         ctx.setWeights(at(++t));
 *         return { total, values, weights };
 *       },
 *     };
 *   },
 * });
 * const loss = ethicalLoss({ model, task: crossEntropyTerm(), terms: [l1Term()], weights: warmUp(1e-4, 100) });
 * ```
 */
export interface WeightingStrategy {
  /** Short name, reported in errors (the built-ins: `'fixed'`, `'normalized'`, `'lagrangian'`, `'mgda'`, `'gradNorm'`). */
  readonly name: string;
  /**
   * Whether DP-SGD (`trainMultiObjective` with `privacy`) may train with it: true only when the
   * weights never depend on the training data (fixed before training). Private training uses
   * the weights `init` returned and never calls `step`; `setBatch`, if any, must read no data.
   */
  readonly privateSafe: boolean;
  /**
   * Starts the weighting of one loss: validates the strategy's settings against the objectives'
   * names and returns their initial weights and the state behind `step`.
   * @param termNames - The objectives' names, the task first.
   * @throws InvalidArgumentError (naming `ethicalLoss`) for settings that do not fit the terms.
   */
  init(termNames: readonly string[]): WeightingState;
}

/**
 * One loss's weighting, returned by {@link WeightingStrategy.init}: the initial weights, and the
 * hooks that update them. Weights are one number per objective, the task first; the loss
 * minimises `sum_i w_i * (value_i - offset_i)`.
 *
 * @example
 * ```ts
 * import type { WeightingState } from 'responsible-tfjs/objectives';
 * const fixed: WeightingState = {
 *   initialWeights: [1, 0.1],
 *   async step(ctx) {
 *     const weights = ctx.weights;
 *     return { ...(await ctx.minimize()), weights };
 *   },
 * };
 * ```
 */
export interface WeightingState {
  /** One finite weight per objective, the task first. */
  readonly initialWeights: readonly number[];
  /**
   * Constants subtracted from each objective's value in the weighted sum (a Lagrangian's bounds,
   * so that the loss reads `lambda_i * (term_i - bound_i)`). Default 0 each.
   */
  readonly offsets?: readonly number[];
  /** Called after every `loss.setBatch`, once the batch is bound (normalisation measures the first batch here). */
  setBatch?(ctx: WeightingBatchContext): Promise<void>;
  /** One optimisation step on the bound batch ({@link EthicalLoss.step}): update the model, then the weights. */
  step(ctx: WeightingStepContext): Promise<WeightingStepResult>;
}

/**
 * What {@link WeightingState.setBatch} can do: read the objectives on the new batch and set weights.
 *
 * @example
 * ```ts
 * async setBatch(ctx) {
 *   const [task, ...terms] = await ctx.values();
 *   ctx.setWeights([1, ...terms.map((v) => Math.abs(task! / v))]);
 * }
 * ```
 */
export interface WeightingBatchContext {
  /** The objectives' names, the task first. */
  readonly termNames: readonly string[];
  /** A copy of the current weights. */
  readonly weights: readonly number[];
  /** Each objective's value on the batch just bound (not recorded as the loss's last values). */
  values(): Promise<number[]>;
  /** Replaces the weights (one finite number per objective). */
  setWeights(weights: readonly number[]): void;
}

/**
 * What {@link WeightingState.step} can do on the bound batch: one optimizer step on the weighted
 * loss (`minimize`), or a gradient per objective (`gradients`) to combine as it likes, and set the
 * weights. Tensors it hands out are freed when the step's promise settles.
 *
 * @example
 * ```ts
 * async step(ctx) {
 *   const g = await ctx.gradients();
 *   const inverseNorms = g.gram.map((row, i) => 1 / Math.sqrt(row[i]!));
 *   const sum = inverseNorms.reduce((a, b) => a + b, 0);
 *   const weights = inverseNorms.map((w) => w / sum);
 *   g.apply(weights);
 *   ctx.setWeights(weights);
 *   return { total: g.values.reduce((s, v, i) => s + v * weights[i]!, 0), values: g.values, weights };
 * }
 * ```
 */
export interface WeightingStepContext {
  /** The objectives' names, the task first. */
  readonly termNames: readonly string[];
  /** A copy of the current weights. */
  readonly weights: readonly number[];
  /**
   * `optimizer.minimize` of the weighted loss at the current weights.
   * @returns The weighted loss and each objective's value, before the update.
   */
  minimize(): Promise<{ total: number; values: number[] }>;
  /**
   * One backward pass per objective (k passes), without updating the model.
   * @throws ResponsibleError (NOT_CONVERGED) when a gradient is not finite.
   */
  gradients(): Promise<ObjectiveGradients>;
  /** Replaces the weights (one finite number per objective). */
  setWeights(weights: readonly number[]): void;
}

/**
 * Each objective's gradient on the bound batch, from {@link WeightingStepContext.gradients}.
 *
 * @example
 * ```ts
 * const g = await ctx.gradients();
 * g.apply(g.values.map(() => 1 / g.values.length)); // the mean gradient
 * ```
 */
export interface ObjectiveGradients {
  /** Each objective's value (recorded as the loss's last values). */
  readonly values: number[];
  /** `gram[i][j] = g_i . g_j` over all trainable variables. */
  readonly gram: readonly (readonly number[])[];
  /** Gradients by variable name, one map per objective; owned by the loss, valid until the step ends. */
  readonly perObjective: readonly NamedTensorMap[];
  /** Updates the model with `sum_i weights[i] * g_i` through the step's optimizer. */
  apply(weights: readonly number[]): void;
}

/**
 * What {@link WeightingState.step} resolves to (arrays indexed like the objectives, task first).
 *
 * @example
 * ```ts
 * import type { WeightingStepResult } from 'responsible-tfjs/objectives';
 * const r: WeightingStepResult = { total: 0.52, values: [0.5, 0.2], weights: [1, 0.1] };
 * ```
 */
export interface WeightingStepResult {
  /** The weighted objective before the update. */
  readonly total: number;
  /** Each objective's value before the update. */
  readonly values: readonly number[];
  /** The weights the update used. */
  readonly weights: readonly number[];
}

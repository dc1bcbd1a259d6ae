import { nonNegativeNumber, optionsObject, positiveNumber } from '../../core/validate.js';
import type { WeightingState, WeightingStepContext, WeightingStepResult, WeightingStrategy } from './types.js';

/**
 * Options of {@link gradNorm}.
 *
 * @example
 * ```ts
 * import type { GradNormOptions } from 'responsible-tfjs/objectives';
 * const o: GradNormOptions = { alpha: 0.5 };
 * ```
 */
export interface GradNormOptions {
  /** Asymmetry (>= 0). Default 1.5, the paper's choice for its multi-task benchmarks. */
  readonly alpha?: number;
  /** Step size (> 0) of the weights. Default 0.025. */
  readonly weightLearningRate?: number;
}

/**
 * GradNorm (Chen et al. 2018): weights learned so that every weighted objective's gradient norm
 * approaches the mean norm times the objective's relative inverse training rate to the power
 * `alpha`; objectives that train slower get larger gradients.
 *
 * @example
 * ```ts
 * import { gradNorm } from 'responsible-tfjs/objectives';
 * const s = gradNorm({ alpha: 1.5, weightLearningRate: 0.025 });
 * ```
 */
export interface GradNormWeighting extends WeightingStrategy {
  /** Strategy name. */
  readonly name: 'gradNorm';
  /** @deprecated Use `name`; `kind` goes away in the next minor version. */
  readonly kind: 'gradNorm';
  /** Asymmetry `alpha` (>= 0): 0 equalises gradient norms; larger favours slow objectives. */
  readonly alpha: number;
  /** Step size (> 0) of the weights' gradient descent on the GradNorm loss. */
  readonly weightLearningRate: number;
}

/**
 * GradNorm gradient balancing (Chen, Badrinarayanan, Lee & Rabinovich 2018). Every step computes
 * each objective's gradient `g_i` (task and terms) and its norm `n_i` over all trainable weights
 * (the paper uses the last shared layer; a model here has no declared shared layer), the targets
 * `t_i = mean_j(w_j n_j) * r_i^alpha` with `r_i` the objective's loss ratio `L_i / L_i(0)` over the
 * mean ratio, then takes a gradient step on `sum_i |w_i n_i - t_i|` in the weights (targets held
 * constant), keeps them above 1e-6 and renormalises them to sum to the number of objectives, as the
 * paper does. The model is updated with `sum_i w_i g_i` at the weights before the update.
 *
 * @returns A strategy value; each loss built with it learns its own weights.
 * @example
 * ```ts
 * import { ethicalLoss, crossEntropyTerm, inputGradientTerm, gradNorm } from 'responsible-tfjs/objectives';
 * const loss = ethicalLoss({ model, task: crossEntropyTerm(), terms: [inputGradientTerm()], weights: gradNorm() });
 * ```
 */
export function gradNorm(options?: GradNormOptions): GradNormWeighting {
  const o = optionsObject('gradNorm', 'options', options);
  const alpha = nonNegativeNumber('gradNorm', 'options.alpha', o.alpha ?? 1.5);
  const weightLearningRate = positiveNumber('gradNorm', 'options.weightLearningRate', o.weightLearningRate ?? 0.025);
  return Object.freeze({
    name: 'gradNorm' as const,
    kind: 'gradNorm' as const,
    privateSafe: false,
    alpha,
    weightLearningRate,
    init(termNames: readonly string[]): WeightingState {
      /** Objective values on the first step (the loss ratios' reference). */
      let initial: number[] | undefined;
      return {
        initialWeights: termNames.map(() => 1),
        async step(ctx: WeightingStepContext): Promise<WeightingStepResult> {
          const { gram, values, apply } = await ctx.gradients();
          const weights = ctx.weights;
          // The model moves with the weights before their update.
          apply(weights);
          initial ??= values.map((v) => Math.abs(v));
          ctx.setWeights(nextWeights(weights, gram, values, initial, alpha, weightLearningRate));
          return { total: values.reduce((s, v, i) => s + v * (weights[i] as number), 0), values, weights };
        },
      };
    },
  });
}

/**
 * One step of the weights on `sum_i |w_i n_i - t_i|` (targets held constant), kept above 1e-6 and
 * renormalised to sum to the number of objectives.
 */
function nextWeights(
  weights: readonly number[], gram: readonly (readonly number[])[], values: readonly number[], initial: readonly number[], alpha: number, rate: number,
): number[] {
  const k = weights.length;
  const ratios = values.map((v, i) => (initial[i]! > 1e-12 ? Math.abs(v) / initial[i]! : 1));
  const meanRatio = ratios.reduce((a, b) => a + b, 0) / k;
  const norms = gram.map((row, i) => Math.sqrt(Math.max(row[i] as number, 0)));
  const weighted = norms.map((n, i) => (weights[i] as number) * n);
  const meanWeighted = weighted.reduce((a, b) => a + b, 0) / k;
  const next = weighted.map((g, i) => {
    const target = meanWeighted * (meanRatio > 0 ? (ratios[i]! / meanRatio) ** alpha : 1);
    const w = (weights[i] as number) - rate * Math.sign(g - target) * (norms[i] as number);
    return Math.max(w, 1e-6);
  });
  const total = next.reduce((a, b) => a + b, 0);
  return next.map((w) => (k * w) / total);
}

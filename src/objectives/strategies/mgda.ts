import { oneOf, optionsObject, positiveInteger, positiveNumber } from '../../core/validate.js';
import { minNormCoefficients } from './minNormCoefficients.js';
import type { WeightingState, WeightingStepContext, WeightingStepResult, WeightingStrategy } from './types.js';

/**
 * How MGDA scales each objective's gradient before the min-norm problem (Sener & Koltun 2018):
 * `'none'`, `'l2'` (unit gradients), `'loss'` (divided by the objective's value) or `'loss+'`
 * (divided by value times gradient norm).
 *
 * @example
 * ```ts
 * import type { MgdaNormalization } from 'responsible-tfjs/objectives';
 * const n: MgdaNormalization = 'l2';
 * ```
 */
export type MgdaNormalization = 'none' | 'l2' | 'loss' | 'loss+';

/**
 * Options of {@link mgda}.
 *
 * @example
 * ```ts
 * import type { MgdaOptions } from 'responsible-tfjs/objectives';
 * const o: MgdaOptions = { normalization: 'loss+', maxIterations: 100 };
 * ```
 */
export interface MgdaOptions {
  /** Gradient scaling before the min-norm problem. Default `'none'` (the plain MGDA direction). */
  readonly normalization?: MgdaNormalization;
  /** Frank-Wolfe iterations (integer >= 1) for more than two objectives. Default 250. */
  readonly maxIterations?: number;
  /** Frank-Wolfe stopping tolerance (> 0) on the weights' change. Default 1e-6. */
  readonly tolerance?: number;
}

/**
 * MGDA (Désidéri 2012; Sener & Koltun 2018): each step follows the minimum-norm point of the
 * convex hull of the objectives' gradients (task and every term), a direction that decreases all
 * of them unless the point is Pareto-stationary.
 *
 * @example
 * ```ts
 * import { mgda } from 'responsible-tfjs/objectives';
 * const s = mgda({ normalization: 'l2' });
 * ```
 */
export interface MgdaWeighting extends WeightingStrategy {
  /** Strategy name. */
  readonly name: 'mgda';
  /** @deprecated Use `name`; `kind` goes away in the next minor version. */
  readonly kind: 'mgda';
  /** Gradient scaling before solving. */
  readonly normalization: MgdaNormalization;
  /** Frank-Wolfe iterations for more than two objectives. */
  readonly maxIterations: number;
  /** Frank-Wolfe stops when the step changes the weights by less than this. */
  readonly tolerance: number;
}

/**
 * The multiple-gradient descent algorithm: every step computes the gradient of the task and of
 * each term separately, finds the weights `alpha` (>= 0, summing to 1) whose combination
 * `sum_i alpha_i g_i` has the smallest norm ({@link minNormCoefficients}: closed form for two
 * objectives, Frank-Wolfe beyond) and applies that combination. No weights to tune; the cost is one
 * backward pass per objective.
 *
 * @returns A strategy value.
 * @example
 * ```ts
 * import { ethicalLoss, crossEntropyTerm, adversarialTerm, mgda } from 'responsible-tfjs/objectives';
 * const loss = ethicalLoss({ model, task: crossEntropyTerm(), terms: [adversarialTerm({ epsilon: 0.1 })], weights: mgda() });
 * ```
 */
export function mgda(options?: MgdaOptions): MgdaWeighting {
  const o = optionsObject('mgda', 'options', options);
  const normalization = oneOf('mgda', 'options.normalization', o.normalization ?? 'none', ['none', 'l2', 'loss', 'loss+'] as const);
  const maxIterations = positiveInteger('mgda', 'options.maxIterations', o.maxIterations ?? 250);
  const tolerance = positiveNumber('mgda', 'options.tolerance', o.tolerance ?? 1e-6);
  return Object.freeze({
    name: 'mgda' as const,
    kind: 'mgda' as const,
    privateSafe: false,
    normalization,
    maxIterations,
    tolerance,
    init: (termNames: readonly string[]): WeightingState => ({
      initialWeights: termNames.map(() => 1 / termNames.length),
      step: (ctx) => mgdaStep(ctx, normalization, { maxIterations, tolerance }),
    }),
  });
}

/**
 * One MGDA step on the bound batch: a gradient per objective, the Gram matrix read back (k x k
 * numbers), the min-norm weights solved in JavaScript, and their combination applied.
 */
async function mgdaStep(ctx: WeightingStepContext, normalization: MgdaNormalization, solver: { maxIterations: number; tolerance: number }): Promise<WeightingStepResult> {
  const { gram: g, values, apply } = await ctx.gradients();
  const norms = g.map((row, i) => Math.sqrt(Math.max(row[i] as number, 0)));
  const scale = norms.map((n, i) => {
    const loss = Math.abs(values[i] as number);
    const raw = normalization === 'l2' ? n : normalization === 'loss' ? loss : normalization === 'loss+' ? loss * n : 1;
    return raw > 1e-12 ? raw : 1;
  });
  const scaledGram = g.map((row, i) => row.map((v, j) => v / ((scale[i] as number) * (scale[j] as number))));
  const { alphas } = minNormCoefficients(scaledGram, solver);
  const weights = alphas.map((a, i) => a / (scale[i] as number));
  ctx.setWeights(weights);
  apply(weights);
  // MGDA reports the weights it solved for and applied.
  return { total: values.reduce((s, v, i) => s + v * (weights[i] as number), 0), values, weights };
}

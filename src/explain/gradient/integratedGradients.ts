import { betweenSteps, checkSignal, throwIfAborted } from '../../core/eventLoop.js';
import type { ModelLike } from '../../core/model.js';
import {
  add, concat, matMul, mul, reshape, slice, sub, tensor2d, tidy, type Tensor, type Tensor1D,
} from '../../core/tf.js';
import { booleanValue, invalid, oneOf, optionsObject, positiveInteger } from '../../core/validate.js';
import { baselineLike, type Baseline } from '../baselines.js';
import { prepareExplanation, targetGradients, targetsTensor, type ExplainContext } from '../context.js';
import type { AttributionResult, TargetOptions } from '../types.js';
import { convergenceDelta } from './convergence.js';
import { INTEGRATION_METHODS, minimumSteps, pathRule, type IntegrationMethod } from './quadrature.js';

/** Options of {@link integratedGradients}. */
export interface IntegratedGradientsOptions extends TargetOptions {
  /**
   * Where the path starts: a number for every element, one example's tensor (the non-batch shape
   * of `x`) for every example, or a tensor of `x`'s shape with one baseline per example. Default 0
   * (Captum's default). The attributions explain `f(x) - f(baseline)`.
   */
  readonly baselines?: Baseline;
  /** Points on the path (an integer >= 1; >= 2 for the Riemann rules, as in Captum). Default 50. */
  readonly steps?: number;
  /**
   * The integration rule, as Captum defines it (see {@link IntegrationMethod}). Default
   * `'gaussLegendre'` (Captum's default).
   */
  readonly method?: IntegrationMethod;
  /**
   * Most rows (path points × examples) per gradient pass, to bound memory (an integer >= 1).
   * Default: every row in one pass. Unlike Captum, a value below the batch size is honoured (the
   * batch is split too). It changes only the float32 summation order.
   */
  readonly internalBatchSize?: number;
  /**
   * Also return `convergenceDelta` (two more forward passes over the batch). Default `false`, as in
   * Captum, so that no tensor the caller did not ask for is returned.
   */
  readonly returnConvergenceDelta?: boolean;
  /** Stops the computation between two gradient passes with an `AbortedError`. */
  readonly signal?: AbortSignal;
}

/** Validated settings (internal). */
interface IntegratedGradientsSettings {
  readonly steps: number;
  readonly method: IntegrationMethod;
  readonly chunk: number;
  readonly returnConvergenceDelta: boolean;
  readonly signal: AbortSignal | undefined;
}

function settingsOf(fn: string, opts: IntegratedGradientsOptions): IntegratedGradientsSettings {
  const method = oneOf(fn, 'options.method', opts.method ?? 'gaussLegendre', INTEGRATION_METHODS);
  const steps = positiveInteger(fn, 'options.steps', opts.steps ?? 50);
  if (steps < minimumSteps(method)) {
    invalid(fn, 'options.steps', steps, `an integer >= ${minimumSteps(method)} for '${method}' (Captum's Riemann rules need two points)`);
  }
  const chunk = opts.internalBatchSize === undefined ? Infinity : positiveInteger(fn, 'options.internalBatchSize', opts.internalBatchSize);
  return {
    steps,
    method,
    chunk,
    returnConvergenceDelta: booleanValue(fn, 'options.returnConvergenceDelta', opts.returnConvergenceDelta ?? false),
    signal: checkSignal(fn, 'options.signal', opts.signal),
  };
}

/**
 * `Σ_k w_k ∇f_t(b + α_k (x - b))` for every example (Captum's `total_grads`), over all path
 * points in batched passes of at most `chunk` rows: blocks of examples × blocks of steps, the
 * steps of a block stacked step-major as Captum stacks them. Caller-owned, of `x`'s shape.
 */
async function pathGradientSum(ctx: ExplainContext, baselines: Tensor, s: IntegratedGradientsSettings): Promise<Tensor> {
  const { alphas, weights } = pathRule(s.method, s.steps);
  const exampleBlock = Math.min(ctx.batch, s.chunk);
  const stepBlock = Math.max(1, Math.min(s.steps, Math.floor(s.chunk / exampleBlock)));
  const features = ctx.x.shape.slice(1);
  const blocks: Tensor[] = [];
  let first = true;
  try {
    for (let e0 = 0; e0 < ctx.batch; e0 += exampleBlock) {
      const examples = Math.min(exampleBlock, ctx.batch - e0);
      let total: Tensor | undefined;
      try {
        for (let k0 = 0; k0 < s.steps; k0 += stepBlock) {
          if (!first) await betweenSteps(ctx.fn, s.signal);
          first = false;
          const steps = Math.min(stepBlock, s.steps - k0);
          const part = tidy(() => {
            // Captum's points b + α_k (x - b), step-major, as one small matrix product
            // [1, α_k] · [b; x - b]: broadcasting element-wise kernels are slow on some backends.
            const start = reshape(slice(baselines, e0, examples), [1, -1]);
            const difference = reshape(sub(slice(ctx.x, e0, examples), slice(baselines, e0, examples)), [1, -1]);
            const coefficients = new Float32Array(2 * steps);
            for (let k = 0; k < steps; k++) {
              coefficients[2 * k] = 1;
              coefficients[2 * k + 1] = alphas[k0 + k] as number;
            }
            const points = matMul(tensor2d(coefficients, [steps, 2]), concat([start, difference], 0));
            const targets = targetsTensor(ctx, steps * examples, (r) => e0 + (r % examples));
            const gradients = targetGradients(ctx, reshape(points, [steps * examples, ...features]), targets);
            // Σ_k w_k ∇f(point_k) as [1, steps] · [steps, examples·features].
            const weighted = matMul(tensor2d(weights.subarray(k0, k0 + steps), [1, steps]), reshape(gradients, [steps, -1]));
            return reshape(weighted, [examples, ...features]);
          });
          if (total === undefined) total = part;
          else {
            const previous: Tensor = total;
            total = add(previous, part);
            previous.dispose();
            part.dispose();
          }
        }
      } catch (e) {
        total?.dispose();
        throw e;
      }
      blocks.push(total as Tensor);
    }
    return blocks.length === 1 ? (blocks.pop() as Tensor) : concat(blocks, 0);
  } finally {
    for (const b of blocks) b.dispose();
  }
}

/**
 * Integrated gradients (Sundararajan, Taly & Yan 2017, https://arxiv.org/abs/1703.01365), as
 * Captum's `IntegratedGradients` (`captum/attr/_core/integrated_gradients.py`): the attribution of
 * each input element is `(x - b) · ∫₀¹ ∂f_t(b + α (x - b))/∂x dα`, the integral approximated by
 * `Σ_k w_k ∇f_t(b + α_k (x - b))` with Captum's rules (`method`, `steps`). Its attributions add up
 * to `f_t(x) - f_t(b)` up to the integration error, which `convergenceDelta` reports per example
 * (sum of the attributions minus that difference; Captum's `compute_convergence_delta`).
 *
 * All `steps × batch` path points go through the model in one batched forward and backward pass
 * (or passes of `internalBatchSize` rows), so the cost is close to that of the gradients
 * themselves. The `'predicted'` target is the class predicted on `x`, used along the whole path.
 *
 * Captum's rules, kept as they are: the Riemann rules' points are float32 `torch.linspace`
 * values with weights `1/n`; `'riemannTrapezoid'` halves the first and last weights of points
 * spaced `1/(n-1)` apart, so its weights add up to `1 - 1/n` and its delta is about
 * `-(f(x) - f(b))/n`; Gauss-Legendre (the default) uses numpy's `leggauss` nodes and weights
 * (computed here in float64) mapped to [0, 1].
 *
 * @param model - A `tf.LayersModel` or a function from inputs to logits or probabilities.
 * @param x - A float32 batch `[batch, ...features]` of finite values.
 * @param options - Target, baselines, steps, method, internal batch size, delta, signal.
 * @returns `{ attributions, convergenceDelta? }`: attributions of `x`'s shape in output units;
 *   the `[batch]` delta when `returnConvergenceDelta` is true. The caller owns both.
 * @throws {@link InvalidArgumentError} for a bad model output, target, `x`, baselines of another
 *   shape, `steps` < 1 (< 2 for a Riemann rule) or not an integer, `internalBatchSize` < 1;
 *   {@link AbortedError} when `options.signal` is aborted (nothing leaks).
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { integratedGradients } from 'responsible-tfjs/explain';
 * const model = await tf.loadLayersModel('/models/digits/model.json');
 * const x = tf.tensor4d(pixels, [32, 8, 8, 1]);
 * // From a black image, 50 Gauss-Legendre points, for the predicted classes.
 * const { attributions, convergenceDelta } = await integratedGradients(model, x, {
 *   steps: 50,
 *   returnConvergenceDelta: true,
 * });
 * // |delta| small compared with the logits: the 50 points integrate the path well.
 * console.log(await convergenceDelta!.abs().max().data());
 * // From the training mean (one example's tensor), trapezoid rule, 400 rows per pass.
 * const fromMean = await integratedGradients(model, x, {
 *   baselines: trainMean, method: 'riemannTrapezoid', steps: 100, internalBatchSize: 400,
 * });
 * tf.dispose([attributions, convergenceDelta!, fromMean.attributions]);
 * ```
 */
export async function integratedGradients(model: ModelLike, x: Tensor, options?: IntegratedGradientsOptions): Promise<AttributionResult> {
  const fn = 'integratedGradients';
  const opts = optionsObject(fn, 'options', options);
  const s = settingsOf(fn, opts);
  throwIfAborted(fn, s.signal);
  const ctx = await prepareExplanation(fn, model, x, opts);
  const baselines = await baselineLike(fn, 'options.baselines', opts.baselines, ctx.x);
  try {
    const totalGradients = await pathGradientSum(ctx, baselines, s);
    const attributions = tidy(() => mul(totalGradients, sub(ctx.x, baselines)));
    totalGradients.dispose();
    if (!s.returnConvergenceDelta) return { attributions };
    try {
      await betweenSteps(fn, s.signal);
      const targets = targetsTensor(ctx, ctx.batch, (r) => r);
      try {
        const delta: Tensor1D = convergenceDelta(ctx, attributions, ctx.x, baselines, targets, s.chunk);
        return { attributions, convergenceDelta: delta };
      } finally {
        targets.dispose();
      }
    } catch (e) {
      attributions.dispose();
      throw e;
    }
  } finally {
    baselines.dispose();
  }
}

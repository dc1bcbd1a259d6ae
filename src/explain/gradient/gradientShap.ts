import { betweenSteps, checkSignal, throwIfAborted } from '../../core/eventLoop.js';
import type { ModelLike } from '../../core/model.js';
import { resolveRng, statisticalRng, tensorSeed, type Rng } from '../../core/rng.js';
import {
  add, concat, div, gather, mul, randomNormal, reshape, slice, sub, sum, tensor, tensor1d, tidy,
  type Tensor, type Tensor1D,
} from '../../core/tf.js';
import { booleanValue, nonNegativeNumber, optionsObject, positiveInteger } from '../../core/validate.js';
import { baselineSet } from '../baselines.js';
import { prepareExplanation, targetGradients, targetsTensor, type ExplainContext } from '../context.js';
import type { AttributionResult, TargetOptions } from '../types.js';
import { convergenceDelta } from './convergence.js';
import { perRowShape, repeatRows } from '../rows.js';

/** Options of {@link gradientShap}. */
export interface GradientShapOptions extends TargetOptions {
  /**
   * The baseline distribution: a float32 tensor `[baselines, ...features]` (for example a few
   * hundred training rows). Each sample draws one of them uniformly. Required.
   */
  readonly baselines: Tensor;
  /** Samples per example (Captum's `n_samples`, an integer >= 1). Default 5. */
  readonly samples?: number;
  /**
   * Standard deviation of the Gaussian noise added to the input of every sample, in input units
   * (>= 0; no clipping). Default 0, Captum's default.
   */
  readonly stdevs?: number;
  /**
   * Source of the baseline choices, the path positions and the noise. Default `statisticalRng()`
   * (`Math.random`); pass `seededRng(seed)` for reproducible attributions.
   */
  readonly rng?: Rng;
  /** Most rows (samples × examples) per gradient pass, to bound memory. Default: all in one pass. */
  readonly internalBatchSize?: number;
  /**
   * Also return `convergenceDelta`, one value per sample `[batch·samples]` (two more forward
   * passes over the samples). Default `false`, as in Captum.
   */
  readonly returnConvergenceDelta?: boolean;
  /** Stops the computation between two gradient passes with an `AbortedError`. */
  readonly signal?: AbortSignal;
}

/** The random draws of every sample row `r = i·samples + k` (internal). */
interface Draws {
  /** The baseline of each row (an index into the baseline set). */
  readonly baselineIndex: Int32Array;
  /** Each row's input: the example plus its noise, `[rows, ...features]`. */
  readonly inputs: Tensor;
  /** Each row's position on the path from its baseline to its input, U(0, 1). */
  readonly alphas: Float32Array;
}

/** Draws in Captum's order: baselines (`np.random.choice`), noise (`torch.normal`), alphas (`np.random.uniform`). */
function draw(ctx: ExplainContext, baselineCount: number, samples: number, stdev: number, rng: Rng): Draws {
  const rows = ctx.batch * samples;
  const baselineIndex = new Int32Array(rows);
  for (let r = 0; r < rows; r++) baselineIndex[r] = Math.min(baselineCount - 1, Math.floor(rng.next() * baselineCount));
  const seed = stdev > 0 ? tensorSeed(rng) : 0;
  const inputs = tidy(() => {
    const repeated = repeatRows(ctx.x, samples);
    return stdev > 0 ? add(repeated, randomNormal(repeated.shape, 0, stdev, 'float32', seed)) : repeated;
  });
  const alphas = new Float32Array(rows);
  for (let r = 0; r < rows; r++) alphas[r] = rng.next();
  return { baselineIndex, inputs, alphas };
}

/**
 * GradientSHAP (Lundberg & Lee 2017, https://arxiv.org/abs/1705.07874; the `GradientExplainer` of
 * the shap package), as Captum's `GradientShap` (`captum/attr/_core/gradient_shap.py`): for each
 * example, `samples` times, draw a baseline `b` uniformly from the set, add `N(0, stdevs²)` noise
 * to the input (`x̃`), draw `α ~ U(0, 1)`, and take `(x̃ - b) ⊙ ∇f_t(α x̃ + (1 - α) b)`; the
 * attribution is the mean over the samples. Its expectation is integrated gradients averaged over
 * the baselines, an approximation of SHAP values; the mean's standard error shrinks as
 * `1/√samples`.
 *
 * All `batch × samples` rows go through the model in one batched pass (or passes of
 * `internalBatchSize` rows), ordered as Captum orders them (row `i·samples + k` is sample `k` of
 * example `i`). `convergenceDelta`, when asked for, is Captum's: one value per sample, the sum of
 * that sample's (single-point) attribution minus `f_t(x̃) - f_t(b)`; it measures the one-point
 * estimate's error, not the mean's.
 *
 * @param model - A `tf.LayersModel` or a function from inputs to logits or probabilities.
 * @param x - A float32 batch `[batch, ...features]` of finite values.
 * @param options - Target, the baseline set (required), samples, noise, rng, batch size, delta, signal.
 * @returns `{ attributions, convergenceDelta? }`, owned by the caller.
 * @throws {@link InvalidArgumentError} for a bad model output, target, `x`, a baseline set whose
 *   examples do not have `x`'s example shape, `samples` or `internalBatchSize` < 1, `stdevs` < 0;
 *   {@link AbortedError} when `options.signal` is aborted (nothing leaks).
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { seededRng } from 'responsible-tfjs';
 * import { gradientShap } from 'responsible-tfjs/explain';
 * const model = await tf.loadLayersModel('/models/adult/model.json');
 * const people = tf.tensor2d(rows, [5, 10]);
 * const background = tf.tensor2d(trainRows, [100, 10]); // 100 training rows as baselines
 * const { attributions } = await gradientShap(model, people, {
 *   baselines: background, samples: 200, target: [1, 1, 1, 1, 1], rng: seededRng(0),
 * });
 * attributions.print(); // per feature, its share of P(>50K) - E[P(>50K)] (approximately)
 * tf.dispose([attributions, people, background]);
 * ```
 */
export async function gradientShap(model: ModelLike, x: Tensor, options: GradientShapOptions): Promise<AttributionResult> {
  const fn = 'gradientShap';
  const opts = optionsObject(fn, 'options', options);
  const samples = positiveInteger(fn, 'options.samples', opts.samples ?? 5);
  const stdev = nonNegativeNumber(fn, 'options.stdevs', opts.stdevs ?? 0);
  const chunk = opts.internalBatchSize === undefined ? Infinity : positiveInteger(fn, 'options.internalBatchSize', opts.internalBatchSize);
  const withDelta = booleanValue(fn, 'options.returnConvergenceDelta', opts.returnConvergenceDelta ?? false);
  const rng = resolveRng(fn, opts.rng, statisticalRng);
  const signal = checkSignal(fn, 'options.signal', opts.signal);
  throwIfAborted(fn, signal);
  const ctx = await prepareExplanation(fn, model, x, opts);
  const set = await baselineSet(fn, 'options.baselines', opts.baselines, ctx.x);
  const rows = ctx.batch * samples;
  const d = draw(ctx, set.shape[0] as number, samples, stdev, rng);
  const features = ctx.x.shape.slice(1);
  const parts: Tensor[] = [];
  const deltaParts: Tensor[] = [];
  try {
    for (let start = 0; start < rows; start += chunk) {
      if (start > 0) await betweenSteps(fn, signal);
      const size = Math.min(chunk, rows - start);
      const [part, delta] = tidy(() => {
        const inputs = slice(d.inputs, start, size);
        const starts = gather(set, tensor1d(d.baselineIndex.subarray(start, start + size), 'int32'));
        const alpha = tensor(d.alphas.subarray(start, start + size), perRowShape(size, ctx.x.rank), 'float32');
        // Captum's `_scale_input`: alpha * input + (1 - alpha) * baseline.
        const points = add(mul(alpha, inputs), mul(sub(1, alpha), starts));
        const targets = targetsTensor(ctx, size, (r) => Math.floor((start + r) / samples));
        const attribution = mul(sub(inputs, starts), targetGradients(ctx, points, targets));
        const gap = withDelta ? convergenceDelta(ctx, attribution, inputs, starts, targets, size) : undefined;
        return gap === undefined ? [attribution] : [attribution, gap];
      }) as [Tensor, Tensor | undefined];
      parts.push(part);
      if (delta !== undefined) deltaParts.push(delta);
    }
    const attributions = tidy(() => {
      const all = parts.length === 1 ? (parts[0] as Tensor) : concat(parts, 0);
      // NoiseTunnel's smoothgrad: sum over the samples * 1 / n.
      return div(sum(reshape(all, [ctx.batch, samples, ...features]), 1), samples);
    });
    if (!withDelta) return { attributions };
    const delta = (deltaParts.length === 1 ? deltaParts.pop() : concat(deltaParts, 0)) as Tensor1D;
    return { attributions, convergenceDelta: delta };
  } finally {
    d.inputs.dispose();
    for (const t of [...parts, ...deltaParts]) t.dispose();
  }
}

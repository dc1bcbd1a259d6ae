import { betweenSteps, checkSignal, throwIfAborted } from '../../core/eventLoop.js';
import type { ModelLike } from '../../core/model.js';
import { dispose, slice, type Tensor } from '../../core/tf.js';
import { booleanValue, nonNegativeNumber, optionsObject, positiveInteger } from '../../core/validate.js';
import { baselineLike, type Baseline } from '../baselines.js';
import { prepareExplanation, targetsTensor } from '../context.js';
import type { AttributionResult, TargetOptions } from '../types.js';
import { deepLiftPass, type DeepLiftPassSettings } from './deepLiftPass.js';
import { DEEPLIFT_EPS } from './rules.js';
import { resultOf } from './joinRows.js';
import { hookSites, layersModelOf } from '../model/modelLayers.js';

/** Options of {@link deepLift}. */
export interface DeepLiftOptions extends TargetOptions {
  /**
   * The reference input: a number for every element, one example's tensor (the non-batch shape of
   * `x`) for every example, or a tensor of `x`'s shape with one baseline per example. Default 0
   * (Captum's default). The attributions explain `f(x) - f(baseline)`.
   */
  readonly baselines?: Baseline;
  /**
   * Also return `convergenceDelta`, per example (read off the same forward pass: no extra cost).
   * Default `false`, as in Captum, so that no tensor the caller did not ask for is returned.
   */
  readonly returnConvergenceDelta?: boolean;
  /**
   * Most examples per pass (each pass runs `2 ×` that many rows: the inputs and their baselines),
   * to bound memory (an integer >= 1). Default: the whole batch in one pass, as Captum. Splitting
   * changes nothing except with a Softmax layer, whose rule subtracts a mean over the whole pass.
   */
  readonly internalBatchSize?: number;
  /**
   * Return `(x - baselines) ⊙ multipliers` (Captum's `multiply_by_inputs=True`, the default) or,
   * with `false`, the multipliers themselves (a "global" attribution, per unit of input change).
   */
  readonly multiplyByInputs?: boolean;
  /**
   * Where a nonlinearity's input changes by less than this (`|Δin| < eps`), its normal gradient is
   * used instead of `Δout/Δin` (a number >= 0). Default `1e-10`, Captum's default.
   */
  readonly eps?: number;
  /** Stops the computation between two passes with an `AbortedError`. */
  readonly signal?: AbortSignal;
}

/** Validated settings shared with {@link deepLiftShap} (internal). */
export interface DeepLiftSettings extends DeepLiftPassSettings {
  readonly chunk: number;
  readonly signal: AbortSignal | undefined;
}

/** Validates the options common to DeepLift and DeepLift SHAP (internal). */
export function deepLiftSettings(fn: string, opts: DeepLiftOptions): DeepLiftSettings {
  return {
    eps: opts.eps === undefined ? DEEPLIFT_EPS : nonNegativeNumber(fn, 'options.eps', opts.eps),
    multiplyByInputs: booleanValue(fn, 'options.multiplyByInputs', opts.multiplyByInputs ?? true),
    withDelta: booleanValue(fn, 'options.returnConvergenceDelta', opts.returnConvergenceDelta ?? false),
    chunk: opts.internalBatchSize === undefined ? Infinity : positiveInteger(fn, 'options.internalBatchSize', opts.internalBatchSize),
    signal: checkSignal(fn, 'options.signal', opts.signal),
  };
}

/** Why the DeepLift methods need a LayersModel (for the error naming 'model'). */
export const DEEPLIFT_NEEDS_LAYERS = 'DeepLift changes the backward pass of its activation and pooling layers, which a plain function (x) => Tensor does not expose';

/**
 * DeepLIFT with the rescale rule (Shrikumar, Greenside & Kundaje 2017,
 * https://arxiv.org/abs/1704.02685, in the gradient form of Ancona et al. 2018,
 * https://arxiv.org/abs/1711.06104), as Captum's `DeepLift` (`captum/attr/_core/deep_lift.py`):
 * each input element gets `(x - b) ⊙ m`, where the multiplier `m` is the gradient of the target
 * output with every nonlinearity's local derivative replaced by its finite-difference slope between
 * the input and the baseline, `Δout/Δin`. The attributions add up to `f(x)[t] - f(b)[t]` (exactly,
 * up to float32 round-off, for ReLU networks); `convergenceDelta` reports the gap per example.
 *
 * How it runs, as in Captum: the inputs and baselines go through the model as **one** doubled
 * batch; each hooked nonlinearity passes `g ⊙ Δout/Δin` backwards (`Δ` = its input-row value minus
 * its baseline-row value), keeping the normal gradient where `|Δin| < 1e-10`; dense, convolution,
 * flatten, reshape, average pooling and every other layer pass multipliers by the chain rule.
 *
 * Which layers are nonlinearities (the tfjs counterparts of the torch modules Captum hooks,
 * `SUPPORTED_NON_LINEAR`):
 * - ReLU, ELU, LeakyReLU, sigmoid, tanh and softplus: the rescale rule. They are hooked both as
 *   layers of their own (`tf.layers.activation({ activation: 'relu' })`, `tf.layers.reLU()`,
 *   `leakyReLU`, `elu`) **and** as fused activations of Dense and convolution layers
 *   (`activation: 'relu'`), the natural tfjs form, which Captum has no equivalent of (a functional
 *   `F.relu` in a torch `forward` is not hooked): a fused activation is treated as the activation
 *   layer it stands for.
 * - MaxPooling1D/2D/3D: Captum's maxpool rule (the difference is taken against the larger of the
 *   input's and the baseline's pooled values, and `g·Δout` is unpooled to each one's argmax).
 *   With overlapping windows (strides smaller than the pool), contributions that share an argmax
 *   are added here, where torch's `max_unpool` keeps one of them.
 * - Softmax (a layer or `activation: 'softmax'`): Captum's softmax rule, the rescale rule minus the
 *   mean of the gradient over the **whole** doubled batch and all classes. Prefer explaining the
 *   logits (a model without its final softmax): the rule is a heuristic, not complete.
 * - Other nonlinearities (a clipped `reLU({ maxValue })`, relu6, selu, gelu, swish, PReLU,
 *   global max pooling, recurrent layers) keep their normal gradient, as Captum keeps it for the
 *   modules it does not know: the attributions are then not complete, which `convergenceDelta`
 *   shows.
 *
 * Each application of a layer gets its own rule, so a layer used twice (a shared layer, which
 * Captum refuses) is handled. The model is changed only during one synchronous gradient
 * computation and restored right after (also when it throws); nested models and functional models
 * (`tf.model`) are hooked the same way.
 *
 * @param model - A `tf.LayersModel` (Sequential or functional) returning logits or probabilities,
 *   `[batch, classes]` (or `[batch, 1]` for a binary model). A plain function cannot be hooked and
 *   is refused.
 * @param x - A float32 batch `[batch, ...features]` of finite values.
 * @param options - Target, baselines, delta, `multiplyByInputs`, `eps`, internal batch size, signal.
 * @returns `{ attributions, convergenceDelta? }`: attributions of `x`'s shape in output units; the
 *   `[batch]` delta when `returnConvergenceDelta` is true. The caller owns both.
 * @throws {@link InvalidArgumentError} for a model that is not a LayersModel, a bad model output,
 *   target, `x`, baselines of another shape or a bad option; {@link AbortedError} when
 *   `options.signal` is aborted (nothing leaks).
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { deepLift } from 'responsible-tfjs/explain';
 * const model = await tf.loadLayersModel('/models/digits/model.json');
 * const x = tf.tensor4d(pixels, [32, 8, 8, 1]);
 * // Against a black image, for the predicted classes, with the completeness gap.
 * const { attributions, convergenceDelta } = await deepLift(model, x, { returnConvergenceDelta: true });
 * // For a ReLU network the attributions add up to f(x) - f(black): |delta| is float32 round-off.
 * console.log(await convergenceDelta!.abs().max().data());
 * // Against the training mean (one example's tensor), for class 3 everywhere.
 * const fromMean = await deepLift(model, x, { baselines: trainMean, target: new Array(32).fill(3) });
 * tf.dispose([attributions, convergenceDelta!, fromMean.attributions]);
 * ```
 */
export async function deepLift(model: ModelLike, x: Tensor, options?: DeepLiftOptions): Promise<AttributionResult> {
  const fn = 'deepLift';
  const opts = optionsObject(fn, 'options', options);
  const layersModel = layersModelOf(fn, model, DEEPLIFT_NEEDS_LAYERS);
  const s = deepLiftSettings(fn, opts);
  throwIfAborted(fn, s.signal);
  const ctx = await prepareExplanation(fn, model, x, opts);
  const baselines = await baselineLike(fn, 'options.baselines', opts.baselines, ctx.x);
  const sites = hookSites(layersModel);
  const chunk = Math.min(ctx.batch, s.chunk);
  const parts: Tensor[] = [];
  const deltas: Tensor[] = [];
  try {
    for (let start = 0; start < ctx.batch; start += chunk) {
      if (start > 0) await betweenSteps(fn, s.signal);
      const size = Math.min(chunk, ctx.batch - start);
      const inputs = size === ctx.batch ? ctx.x : slice(ctx.x, start, size);
      const starts = size === ctx.batch ? baselines : slice(baselines, start, size);
      const targets = targetsTensor(ctx, size, (r) => start + r);
      try {
        const part = deepLiftPass(ctx, sites, inputs, starts, targets, s);
        parts.push(part.attributions);
        if (part.delta !== undefined) deltas.push(part.delta);
      } finally {
        targets.dispose();
        if (inputs !== ctx.x) inputs.dispose();
        if (starts !== baselines) starts.dispose();
      }
    }
  } catch (e) {
    dispose([...parts, ...deltas]);
    throw e;
  } finally {
    baselines.dispose();
  }
  return resultOf(parts, deltas, s.withDelta);
}

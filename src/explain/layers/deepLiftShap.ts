import { betweenSteps, throwIfAborted } from '../../core/eventLoop.js';
import type { ModelLike } from '../../core/model.js';
import { dispose, gather, mean, reshape, tensor1d, tidy, type Tensor } from '../../core/tf.js';
import { optionsObject } from '../../core/validate.js';
import { baselineSet } from '../baselines.js';
import { prepareExplanation, targetsTensor, type ExplainContext } from '../context.js';
import type { AttributionResult, TargetOptions } from '../types.js';
import { DEEPLIFT_NEEDS_LAYERS, deepLiftSettings } from './deepLift.js';
import { deepLiftPass, type DeepLiftPassSettings } from './deepLiftPass.js';
import { resultOf } from './joinRows.js';
import { hookSites, layersModelOf, type HookSite } from '../model/modelLayers.js';

/** Options of {@link deepLiftShap}. */
export interface DeepLiftShapOptions extends TargetOptions {
  /**
   * The baseline distribution: a float32 tensor `[baselines, ...features]` (for example a few
   * dozen training rows). Every example is explained against every baseline. Required. Captum
   * asks for at least two; one baseline is accepted here and gives DeepLift against it.
   */
  readonly baselines: Tensor;
  /**
   * Also return `convergenceDelta`, one value per (example, baseline) pair, `[batch·baselines]`,
   * input-major (index `i·baselines + b`), as Captum. Default `false`, as in Captum.
   */
  readonly returnConvergenceDelta?: boolean;
  /**
   * Most (example, baseline) pairs per pass, rounded down to whole examples (at least one
   * example's pairs); each pass runs twice that many rows. Default: every pair in one pass, as
   * Captum. Splitting changes nothing except with a Softmax layer, whose rule subtracts a mean
   * over the whole pass.
   */
  readonly internalBatchSize?: number;
  /**
   * Return `(x - b) ⊙ multipliers` averaged over the baselines (Captum's `multiply_by_inputs=True`,
   * the default) or, with `false`, the multipliers averaged over the baselines.
   */
  readonly multiplyByInputs?: boolean;
  /** Stops the computation between two passes with an `AbortedError`. */
  readonly signal?: AbortSignal;
}

/**
 * DeepLift of the pairs of examples `[first, first + examples)` with every baseline: pair
 * `r = i·B + b` is example `first + i` against baseline `b` (Captum's `repeat_interleave` of the
 * inputs and `repeat` of the baselines). Returns the attributions averaged over the baselines and
 * the per-pair deltas (caller-owned).
 */
function pairsPass(
  ctx: ExplainContext, sites: readonly HookSite[], baselines: Tensor, first: number, examples: number, s: DeepLiftPassSettings,
): { attributions: Tensor; delta?: Tensor } {
  const count = baselines.shape[0] as number;
  const pairs = examples * count;
  const exampleIndex = new Int32Array(pairs);
  const baselineIndex = new Int32Array(pairs);
  for (let r = 0; r < pairs; r++) {
    exampleIndex[r] = first + Math.floor(r / count);
    baselineIndex[r] = r % count;
  }
  const [inputs, starts] = tidy(() => [gather(ctx.x, tensor1d(exampleIndex, 'int32')), gather(baselines, tensor1d(baselineIndex, 'int32'))]);
  const targets = targetsTensor(ctx, pairs, (r) => exampleIndex[r] as number);
  try {
    const pass = deepLiftPass(ctx, sites, inputs as Tensor, starts as Tensor, targets, s);
    const features = ctx.x.shape.slice(1);
    const averaged = tidy(() => mean(reshape(pass.attributions, [examples, count, ...features]), 1));
    pass.attributions.dispose();
    return pass.delta === undefined ? { attributions: averaged } : { attributions: averaged, delta: pass.delta };
  } finally {
    dispose([inputs as Tensor, starts as Tensor, targets]);
  }
}

/**
 * DeepLift SHAP, as Captum's `DeepLiftShap` (`captum/attr/_core/deep_lift.py`): DeepLift of every
 * example against every baseline of a set, averaged over the baselines, an approximation of SHAP
 * values (Lundberg & Lee 2017, https://arxiv.org/abs/1705.07874) when the baselines are samples
 * of the data. Each example's attributions add up to `f(x)[t]` minus the mean of `f(b)[t]` over
 * the baselines (for ReLU networks, up to round-off); `convergenceDelta` gives the gap of every
 * pair.
 *
 * All `batch × baselines` pairs go through the model in one doubled batch (or passes of
 * `internalBatchSize` pairs), with the rules of {@link deepLift} (the same layers are hooked,
 * fused activations included). The `'predicted'` target is predicted on `x` and used with every
 * baseline.
 *
 * @param model - A `tf.LayersModel` returning logits or probabilities (a plain function cannot be
 *   hooked and is refused).
 * @param x - A float32 batch `[batch, ...features]` of finite values.
 * @param options - Baselines (required), target, delta, `multiplyByInputs`, internal batch size, signal.
 * @returns `{ attributions, convergenceDelta? }`: attributions of `x`'s shape in output units; the
 *   `[batch·baselines]` delta (input-major) when `returnConvergenceDelta` is true. The caller owns
 *   both.
 * @throws {@link InvalidArgumentError} for a model that is not a LayersModel, a bad model output,
 *   target or `x`, baselines missing or of the wrong shape, or a bad option; {@link AbortedError}
 *   when `options.signal` is aborted (nothing leaks).
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { deepLiftShap } from 'responsible-tfjs/explain';
 * const model = await tf.loadLayersModel('/models/adult-mlp/model.json');
 * // 20 applicants explained against 50 training rows (1000 pairs in one pass).
 * const background = trainRows.slice(0, 50);
 * const { attributions, convergenceDelta } = await deepLiftShap(model, applicants, {
 *   baselines: background,
 *   returnConvergenceDelta: true,
 * });
 * // Per applicant and feature: how much it moved the score away from the background's.
 * attributions.print();
 * tf.dispose([attributions, convergenceDelta!]);
 * ```
 */
export async function deepLiftShap(model: ModelLike, x: Tensor, options: DeepLiftShapOptions): Promise<AttributionResult> {
  const fn = 'deepLiftShap';
  const opts = optionsObject(fn, 'options', options);
  const layersModel = layersModelOf(fn, model, DEEPLIFT_NEEDS_LAYERS);
  // Captum's DeepLiftShap has no eps option: the default is used.
  const s = deepLiftSettings(fn, { ...opts, eps: undefined });
  throwIfAborted(fn, s.signal);
  const ctx = await prepareExplanation(fn, model, x, opts);
  const baselines = await baselineSet(fn, 'options.baselines', opts.baselines, ctx.x);
  const sites = hookSites(layersModel);
  const count = baselines.shape[0] as number;
  const examplesPerPass = Math.max(1, Math.min(ctx.batch, Math.floor(s.chunk / count)));
  const parts: Tensor[] = [];
  const deltas: Tensor[] = [];
  try {
    for (let first = 0; first < ctx.batch; first += examplesPerPass) {
      if (first > 0) await betweenSteps(fn, s.signal);
      const pass = pairsPass(ctx, sites, baselines, first, Math.min(examplesPerPass, ctx.batch - first), s);
      parts.push(pass.attributions);
      if (pass.delta !== undefined) deltas.push(pass.delta);
    }
  } catch (e) {
    dispose([...parts, ...deltas]);
    throw e;
  }
  return resultOf(parts, deltas, s.withDelta);
}

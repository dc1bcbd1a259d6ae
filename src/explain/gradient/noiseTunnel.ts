import { betweenSteps, checkSignal, throwIfAborted } from '../../core/eventLoop.js';
import { isTensor } from '../../core/labels.js';
import type { ModelLike } from '../../core/model.js';
import { resolveRng, statisticalRng, tensorSeed, type Rng } from '../../core/rng.js';
import {
  add, concat, div, mul, randomNormal, reshape, square, sub, sum, tidy, type Tensor, type Tensor1D,
} from '../../core/tf.js';
import { invalid, nonNegativeNumber, oneOf, optionsObject, positiveInteger } from '../../core/validate.js';
import { prepareExplanation } from '../context.js';
import type { AttributionMethod, AttributionResult, TargetOptions } from '../types.js';
import { repeatRows } from '../rows.js';

/**
 * How the attributions of the noisy copies are combined (Captum's `nt_type`): `'smoothgrad'` their
 * mean (Smilkov et al. 2017), `'smoothgradSq'` the mean of their squares, `'vargrad'` their
 * population variance `mean(a²) - mean(a)²` (Adebayo et al. 2018).
 */
export type NoiseTunnelType = 'smoothgrad' | 'smoothgradSq' | 'vargrad';

/** The options of {@link noiseTunnel} itself (every other option goes to the method). */
export interface NoiseTunnelSettings {
  /** How the noisy attributions are combined. Default `'smoothgrad'`. */
  readonly type?: NoiseTunnelType;
  /** Noisy copies of each example (an integer >= 1). Default 5 (Captum's `nt_samples`). */
  readonly samples?: number;
  /**
   * Standard deviation of the Gaussian noise added to every input element, in input units
   * (absolute, not relative to the input's range; no clipping), >= 0. Default 1, Captum's default:
   * for pixels in [0, 1] pick something like 0.1–0.2 (Smilkov et al. suggest 10–20% of the range).
   */
  readonly stdevs?: number;
  /**
   * Noisy copies of each example per call of the method (Captum's `nt_samples_batch_size`), to
   * bound memory. Default: all `samples` copies of every example in one call.
   */
  readonly samplesBatchSize?: number;
  /**
   * Source of the noise (seeded through `tensorSeed` for `tf.randomNormal`); also passed to the
   * method, so a stochastic method is reproducible from the same seed. Default `statisticalRng()`
   * (`Math.random`).
   */
  readonly rng?: Rng;
  /** Stops the computation between two calls of the method (also passed to the method). */
  readonly signal?: AbortSignal;
}

/**
 * Options of {@link noiseTunnel}: its own settings and the method's options (target, baselines,
 * steps, ...), which are passed on. A method option named like a setting (`samples`, `stdevs`,
 * `type`, `samplesBatchSize`) cannot be passed through: wrap the method instead, e.g.
 * `(m, x, o) => gradientShap(m, x, { ...o, samples: 20 })`.
 */
export type NoiseTunnelOptions<O extends TargetOptions = TargetOptions> =
  NoiseTunnelSettings & Omit<O, 'type' | 'samples' | 'stdevs' | 'samplesBatchSize' | 'rng' | 'signal'>;

const OWN_OPTIONS = new Set(['type', 'samples', 'stdevs', 'samplesBatchSize']);

/**
 * The method's options for a chunk of `copies` noisy copies per example: the targets resolved on
 * the clean batch and repeated, every tensor option of `x`'s shape (per-example baselines, feature
 * masks, ...) repeated like the rows (Captum's `_expand_and_update_baselines` and
 * `_expand_and_update_feature_mask`), the rest as given. Returns the options and the tensors it
 * made (to dispose).
 */
function chunkOptions(
  opts: Record<string, unknown>, x: Tensor, targets: Int32Array, copies: number,
): { options: Record<string, unknown>; made: Tensor[] } {
  const options: Record<string, unknown> = {};
  const made: Tensor[] = [];
  for (const [key, value] of Object.entries(opts)) {
    if (OWN_OPTIONS.has(key)) continue;
    if (isTensor(value) && !value.isDisposed && value.rank === x.rank && value.shape.every((d, i) => d === x.shape[i])) {
      const repeated = repeatRows(value, copies);
      made.push(repeated);
      options[key] = repeated;
    } else {
      options[key] = value;
    }
  }
  const expanded = new Int32Array(targets.length * copies);
  for (let r = 0; r < expanded.length; r++) expanded[r] = targets[Math.floor(r / copies)] as number;
  options.target = expanded;
  return { options, made };
}

/** Checks what the method returned for `rows` noisy rows of `x`'s example shape. */
function checkResult(fn: string, result: unknown, x: Tensor, rows: number): AttributionResult {
  const r = result as Partial<AttributionResult> | undefined;
  const shape = [rows, ...x.shape.slice(1)];
  const delta = typeof r === 'object' && r !== null ? r.convergenceDelta : undefined;
  const ok = typeof r === 'object' && r !== null && isTensor(r.attributions) && !r.attributions.isDisposed
    && r.attributions.rank === shape.length && r.attributions.shape.every((d, i) => d === shape[i])
    && (delta === undefined || (isTensor(delta) && !delta.isDisposed && delta.size > 0 && delta.size % rows === 0));
  if (!ok) {
    if (typeof r === 'object' && r !== null) {
      if (isTensor(r.attributions)) r.attributions.dispose();
      if (isTensor(r.convergenceDelta)) r.convergenceDelta.dispose();
    }
    invalid(fn, 'method', result, `an attribution method resolving to { attributions } of shape [${shape.join(', ')}] for ${rows} noisy rows (and a convergenceDelta with a whole number of values per row, if any)`);
  }
  return r as AttributionResult;
}

/**
 * NoiseTunnel (Captum's `NoiseTunnel`, `captum/attr/_core/noise_tunnel.py`) over any attribution
 * method, the library's or yours: SmoothGrad (Smilkov et al. 2017, https://arxiv.org/abs/1706.03825),
 * SmoothGrad² and VarGrad (Adebayo et al. 2018, https://arxiv.org/abs/1810.03307). Each example
 * is copied `samples` times, Gaussian noise `N(0, stdevs²)` is added to every element of every
 * copy (absolute, in input units, no clipping), the method explains every copy, and the copies'
 * attributions are combined per example by `type`.
 *
 * Batched: the noisy copies of all examples go to the method in one call (or one call per
 * `samplesBatchSize` copies of each), rows ordered as Captum orders them (`repeat_interleave`:
 * row `i·samples + k` is copy `k` of example `i`). The `'predicted'` target is resolved once on
 * the clean `x` and repeated for the copies, so every copy explains the same class. Every other
 * option goes to the method; tensor options of `x`'s shape (one value per example, such as
 * per-example baselines) are repeated like the rows, as Captum expands `baselines` and
 * `feature_mask` (a GradientSHAP baseline set that happens to have `batch` rows is repeated too,
 * which leaves its distribution unchanged); give per-example options as tensors.
 *
 * When the method returns a convergence delta (e.g. `returnConvergenceDelta: true` for
 * {@link integratedGradients}), `convergenceDelta` holds the method's deltas of every noisy copy,
 * `[batch·samples]` (times the method's deltas per row, e.g. one per baseline for DeepLift SHAP),
 * ordered example-major (Captum's order without `samplesBatchSize`; Captum concatenates its chunks
 * as they come).
 *
 * Why `noiseTunnel(method, model, x, options)` rather than the curried `noiseTunnel(method, options)`
 * the issue sketched: it keeps the shape of every other method (`(model, x, options)`, with the
 * method first) and the options typed by the method's, and makes the noise explicit at the call;
 * an {@link AttributionMethod} for the quality metrics is one arrow away:
 * `(m, x, o) => noiseTunnel(saliency, m, x, { ...o, stdevs: 0.15 })`.
 *
 * @param method - Any {@link AttributionMethod} (`saliency`, `integratedGradients`, ... or your own),
 *   or a method whose options are required, such as {@link gradientShap}.
 * @param model - A `tf.LayersModel` or a function from inputs to logits or probabilities.
 * @param x - A float32 batch `[batch, ...features]` of finite values.
 * @param options - The tunnel's settings and the method's options.
 * @returns `{ attributions, convergenceDelta? }`, owned by the caller.
 * @throws {@link InvalidArgumentError} for a bad model, `x`, target or setting, or a method that
 *   does not resolve to attributions of the noisy batch's shape; {@link AbortedError} when
 *   `options.signal` is aborted; whatever the method throws (nothing leaks).
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { seededRng } from 'responsible-tfjs';
 * import { integratedGradients, noiseTunnel, saliency } from 'responsible-tfjs/explain';
 * const model = await tf.loadLayersModel('/models/digits/model.json');
 * const x = tf.tensor4d(pixels, [8, 8, 8, 1]);
 * // SmoothGrad: the mean signed gradient over 50 copies with noise of sd 0.15 (pixels in [0, 1]).
 * const smooth = await noiseTunnel(saliency, model, x, {
 *   type: 'smoothgrad', samples: 50, stdevs: 0.15, rng: seededRng(7), abs: false,
 * });
 * // VarGrad over integrated gradients (20 steps each), 10 copies per call of the method.
 * const varIg = await noiseTunnel(integratedGradients, model, x, {
 *   type: 'vargrad', samples: 30, samplesBatchSize: 10, stdevs: 0.1, steps: 20,
 * });
 * tf.dispose([smooth.attributions, varIg.attributions]);
 * ```
 */
export async function noiseTunnel<O extends TargetOptions | undefined>(
  method: (model: ModelLike, x: Tensor, options: O) => Promise<AttributionResult>, model: ModelLike, x: Tensor,
  options?: NoiseTunnelOptions<NonNullable<O>>,
): Promise<AttributionResult> {
  const fn = 'noiseTunnel';
  if (typeof method !== 'function') invalid(fn, 'method', method, 'an attribution method (model, x, options) => Promise<{ attributions }>');
  const opts = optionsObject(fn, 'options', options) as NoiseTunnelOptions<NonNullable<O>> & Record<string, unknown>;
  const type = oneOf(fn, 'options.type', opts.type ?? 'smoothgrad', ['smoothgrad', 'smoothgradSq', 'vargrad'] as const);
  const samples = positiveInteger(fn, 'options.samples', opts.samples ?? 5);
  const stdev = nonNegativeNumber(fn, 'options.stdevs', opts.stdevs ?? 1);
  const perCall = Math.min(samples, opts.samplesBatchSize === undefined ? samples : positiveInteger(fn, 'options.samplesBatchSize', opts.samplesBatchSize));
  const rng = resolveRng(fn, opts.rng, statisticalRng);
  const signal = checkSignal(fn, 'options.signal', opts.signal);
  throwIfAborted(fn, signal);
  const ctx = await prepareExplanation(fn, model, x, opts);
  const batch = ctx.batch;
  let sumA: Tensor | undefined;
  let sumSq: Tensor | undefined;
  const deltas: Tensor[] = [];
  try {
    for (let done = 0; done < samples; done += perCall) {
      if (done > 0) await betweenSteps(fn, signal);
      const copies = Math.min(perCall, samples - done);
      const rows = batch * copies;
      const seed = stdev > 0 ? tensorSeed(rng) : 0;
      const noisy = tidy(() => {
        const repeated = repeatRows(ctx.x, copies);
        return stdev > 0 ? add(repeated, randomNormal(repeated.shape, 0, stdev, 'float32', seed)) : repeated;
      });
      const { options: inner, made } = chunkOptions(opts, ctx.x, ctx.targets, copies);
      let result: AttributionResult;
      try {
        result = checkResult(fn, await method(model, noisy, { ...inner, rng, signal } as unknown as O), ctx.x, rows);
      } finally {
        noisy.dispose();
        for (const t of made) t.dispose();
      }
      const a = result.attributions;
      const [partSum, partSq] = tidy(() => {
        const perExample = reshape(a, [batch, copies, ...ctx.x.shape.slice(1)]);
        return [sum(perExample, 1), sum(square(perExample), 1)];
      }) as [Tensor, Tensor];
      a.dispose();
      if (result.convergenceDelta !== undefined) {
        deltas.push(reshape(result.convergenceDelta, [batch, copies, -1]));
        result.convergenceDelta.dispose();
      }
      sumA = accumulate(sumA, partSum);
      sumSq = accumulate(sumSq, partSq);
    }
    const [total, totalSq] = [sumA as Tensor, sumSq as Tensor];
    const attributions = tidy(() => {
      // Captum: sum * 1 / n, then the smoothing of `_compute_smoothing`.
      const mean = div(total, samples);
      if (type === 'smoothgrad') return mean;
      const meanSq = div(totalSq, samples);
      return type === 'smoothgradSq' ? meanSq : sub(meanSq, mul(mean, mean));
    });
    if (deltas.length === 0) return { attributions };
    const convergenceDelta = tidy(() => reshape(deltas.length === 1 ? (deltas[0] as Tensor) : concat(deltas, 1), [-1])) as Tensor1D;
    return { attributions, convergenceDelta };
  } finally {
    sumA?.dispose();
    sumSq?.dispose();
    for (const d of deltas) d.dispose();
  }
}

/** `total + part`, disposing the operands (the first part is kept as the total). */
function accumulate(total: Tensor | undefined, part: Tensor): Tensor {
  if (total === undefined) return part;
  const next = add(total, part);
  total.dispose();
  part.dispose();
  return next;
}

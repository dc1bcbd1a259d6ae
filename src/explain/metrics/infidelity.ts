import { betweenSteps, checkSignal, throwIfAborted } from '../../core/eventLoop.js';
import type { ModelLike } from '../../core/model.js';
import { resolveRng, statisticalRng, type Rng } from '../../core/rng.js';
import { assertFiniteTensor, tensorArgument } from '../../core/tensorArgument.js';
import {
  add, dispose, div, equal, mul, onesLike, reshape, square, sub, sum, tidy, where, type Tensor, type Tensor1D,
} from '../../core/tf.js';
import { booleanValue, invalid, optionsObject, positiveInteger, positiveNumber } from '../../core/validate.js';
import { baselineLike, type Baseline } from '../baselines.js';
import { prepareExplanation, targetOutputs, targetsTensor, type ExplainContext } from '../context.js';
import { repeatRows } from '../rows.js';
import type { TargetOptions } from '../types.js';
import { passes, samplesPerPass } from './passes.js';
import { gaussianPerturbation, runInfidelityPerturbation, type InfidelityPerturbation } from './perturbations.js';

/** Options of {@link infidelity}. */
export interface InfidelityOptions extends TargetOptions {
  /**
   * How to perturb the inputs: a function of the repeated inputs returning
   * `{ perturbation, perturbed }` (see {@link InfidelityPerturbation}). Default: Gaussian noise
   * `I ~ N(0, stdev²)` per element and `perturbed = x − I`, seeded from `rng`.
   */
  readonly perturbation?: InfidelityPerturbation;
  /**
   * Standard deviation of the default Gaussian perturbation, in input units (> 0). Default 0.1
   * (a tenth of a `[0, 1]` feature range). Only with the default perturbation.
   */
  readonly stdev?: number;
  /** Perturbations per example (Captum's `n_perturb_samples`), an integer >= 1. Default 10. */
  readonly samples?: number;
  /**
   * Rescale the attributions by the least-squares factor `β` before scoring, so that the score
   * does not change when the attributions are multiplied by a constant (Captum's `normalize`).
   * Default false.
   */
  readonly normalize?: boolean;
  /**
   * Baselines handed to the perturbation function (`batch.baselines`, repeated like the inputs),
   * for perturbations defined relative to a baseline: a number, one example's tensor, or one per
   * example. The default perturbation ignores them.
   */
  readonly baselines?: Baseline;
  /**
   * Most rows per model pass (Captum's `max_examples_per_batch`): the samples are split so that a
   * pass holds `floor(internalBatchSize / batch)` copies of each example (at least one). Default:
   * all samples in one pass.
   */
  readonly internalBatchSize?: number;
  /** Source of the default perturbation's noise (handed to custom perturbations too). Default `Math.random`. */
  readonly rng?: Rng;
  /** Stops the computation between passes with an AbortedError. */
  readonly signal?: AbortSignal;
}

interface InfidelitySettings {
  readonly perturbation: InfidelityPerturbation;
  readonly samples: number;
  readonly normalize: boolean;
  readonly rng: Rng;
  readonly signal: AbortSignal | undefined;
}

function infidelitySettings(fn: string, opts: InfidelityOptions): InfidelitySettings {
  let perturbation: InfidelityPerturbation;
  if (opts.perturbation !== undefined) {
    if (typeof opts.perturbation !== 'function') {
      invalid(fn, 'options.perturbation', opts.perturbation, 'a function (x, batch) => { perturbation, perturbed }');
    }
    if (opts.stdev !== undefined) {
      invalid(fn, 'options.stdev', opts.stdev, 'undefined when options.perturbation is given (stdev sets the default Gaussian perturbation)');
    }
    perturbation = opts.perturbation;
  } else {
    perturbation = gaussianPerturbation(positiveNumber(fn, 'options.stdev', opts.stdev ?? 0.1));
  }
  return {
    perturbation,
    samples: positiveInteger(fn, 'options.samples', opts.samples ?? 10),
    normalize: booleanValue(fn, 'options.normalize', opts.normalize ?? false),
    rng: resolveRng(fn, opts.rng, statisticalRng),
    signal: checkSignal(fn, 'options.signal', opts.signal),
  };
}

/** Checks that the attributions are a live float32 tensor of `x`'s shape with finite values. */
async function checkAttributions(fn: string, attributions: unknown, x: Tensor): Promise<Tensor> {
  const a = tensorArgument(fn, 'attributions', attributions, `a tf.Tensor of x's shape [${x.shape.join(', ')}]`);
  if (a.rank !== x.rank || a.shape.some((d, i) => d !== x.shape[i])) {
    invalid(fn, 'attributions', `a tensor of shape [${a.shape.join(', ')}]`, `a tensor of x's shape [${x.shape.join(', ')}]`);
  }
  if (a.dtype !== 'float32') invalid(fn, 'attributions', a, 'a float32 tensor');
  await assertFiniteTensor(fn, 'attributions', a);
  return a;
}

/**
 * One pass of `copies` samples per example: the per-example sums over those samples of
 * `(a − d)²` (or of `a²`, `a·d`, `d²` when normalizing), where `a = Σ attributions ⊙ I` and
 * `d = f(x)[t] − f(perturbed)[t]`. @returns Caller-owned `[batch]` tensors.
 */
function passSums(
  ctx: ExplainContext, s: InfidelitySettings, attributions: Tensor, cleanOutputs: Tensor1D, baselines: Tensor | undefined,
  firstSample: number, copies: number,
): Tensor1D[] {
  const { batch, featureSize } = ctx;
  const rows = batch * copies;
  const xs = repeatRows(ctx.x, copies);
  const bs = baselines === undefined ? undefined : repeatRows(baselines, copies);
  let perturbed: { perturbation: Tensor; perturbed: Tensor } | undefined;
  let targets: Tensor1D | undefined;
  let outputs: Tensor1D | undefined;
  try {
    perturbed = runInfidelityPerturbation(ctx.fn, s.perturbation, xs, {
      copies, firstSample, rng: s.rng, ...(bs !== undefined ? { baselines: bs } : {}),
    });
    targets = targetsTensor(ctx, rows, (r) => Math.floor(r / copies));
    outputs = targetOutputs(ctx, perturbed.perturbed, targets);
    const [I, fp] = [perturbed.perturbation, outputs];
    return tidy(() => {
      // Captum's `_next_infidelity_tensors`: a = Σ attr ⊙ I per row, d = f(x) − f(x − I), both [batch, copies].
      const a = sum(mul(reshape(I, [batch, copies, featureSize]), reshape(attributions, [batch, 1, featureSize])), 2);
      const d = sub(reshape(cleanOutputs, [batch, 1]), reshape(fp, [batch, copies]));
      if (!s.normalize) return [sum(square(sub(a, d)), 1) as Tensor1D];
      return [sum(square(a), 1), sum(mul(a, d), 1), sum(square(d), 1)] as Tensor1D[];
    });
  } finally {
    dispose([xs, ...(bs !== undefined ? [bs] : []), ...(targets !== undefined ? [targets] : []), ...(outputs !== undefined ? [outputs] : [])]);
    if (perturbed !== undefined) dispose([perturbed.perturbation, perturbed.perturbed]);
  }
}

/**
 * Infidelity (Yeh et al. 2019, "On the (In)fidelity and Sensitivity of Explanations",
 * https://arxiv.org/abs/1901.09392), as Captum's `infidelity` (`captum/metrics/_core/infidelity.py`):
 * how badly the attributions predict the change of the target output when the input is perturbed.
 * For each example it draws `samples` perturbations `I_k` and returns
 *
 *   `mean_k (Σ attributions ⊙ I_k − (f(x)[t] − f(x − I_k)[t]))²`
 *
 * (lower is better; `f(·)[t]` is the target output). With `normalize: true` the attributions are
 * first scaled by `β = Σ_k a_k d_k / Σ_k a_k²` (`a_k = Σ attributions ⊙ I_k`,
 * `d_k = f(x)[t] − f(x − I_k)[t]`; `β = Σ a_k d_k` when `Σ a_k² = 0`, Captum's `safe_div`), the
 * scale that fits best, so the score judges the attributions' shape, not their scale.
 *
 * The perturbations come from `options.perturbation`: it receives every example repeated
 * `samples` times (row `i·samples + k` is copy `k` of example `i`, as Captum's
 * `repeat_interleave`) and returns `{ perturbation: I, perturbed: x − I }`. All perturbed copies go
 * through the model in one batched pass (split by `internalBatchSize`). The default perturbation
 * is Gaussian noise `N(0, stdev²)` with `stdev` 0.1 in input units: Captum requires a perturbation
 * function, so choose one that fits your data's scale. To mimic Captum's
 * `infidelity_perturb_func_decorator(multiply_by_inputs=True)` for global attributions
 * (integrated gradients, input × gradient, DeepLift), return `perturbation = (x − perturbed) / x`
 * (Captum's `safe_div`: divided by 1 where `x = 0`) from your function.
 *
 * @param model - A `tf.LayersModel` or a function from inputs to logits or probabilities.
 * @param x - The float32 batch `[batch, ...features]` that was explained.
 * @param attributions - The attributions of `x` to score, a float32 tensor of `x`'s shape (e.g. the
 *   `attributions` of any method of this module).
 * @param options - `target` (the class the attributions explain; default `'predicted'`),
 *   `perturbation` or `stdev`, `samples`, `normalize`, `baselines`, `internalBatchSize`, `rng`,
 *   `signal`.
 * @returns The infidelity of every example, a `[batch]` tensor owned by the caller (Captum returns
 *   the same per-example tensor).
 * @throws {@link InvalidArgumentError} for a bad model, `x`, target, attributions of another shape or
 *   with non-finite values, a bad option, or a perturbation returning tensors of the wrong shape;
 *   {@link AbortedError} when `options.signal` is aborted. Nothing leaks on errors.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { infidelity, integratedGradients, saliency } from 'responsible-tfjs/explain';
 * import { seededRng } from 'responsible-tfjs';
 * const model = await tf.loadLayersModel('/models/digits/model.json');
 * const x = tf.tensor4d(pixels, [16, 8, 8, 1]);      // 16 digits in [0, 1]
 * const ig = await integratedGradients(model, x);
 * const sal = await saliency(model, x, { abs: false });
 * // The same 50 Gaussian perturbations (σ = 0.05) for both methods: lower is more faithful.
 * const options = { samples: 50, stdev: 0.05 };
 * const infIg = await infidelity(model, x, ig.attributions, { ...options, rng: seededRng(1) });
 * const infSal = await infidelity(model, x, sal.attributions, { ...options, rng: seededRng(1) });
 * console.log(tf.mean(infIg).dataSync()[0], tf.mean(infSal).dataSync()[0]);
 * // A custom perturbation: switch off a random half of the pixels (I = x on those pixels).
 * const dropHalf = await infidelity(model, x, ig.attributions, {
 *   perturbation: (xs) => {
 *     const mask = tf.cast(tf.less(tf.randomUniform(xs.shape), 0.5), 'float32');
 *     const perturbation = tf.mul(xs, mask);
 *     return { perturbation, perturbed: tf.sub(xs, perturbation) };
 *   },
 * });
 * tf.dispose([ig.attributions, ig.convergenceDelta!, sal.attributions, infIg, infSal, dropHalf]);
 * ```
 */
export async function infidelity(model: ModelLike, x: Tensor, attributions: Tensor, options?: InfidelityOptions): Promise<Tensor1D> {
  const fn = 'infidelity';
  const opts = optionsObject(fn, 'options', options);
  const s = infidelitySettings(fn, opts);
  // Infidelity only runs the model: no gradients needed.
  const ctx = await prepareExplanation(fn, model, x, opts, { gradients: false });
  const perPass = samplesPerPass(fn, opts.internalBatchSize, ctx.batch, s.samples);
  const attr = await checkAttributions(fn, attributions, ctx.x);
  const baselines = opts.baselines === undefined ? undefined : await baselineLike(fn, 'options.baselines', opts.baselines, ctx.x);
  let cleanOutputs: Tensor1D | undefined;
  let totals: Tensor1D[] | undefined;
  try {
    throwIfAborted(fn, s.signal);
    const targets = targetsTensor(ctx, ctx.batch, (r) => r);
    try {
      cleanOutputs = targetOutputs(ctx, ctx.x, targets);
    } finally {
      targets.dispose();
    }
    for (const [first, copies] of passes(s.samples, perPass)) {
      if (first > 0) await betweenSteps(fn, s.signal);
      const sums = passSums(ctx, s, attr, cleanOutputs, baselines, first, copies);
      if (totals === undefined) {
        totals = sums;
        continue;
      }
      const previous = totals;
      try {
        totals = tidy(() => previous.map((t, i) => add(t, sums[i] as Tensor1D) as Tensor1D));
      } finally {
        dispose(sums);
      }
      dispose(previous);
    }
    const [t0, t1, t2] = totals as Tensor1D[];
    return tidy(() => {
      if (!s.normalize) return div(t0 as Tensor1D, s.samples) as Tensor1D;
      const [aa, ad, dd] = [t0 as Tensor1D, t1 as Tensor1D, t2 as Tensor1D];
      // Captum: beta = safe_div(Σ a·d, Σ a²) (denominator 1 where Σ a² = 0), then
      // β²·Σa² − 2β·Σa·d + Σd², divided by the number of samples.
      const beta = div(ad, where(equal(aa, 0), onesLike(aa), aa));
      const value = add(sub(mul(mul(beta, beta), aa), mul(mul(beta, 2), ad)), dd);
      return div(value, s.samples) as Tensor1D;
    });
  } finally {
    dispose([...(cleanOutputs !== undefined ? [cleanOutputs] : []), ...(totals ?? []), ...(baselines !== undefined ? [baselines] : [])]);
  }
}


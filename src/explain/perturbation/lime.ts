import type { ModelLike } from '../../core/model.js';
import { resolveRng, statisticalRng, type Rng } from '../../core/rng.js';
import type { Tensor } from '../../core/tf.js';
import { nonNegativeNumber, oneOf, optionsObject, positiveInteger, positiveNumber } from '../../core/validate.js';
import type { AttributionResult } from '../types.js';
import { maskOffset, resolveFeatureMask, type FeatureMask, type ResolvedMask } from './featureMask.js';
import { weightedLasso } from './lasso.js';
import { weightedLinearRegression } from './leastSquares.js';
import { preparePerturbation, type PerturbationOptions } from './settings.js';
import { surrogateAttributions } from './surrogate.js';

/** Distance between the input and a perturbed copy in LIME's similarity kernel. */
export type LimeDistance = 'cosine' | 'euclidean';

/** Options of {@link lime}. */
export interface LimeOptions extends PerturbationOptions {
  /**
   * The interpretable features (see {@link FeatureMask}): elements with the same id are kept or
   * replaced by the baseline together. Default: every element is a feature.
   */
  readonly featureMask?: FeatureMask;
  /** Perturbed samples per example (an integer >= 1). Default 25, Captum's default. */
  readonly samples?: number;
  /**
   * Width of the exponential similarity kernel `exp(-d² / (2 · kernelWidth²))` (> 0). Default 1,
   * Captum's `get_exp_kernel_similarity_function` default.
   */
  readonly kernelWidth?: number;
  /**
   * The distance d of the kernel, between the flattened input and the flattened perturbed input:
   * `'cosine'` (1 - cosine similarity, Captum's default) or `'euclidean'`.
   */
  readonly distance?: LimeDistance;
  /**
   * L1 regularisation of the linear surrogate, scikit-learn's `Lasso(alpha)` (>= 0). Default 0.01,
   * Captum's default surrogate `SkLearnLasso(alpha=0.01)`; 0 fits a plain weighted linear regression
   * (Captum's `SkLearnLinearRegression`).
   */
  readonly alpha?: number;
  /** Source of the sampled perturbations; seed it (`seededRng`) for reproducible values. Default `Math.random`. */
  readonly rng?: Rng;
}

/** torch's `CosineSimilarity` eps: each norm is clamped at it. */
const COSINE_EPS = 1e-8;

/**
 * The kernel weight of each sample of one example: the exponential kernel of the distance
 * between the example and its perturbed copy (kept elements from `input`, the others from
 * `baseline`), as Captum's `get_exp_kernel_similarity_function` (in float64).
 */
export function limeKernelWeights(
  input: ArrayLike<number>, baseline: ArrayLike<number>, featureOf: ArrayLike<number>,
  coalitions: Uint8Array, samples: number, features: number, distance: LimeDistance, kernelWidth: number,
): Float64Array {
  const size = input.length;
  let inputNorm2 = 0;
  for (let e = 0; e < size; e++) inputNorm2 += (input[e] as number) ** 2;
  const inputNorm = Math.max(Math.sqrt(inputNorm2), COSINE_EPS);
  const weights = new Float64Array(samples);
  for (let s = 0; s < samples; s++) {
    let dot = 0;
    let norm2 = 0;
    let gap2 = 0;
    for (let e = 0; e < size; e++) {
      const x = input[e] as number;
      const z = coalitions[s * features + (featureOf[e] as number)] === 1 ? x : (baseline[e] as number);
      dot += x * z;
      norm2 += z * z;
      gap2 += (x - z) ** 2;
    }
    const d = distance === 'cosine' ? 1 - dot / (inputNorm * Math.max(Math.sqrt(norm2), COSINE_EPS)) : Math.sqrt(gap2);
    weights[s] = Math.exp(-(d * d) / (2 * kernelWidth * kernelWidth));
  }
  return weights;
}

/** Independent fair coin flips per feature and sample (Captum's `default_perturb_func`). */
function drawLimeCoalitions(coalitions: Uint8Array, rng: Rng): void {
  for (let k = 0; k < coalitions.length; k++) coalitions[k] = rng.next() < 0.5 ? 1 : 0;
}

function exampleMask(mask: ResolvedMask, example: number, size: number): Int32Array {
  const offset = maskOffset(mask, example, size);
  return mask.featureOf.subarray(offset, offset + size);
}

/**
 * LIME (Ribeiro et al. 2016, https://arxiv.org/abs/1602.04938) with Captum's `Lime` defaults
 * (`attr/_core/lime.py`): per example, `samples` binary vectors over the interpretable features
 * of `featureMask` are drawn with independent fair coins (1 keeps the input's value, 0 takes the
 * baseline's); each perturbed input is weighted by `exp(-d² / (2 · kernelWidth²))`, d the cosine
 * distance between the flattened input and the perturbed input; a weighted Lasso (`alpha`, with
 * intercept) of the target output on the binary vectors gives one coefficient per feature, the
 * attribution of every element of that feature. Every example gets its own samples and fit; all
 * samples go through the model together, `internalBatchSize` rows per call.
 *
 * The Lasso is solved to convergence (scikit-learn stops at a duality gap of 1e-4, so Captum's
 * coefficients can differ from the optimum in the fourth digit). With a baseline of 0 and every
 * feature absent, the perturbed input is all zeros and its cosine similarity 0, as in torch.
 * Features are the distinct ids of the mask (Captum counts `max id + 1`, ids absent from the mask
 * included: with contiguous ids 0..M-1 the two agree).
 *
 * @param model - A `tf.LayersModel` or a function from inputs to logits or probabilities.
 * @param x - A float32 batch `[batch, ...features]` of finite values.
 * @param options - `featureMask`, `samples`, `kernelWidth`, `distance`, `alpha`, `baseline`, `rng`,
 *   `target`, `internalBatchSize`, `signal`.
 * @returns `{ attributions }` of `x`'s shape, owned by the caller: each element holds its feature's
 *   surrogate coefficient.
 * @throws {@link InvalidArgumentError} for `samples` < 1, `kernelWidth` <= 0, `alpha` < 0, an unknown
 *   distance, a bad feature mask, baseline, target, model output or `x`; {@link AbortedError} when
 *   `options.signal` is aborted (nothing leaks).
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { seededRng } from 'responsible-tfjs';
 * import { lime } from 'responsible-tfjs/explain';
 * const model = await tf.loadLayersModel('/models/adult-mlp/model.json');
 * const rows = tf.tensor2d(features, [20, 10]);
 * // Seven Adult feature groups, absent ones at the training mean, 500 samples per row.
 * const { attributions } = await lime(model, rows, {
 *   featureMask: [0, 1, 2, 3, 4, 5, 5, 6, 6, 6],
 *   baseline: tf.tensor1d(trainMean),
 *   samples: 500,
 *   rng: seededRng(1),
 * });
 * // Without the L1 penalty: a plain weighted least-squares surrogate.
 * const plain = await lime(model, rows, { featureMask: [0, 1, 2, 3, 4, 5, 5, 6, 6, 6], alpha: 0, samples: 500 });
 * tf.dispose([attributions, plain.attributions]);
 * ```
 */
export async function lime(model: ModelLike, x: Tensor, options: LimeOptions = {}): Promise<AttributionResult> {
  const fn = 'lime';
  const opts = optionsObject(fn, 'options', options);
  const samples = positiveInteger(fn, 'options.samples', opts.samples ?? 25);
  const kernelWidth = positiveNumber(fn, 'options.kernelWidth', opts.kernelWidth ?? 1);
  const distance = oneOf(fn, 'options.distance', opts.distance ?? 'cosine', ['cosine', 'euclidean'] as const);
  const alpha = nonNegativeNumber(fn, 'options.alpha', opts.alpha ?? 0.01);
  const rng = resolveRng(fn, opts.rng, statisticalRng);
  const run = await preparePerturbation(fn, model, x, opts);
  try {
    const { ctx } = run;
    const mask = await resolveFeatureMask(fn, 'options.featureMask', opts.featureMask, ctx.x);
    const size = ctx.featureSize;
    const inputs = (await ctx.x.data()) as Float32Array;
    const baselines = (await run.baseline.data()) as Float32Array;
    const attributions = await surrogateAttributions(run, mask, {
      samples,
      draw: (_, coalitions) => drawLimeCoalitions(coalitions, rng),
      weigh: (i, coalitions, features) => limeKernelWeights(
        inputs.subarray(i * size, (i + 1) * size), baselines.subarray(i * size, (i + 1) * size), exampleMask(mask, i, size),
        coalitions, samples, features, distance, kernelWidth,
      ),
      fit: alpha === 0 ? weightedLinearRegression : (data) => weightedLasso(data, alpha),
    });
    return { attributions };
  } finally {
    run.dispose();
  }
}

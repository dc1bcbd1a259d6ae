import type { ModelLike } from '../../core/model.js';
import { tensor, type Tensor } from '../../core/tf.js';
import { optionsObject } from '../../core/validate.js';
import type { AttributionResult } from '../types.js';
import { featureCount, maskOffset, resolveFeatureMask, type FeatureMask } from './featureMask.js';
import { maskedTargetOutputs, unperturbedOutputs } from './maskedRows.js';
import { preparePerturbation, type PerturbationOptions } from './settings.js';

/** Options of {@link featureAblation}. */
export interface FeatureAblationOptions extends PerturbationOptions {
  /**
   * Which elements are ablated together (see {@link FeatureMask}): e.g. `[0, 1, 2, 3, 4, 5, 5, 6,
   * 6, 6]` ablates the two one-hot columns of sex and the three of marital status of an Adult row
   * as one feature each. Default: every element is its own feature.
   */
  readonly featureMask?: FeatureMask;
}

/**
 * Feature ablation as Captum's `FeatureAblation` computes it (`attr/_core/feature_ablation.py`:
 * `_process_ablated_out_full`, `_generate_result`): each feature (an element, or a group of
 * `featureMask`) is replaced by the baseline, and its attribution `f(x)[t] - f(x_ablated)[t]` is
 * written to **every** element of the group, not divided by the group's size.
 *
 * Every (feature, example) pair is one perturbed input; they go through the model together,
 * `internalBatchSize` per forward call. With one mask per example, a feature id an example does
 * not have is not evaluated for it.
 *
 * @param model - A `tf.LayersModel` or a function from inputs to logits or probabilities.
 * @param x - A float32 batch `[batch, ...features]` of finite values.
 * @param options - `featureMask`, `baseline`, `target`, `internalBatchSize`, `signal`.
 * @returns `{ attributions }` of `x`'s shape, owned by the caller, in the target output's units.
 * @throws {@link InvalidArgumentError} for a feature mask of the wrong shape or with non-integer ids
 *   ('options.featureMask'), a bad baseline, target, model output or `x`; {@link AbortedError} when
 *   `options.signal` is aborted (nothing leaks).
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { featureAblation } from 'responsible-tfjs/explain';
 * // A logistic model (Dense(1, 'sigmoid')) on 10 Adult columns.
 * const model = await tf.loadLayersModel('/models/adult-logistic/model.json');
 * const rows = tf.tensor2d(features, [20, 10]);
 * // The one-hot columns of sex (5, 6) and of marital status (7, 8, 9) are ablated together,
 * // to the training mean.
 * const { attributions } = await featureAblation(model, rows, {
 *   featureMask: [0, 1, 2, 3, 4, 5, 5, 6, 6, 6],
 *   baseline: tf.tensor1d(trainMean),
 *   target: new Array(20).fill(1), // explain P(>50K) for every row
 * });
 * attributions.print(); // the drop of P(>50K) when each feature is set to the mean
 * attributions.dispose();
 * ```
 */
export async function featureAblation(model: ModelLike, x: Tensor, options: FeatureAblationOptions = {}): Promise<AttributionResult> {
  const fn = 'featureAblation';
  const opts = optionsObject(fn, 'options', options);
  const run = await preparePerturbation(fn, model, x, opts);
  try {
    const { ctx } = run;
    const mask = await resolveFeatureMask(fn, 'options.featureMask', opts.featureMask, ctx.x);
    const size = ctx.featureSize;
    const batch = ctx.batch;
    const features = featureCount(mask);
    // One row per (feature, example) pair whose example has that feature, feature-major.
    const present = new Uint8Array(features * batch);
    for (let i = 0; i < batch; i++) {
      const offset = maskOffset(mask, i, size);
      for (let e = 0; e < size; e++) present[(mask.featureOf[offset + e] as number) * batch + i] = 1;
    }
    const pairs: number[] = [];
    for (let p = 0; p < present.length; p++) if (present[p] === 1) pairs.push(p);
    const initial = await unperturbedOutputs(ctx);
    const ablated = await maskedTargetOutputs(run, {
      count: pairs.length,
      exampleOf: (row) => (pairs[row] as number) % batch,
      fillKeep: (row, keep) => {
        const pair = pairs[row] as number;
        const feature = Math.floor(pair / batch);
        const offset = maskOffset(mask, pair % batch, size);
        for (let e = 0; e < size; e++) if (mask.featureOf[offset + e] === feature) keep[e] = 0;
      },
    });
    const deltas = new Float32Array(features * batch);
    pairs.forEach((pair, row) => {
      deltas[pair] = (initial[pair % batch] as number) - (ablated[row] as number);
    });
    const attributions = new Float32Array(batch * size);
    for (let i = 0; i < batch; i++) {
      const offset = maskOffset(mask, i, size);
      for (let e = 0; e < size; e++) attributions[i * size + e] = deltas[(mask.featureOf[offset + e] as number) * batch + i] as number;
    }
    return { attributions: tensor(attributions, ctx.x.shape, 'float32') };
  } finally {
    run.dispose();
  }
}

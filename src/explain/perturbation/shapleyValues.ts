import type { ModelLike } from '../../core/model.js';
import { tensor, type Tensor } from '../../core/tf.js';
import { invalid, optionsObject } from '../../core/validate.js';
import type { AttributionResult } from '../types.js';
import { featureCount, maskOffset, resolveFeatureMask, type FeatureMask } from './featureMask.js';
import { maskedTargetOutputs } from './maskedRows.js';
import { preparePerturbation, type PerturbationOptions } from './settings.js';

/**
 * Most players (features) {@link shapleyValues} enumerates exactly: 2^16 = 65,536 coalitions per
 * example. Above it, use {@link kernelShap}.
 */
export const MAX_EXACT_SHAPLEY_FEATURES = 16;

/** Options of {@link shapleyValues}. */
export interface ShapleyValuesOptions extends PerturbationOptions {
  /**
   * The players (see {@link FeatureMask}): elements with the same id are present or absent
   * together. At most {@link MAX_EXACT_SHAPLEY_FEATURES} distinct ids. Default: every element is a
   * player (so the input may have at most 16 elements per example).
   */
  readonly featureMask?: FeatureMask;
}

/** The Shapley weights `|S|! (M - |S| - 1)! / M!` by coalition size `|S|` (in float64). */
export function shapleyWeights(players: number): Float64Array {
  const w = new Float64Array(players);
  // w(s) = 1 / (M · C(M-1, s)), with C(M-1, s) built up exactly in float64 (M <= 16).
  let binomial = 1;
  for (let s = 0; s < players; s++) {
    w[s] = 1 / (players * binomial);
    binomial = (binomial * (players - 1 - s)) / (s + 1);
  }
  return w;
}

/**
 * Exact Shapley values of one example from its coalition values `v[c]` (bit j of `c` set when
 * player j is present): `φ_j = Σ_{S ∌ j} w(|S|) (v(S ∪ {j}) - v(S))`, summed in float64.
 */
export function shapleyFromCoalitions(values: ArrayLike<number>, players: number, weights: Float64Array): Float64Array {
  const phi = new Float64Array(players);
  const coalitions = 1 << players;
  const sizes = new Uint8Array(coalitions);
  for (let c = 1; c < coalitions; c++) sizes[c] = (sizes[c >> 1] as number) + (c & 1);
  for (let j = 0; j < players; j++) {
    const bit = 1 << j;
    let sum = 0;
    for (let c = 0; c < coalitions; c++) {
      if ((c & bit) !== 0) continue;
      sum += (weights[sizes[c] as number] as number) * ((values[c | bit] as number) - (values[c] as number));
    }
    phi[j] = sum;
  }
  return phi;
}

/**
 * Exact Shapley values (Shapley 1953; Lundberg & Lee 2017, https://arxiv.org/abs/1705.07874) of
 * the features of `featureMask` as players, with the value function `v(S) = f(z)[t]` where `z`
 * takes `x` on the players in `S` and the baseline elsewhere. Every one of the 2^M coalitions is
 * evaluated (in batches of `internalBatchSize` across all examples) and weighted by
 * `|S|! (M - |S| - 1)! / M!`; the values add up to `v(all) - v(empty) = f(x)[t] - f(baseline)[t]`
 * (efficiency) to float64 round-off on the float32 model outputs.
 *
 * Captum's `ShapleyValues` (`attr/_core/shapley_value.py`) computes the same quantity by walking
 * all M! permutations, but accumulates in a float32 buffer even for a float64 model, so it differs
 * from the exact values by up to about 1e-5 (8.7e-6 on the Adult reference, M = 7). This function
 * is the exact value: it matches the reference's brute-force values to about 1e-7 and Captum's to
 * its float32 round-off. It is also far cheaper: 2^M evaluations per example instead of M·M!.
 * A player whose id an example's mask lacks gets 0 for that example.
 *
 * @param model - A `tf.LayersModel` or a function from inputs to logits or probabilities.
 * @param x - A float32 batch `[batch, ...features]` of finite values.
 * @param options - `featureMask`, `baseline`, `target`, `internalBatchSize`, `signal`.
 * @returns `{ attributions }` of `x`'s shape, owned by the caller: each element holds its player's
 *   Shapley value (the elements of one group share it; it is not divided among them).
 * @throws {@link InvalidArgumentError} for more than {@link MAX_EXACT_SHAPLEY_FEATURES} players or
 *   a bad feature mask ('options.featureMask'), a bad baseline, target, model output or `x`;
 *   {@link AbortedError} when `options.signal` is aborted (nothing leaks).
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { shapleyValues } from 'responsible-tfjs/explain';
 * const model = await tf.loadLayersModel('/models/adult-logistic/model.json');
 * const rows = tf.tensor2d(features, [20, 10]);
 * // Seven Adult feature groups as players (the one-hot columns of sex and of marital status
 * // grouped), absent players at the training mean: 2^7 = 128 model rows per person.
 * const { attributions } = await shapleyValues(model, rows, {
 *   featureMask: [0, 1, 2, 3, 4, 5, 5, 6, 6, 6],
 *   baseline: tf.tensor1d(trainMean),
 * });
 * // Per row, the 7 group values add up to f(row) - f(trainMean) for the predicted class.
 * attributions.dispose();
 * ```
 */
export async function shapleyValues(model: ModelLike, x: Tensor, options: ShapleyValuesOptions = {}): Promise<AttributionResult> {
  const fn = 'shapleyValues';
  const opts = optionsObject(fn, 'options', options);
  const run = await preparePerturbation(fn, model, x, opts);
  try {
    const { ctx } = run;
    const mask = await resolveFeatureMask(fn, 'options.featureMask', opts.featureMask, ctx.x);
    const players = featureCount(mask);
    if (players > MAX_EXACT_SHAPLEY_FEATURES) {
      invalid(fn, 'options.featureMask', `${players} features`, `at most ${MAX_EXACT_SHAPLEY_FEATURES} features (2^${MAX_EXACT_SHAPLEY_FEATURES} coalitions per example)`,
        'Group the elements into fewer features with a feature mask, or estimate the values with kernelShap');
    }
    const size = ctx.featureSize;
    const batch = ctx.batch;
    const coalitions = 2 ** players;
    // Rows are example-major: row = example * 2^M + coalition.
    const values = await maskedTargetOutputs(run, {
      count: batch * coalitions,
      exampleOf: (row) => Math.floor(row / coalitions),
      fillKeep: (row, keep) => {
        const coalition = row % coalitions;
        const offset = maskOffset(mask, Math.floor(row / coalitions), size);
        for (let e = 0; e < size; e++) keep[e] = (coalition >> (mask.featureOf[offset + e] as number)) & 1;
      },
    });
    const weights = shapleyWeights(players);
    const attributions = new Float32Array(batch * size);
    for (let i = 0; i < batch; i++) {
      const phi = shapleyFromCoalitions(values.subarray(i * coalitions, (i + 1) * coalitions), players, weights);
      const offset = maskOffset(mask, i, size);
      for (let e = 0; e < size; e++) attributions[i * size + e] = phi[mask.featureOf[offset + e] as number] as number;
    }
    return { attributions: tensor(attributions, ctx.x.shape, 'float32') };
  } finally {
    run.dispose();
  }
}

import type { ModelLike } from '../../core/model.js';
import { tensor, type Tensor } from '../../core/tf.js';
import { optionsObject } from '../../core/validate.js';
import type { AttributionResult } from '../types.js';
import { maskedTargetOutputs, unperturbedOutputs } from './maskedRows.js';
import { preparePerturbation, type PerturbationOptions } from './settings.js';
import { windowElements, windowGrid } from './windows.js';

/** Options of {@link occlusion}. */
export interface OcclusionOptions extends PerturbationOptions {
  /**
   * The window's extent along each non-batch axis of the input, channels included: `[2, 2, 1]` on
   * `[8, 8, 1]` images occludes 2×2 pixels of the one channel; `[4]` on 64-vectors occludes 4
   * consecutive elements. No axis may exceed the input's.
   */
  readonly window: readonly number[];
  /**
   * Step between two window positions: one number for every axis or one per axis. Each must be at
   * most the window's extent on its axis (unless the window covers that axis whole), so that every
   * element is occluded at least once. Default 1.
   */
  readonly strides?: number | readonly number[];
}

/**
 * Occlusion (Zeiler & Fergus 2014, https://arxiv.org/abs/1311.2901) as Captum's `Occlusion`
 * computes it (`attr/_core/occlusion.py`, on `FeatureAblation` with `use_weights=True`): a window
 * slides over the input; each position gives `Δ = f(x)[t] - f(x with the window set to the
 * baseline)[t]`, added to every element the window covers; each element's attribution is its sum
 * divided by the number of windows that covered it.
 *
 * Window positions are Captum's: per axis they start at 0, s, 2s, ... (`ceil((D - w) / s) + 1`
 * positions), the last one cropped at the input's edge. The windows of every example go through
 * the model together, `internalBatchSize` perturbed inputs per forward call: one call for the 61
 * windows of 50 digits of 64 pixels, not 3,050.
 *
 * @param model - A `tf.LayersModel` or a function from inputs to logits or probabilities.
 * @param x - A float32 batch `[batch, ...features]` of finite values.
 * @param options - `window` (required), `strides`, `baseline`, `target`, `internalBatchSize`, `signal`.
 * @returns `{ attributions }` of `x`'s shape, owned by the caller, in the target output's units.
 * @throws {@link InvalidArgumentError} for a window of the wrong length, a non-positive or too large
 *   window ('options.window'), strides larger than the window ('options.strides'), a bad baseline,
 *   target, model output or `x`; {@link AbortedError} when `options.signal` is aborted (nothing
 *   leaks).
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { occlusion } from 'responsible-tfjs/explain';
 * const cnn = await tf.loadLayersModel('/models/digits-cnn/model.json');
 * const images = tf.tensor4d(pixels, [16, 8, 8, 1]);
 * // Black out 2×2 patches (the window spans the one channel), moving one pixel at a time.
 * const { attributions } = await occlusion(cnn, images, { window: [2, 2, 1], strides: [1, 1, 1] });
 * // attributions[i, r, c, 0]: the average drop of the predicted class's logit over the patches
 * // that cover pixel (r, c); large where the strokes matter.
 * // Coarser and cheaper: 3×3 patches every 2 pixels (16 windows per image instead of 49).
 * const coarse = await occlusion(cnn, images, { window: [3, 3, 1], strides: 2 });
 * tf.dispose([attributions, coarse.attributions]);
 * ```
 */
export async function occlusion(model: ModelLike, x: Tensor, options: OcclusionOptions): Promise<AttributionResult> {
  const fn = 'occlusion';
  const opts = optionsObject(fn, 'options', options);
  const run = await preparePerturbation(fn, model, x, opts);
  try {
    const { ctx } = run;
    const grid = windowGrid(fn, ctx.x.shape.slice(1), opts.window, opts.strides);
    const size = ctx.featureSize;
    const batch = ctx.batch;
    const covered = new Int32Array(size);
    for (let w = 0; w < grid.total; w++) for (const e of windowElements(grid, w)) covered[e] = (covered[e] as number) + 1;
    // Rows are window-major: row = window * batch + example.
    let cachedWindow = -1;
    let cachedElements: Int32Array = new Int32Array(0);
    const elementsOf = (w: number): Int32Array => {
      if (w !== cachedWindow) {
        cachedWindow = w;
        cachedElements = windowElements(grid, w);
      }
      return cachedElements;
    };
    const initial = await unperturbedOutputs(ctx);
    const occluded = await maskedTargetOutputs(run, {
      count: grid.total * batch,
      exampleOf: (row) => row % batch,
      fillKeep: (row, keep) => {
        for (const e of elementsOf(Math.floor(row / batch))) keep[e] = 0;
      },
    });
    const sums = new Float64Array(batch * size);
    for (let row = 0; row < occluded.length; row++) {
      const i = row % batch;
      const delta = Math.fround((initial[i] as number) - (occluded[row] as number));
      for (const e of elementsOf(Math.floor(row / batch))) sums[i * size + e] = (sums[i * size + e] as number) + delta;
    }
    const attributions = new Float32Array(batch * size);
    for (let k = 0; k < attributions.length; k++) attributions[k] = (sums[k] as number) / (covered[k % size] as number);
    return { attributions: tensor(attributions, ctx.x.shape, 'float32') };
  } finally {
    run.dispose();
  }
}

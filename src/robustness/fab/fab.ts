import type { LabelsLike } from '../../core/labels.js';
import type { ModelLike } from '../../core/model.js';
import type { Tensor } from '../../core/tf.js';
import { optionsObject } from '../../core/validate.js';
import { prepareAttack } from '../context.js';
import { fabSettings, refuseUnusedOptions, type FabOptions } from './options.js';
import { fabAttack } from './perturb.js';

/**
 * Fast Adaptive Boundary attack, untargeted (Croce and Hein 2020, "Minimally distorted adversarial
 * examples with a fast adaptive boundary attack", https://arxiv.org/abs/1907.02044), as
 * torchattacks 3.5.1 `FAB` runs it. FAB looks for the adversarial point nearest to `x`: at each
 * iteration it linearises every class's decision boundary at the current point (class-score
 * differences and their input gradients: one backward pass over one copy of the batch per class),
 * takes the nearest in the dual norm, projects both the current point and `x` onto it inside the
 * input box (an exact sorting-based projection), and steps to a combination of the two projections
 * biased towards `x`, slightly overshooting (`eta`). Once a point is adversarial it is kept when it
 * is the shortest so far, and the iterate is pulled back towards `x` (`beta`), so later iterations
 * shrink the perturbation.
 *
 * Only rows the model classifies correctly are attacked; a row is broken when its smallest
 * adversarial perturbation is at most `epsilon` (in `norm`), and then returns that point; every
 * other row returns `x` unchanged, as torchattacks. Without `epsilon`, FAB is a minimum-norm
 * attack: every adversarial point found is returned, and the norm of `xAdv - x` measures how far
 * the boundary is.
 *
 * Differences from torchattacks, all deliberate: the box is `[clipMin, clipMax]` instead of
 * `[0, 1]` (the same float32 operations when it is `[0, 1]`); per-class gradients come from one
 * backward pass over stacked copies of the batch instead of one `backward` per class (identical up
 * to float32 rounding, and split over several passes beyond 2^22 input elements); only L-inf and
 * L2 (torchattacks also has L1); the degenerate branches of the projections select with `where`
 * instead of multiplying by 0/1 masks, so an infinite value in an unused branch cannot turn the
 * step into NaN. Defaults are torchattacks' (`steps: 10`); the original AutoAttack (fra31) runs
 * FAB with 100 iterations.
 *
 * A model with a single output unit is binary and attacked as the two-class model with logits
 * `[0, z]`; a model returning probabilities is attacked on log-probabilities, whose differences
 * are logit differences.
 *
 * @param model - A `tf.LayersModel` or a function from inputs to logits (or probabilities, see
 *   `options.modelOutput`).
 * @param x - A float32 batch `[batch, ...]` with every value in `[clipMin, clipMax]`.
 * @param y - True classes as class indices or one-hot rows (for a single-output model: 0/1, or a
 *   `[batch, 1]` column of 0/1); omitted, the model's own predictions are used.
 * @param options - See {@link FabOptions}. `targeted` is refused (use {@link fabTargeted}, which
 *   aims at the top-scoring other classes); `loss` is refused (FAB uses no loss).
 * FAB yields to the event loop before every iteration, and `options.signal` stops it.
 *
 * @returns Adversarial inputs of `x`'s shape, which the caller owns.
 * @throws {@link InvalidArgumentError} for a negative epsilon, steps or restarts not positive
 *   integers, restarts > 1 without a finite epsilon, alphaMax outside [0, 1], eta < 1, beta outside
 *   (0, 1), `targeted` or `loss` given, inputs outside the range or not finite, a disposed `x` or
 *   `y`, or bad labels; {@link MissingGradientsError} when no gradients are registered;
 *   {@link AbortedError} when `options.signal` is aborted (nothing leaks).
 * @example
 * ```ts
 * import '@tensorflow/tfjs-layers';
 * import * as tf from '@tensorflow/tfjs-core';
 * import { fab } from 'responsible-tfjs/robustness';
 * // Robust accuracy at L-inf 0.1: rows FAB breaks within 0.1 come back perturbed.
 * const xAdv = await fab(model, x, y, { epsilon: 0.1 });
 * // Minimum-norm mode: how far is each row from the decision boundary (in L2)?
 * const xMin = await fab(model, x, y, { norm: 'l2', steps: 100 });
 * const distances = tf.norm(tf.reshape(tf.sub(xMin, x), [x.shape[0], -1]), 2, 1); // 0 where not broken
 * ```
 */
export async function fab(model: ModelLike, x: Tensor, y: LabelsLike | undefined, options?: FabOptions): Promise<Tensor> {
  const fn = 'fab';
  const opts = optionsObject(fn, 'options', options);
  refuseUnusedOptions(fn, opts, 'for a targeted attack use fabTargeted');
  const settings = fabSettings(fn, opts);
  const { context } = await prepareAttack(fn, model, x, y, opts);
  try {
    return await fabAttack(context, x, settings);
  } finally {
    context.labels.dispose();
  }
}

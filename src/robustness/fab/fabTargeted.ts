import type { LabelsLike } from '../../core/labels.js';
import type { ModelLike } from '../../core/model.js';
import type { Tensor } from '../../core/tf.js';
import { invalid, optionsObject, positiveInteger } from '../../core/validate.js';
import { prepareAttack } from '../context.js';
import { classCount } from '../scores.js';
import { DEFAULT_TARGET_CLASSES, fabSettings, refuseUnusedOptions, type FabTargetedOptions } from './options.js';
import { fabAttack } from './perturb.js';

/**
 * Multi-targeted FAB, "FAB-T" of AutoAttack (Croce and Hein 2020, https://arxiv.org/abs/1907.02044;
 * Croce and Hein 2020, AutoAttack, https://arxiv.org/abs/2003.01690), as torchattacks 3.5.1 runs
 * `FAB(multi_targeted=True)`. For each target rank `k = 2, 3, ..., targetClasses + 1`, every row
 * still robust is attacked towards the class with its clean input's k-th highest score: each
 * iteration linearises only the boundary between the true class and that target (a single backward
 * pass, instead of one per class in {@link fab}), then projects, steps and shrinks exactly as
 * {@link fab}. A row broken within `epsilon` keeps that point and leaves the loop; rows never broken
 * return `x` unchanged, as do rows the model already misclassifies.
 *
 * Without `epsilon` every row is broken by the first target that yields an adversarial point, and
 * keeps that run's smallest one; the later targets are not tried on it (the rule "rows still
 * robust go on" with an infinite radius), so the result is not the minimum over all targets.
 *
 * Deviations from torchattacks are those of {@link fab}. torchattacks' and AutoAttack's "standard"
 * chains use 9 targets; torchattacks runs 10 iterations per target (our default), the original
 * AutoAttack 100.
 *
 * @param model - A `tf.LayersModel` or a function from inputs to logits (or probabilities, see
 *   `options.modelOutput`); a single output unit is a binary model (one target: the other class).
 * @param x - A float32 batch `[batch, ...]` with every value in `[clipMin, clipMax]`.
 * @param y - True classes as class indices or one-hot rows (for a single-output model: 0/1, or a
 *   `[batch, 1]` column of 0/1); omitted, the model's own predictions are used.
 * @param options - See {@link FabTargetedOptions}. `targeted` is refused (the targets are chosen
 *   from the model's scores, and `y` holds the true classes); `loss` is refused.
 * FAB-T yields to the event loop before every iteration, and `options.signal` stops it.
 *
 * @returns Adversarial inputs of `x`'s shape, which the caller owns.
 * @throws {@link InvalidArgumentError} for the cases of {@link fab}, and a `targetClasses` that is
 *   not an integer in [1, classes - 1]; {@link MissingGradientsError} when no gradients are
 *   registered; {@link AbortedError} when `options.signal` is aborted (nothing leaks).
 * @example
 * ```ts
 * import '@tensorflow/tfjs-layers';
 * import { fabTargeted } from 'responsible-tfjs/robustness';
 * // AutoAttack's FAB-T at L-inf 8/255: 9 target classes, 100 iterations each as in the original.
 * const xAdv = await fabTargeted(model, x, y, { epsilon: 8 / 255, steps: 100 });
 * // Only the 3 most likely wrong classes, in L2.
 * const xAdvL2 = await fabTargeted(model, x, y, { norm: 'l2', epsilon: 0.5, targetClasses: 3 });
 * ```
 */
export async function fabTargeted(model: ModelLike, x: Tensor, y: LabelsLike | undefined, options?: FabTargetedOptions): Promise<Tensor> {
  const fn = 'fabTargeted';
  const opts = optionsObject(fn, 'options', options);
  refuseUnusedOptions(fn, opts, 'fabTargeted picks its targets among the top-scoring classes (options.targetClasses)');
  const settings = fabSettings(fn, opts);
  const requested = opts.targetClasses === undefined ? undefined : positiveInteger(fn, 'options.targetClasses', opts.targetClasses);
  const { context } = await prepareAttack(fn, model, x, y, opts);
  try {
    const others = classCount(context) - 1;
    if (requested !== undefined && requested > others) {
      invalid(fn, 'options.targetClasses', requested, `an integer in [1, ${others}] (the model has ${others + 1} classes)`);
    }
    return await fabAttack(context, x, settings, requested ?? Math.min(DEFAULT_TARGET_CLASSES, others));
  } finally {
    context.labels.dispose();
  }
}

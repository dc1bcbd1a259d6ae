import type { LabelsLike } from '../../core/labels.js';
import type { ModelLike } from '../../core/model.js';
import type { Tensor } from '../../core/tf.js';
import { optionsObject } from '../../core/validate.js';
import { prepareAttack } from '../context.js';
import { squareCore } from './search.js';
import { squareSettings, type SquareOptions } from './settings.js';

/**
 * The Square attack (Andriushchenko, Croce, Flammarion & Hein 2020, "Square Attack: a
 * query-efficient black-box adversarial attack via random search",
 * https://arxiv.org/abs/1912.00049), L-inf and L2, after torchattacks 3.5.1's `Square` (itself
 * AutoAttack's). It is a **score-based black-box** attack: it only calls the model and reads its
 * outputs, never differentiates it, so it works on any callable, including quantized models,
 * models with non-differentiable operations, or a function wrapping a remote model, and it is
 * the part of AutoAttack that catches gradient masking.
 *
 * How it works, per row: start from a random corner of the ball (L-inf: vertical stripes
 * `x ± eps`, one sign per column and channel; L2: a grid of two-signed tiles scaled to norm eps),
 * then repeatedly change the perturbation inside one random square window (L-inf: set it to
 * `x ± eps`, one sign per channel; L2: move mass from a second window into a fresh two-signed
 * bump), query the model, and keep the change when the loss strictly decreases or the row is
 * misclassified. The window covers a fraction `p` of the image that starts at `pInit` and halves
 * on a fixed schedule (see `rescaleSchedule` in {@link SquareOptions}). A row stops as soon as its
 * margin (label score minus best other) is <= 0; only rows still searching are queried, once per
 * iteration each.
 *
 * Images: a rank-4 `x` is NHWC `[batch, height, width, channels]` and windows move over height
 * and width; rank 3 is `[batch, height, width]` (one channel); rank 2 `[batch, features]` is a
 * `k x k` one-channel image when `features = k^2` (a flattened square image, row-major, as the
 * 64 features of 8x8 digits) and otherwise a `1 x features` image, whose windows are runs of
 * consecutive features covering about `p * features` of them.
 *
 * Queries: one per row on the clean input (rows already misclassified, or already at their target,
 * are returned unchanged and not attacked), then at most `queries` per row and restart (the
 * start included). A model with a single output unit is the binary model with logits `[0, z]`;
 * probabilities are compared through their logarithms, which leaves margins unchanged.
 *
 * Deviations from torchattacks, all deliberate:
 * - each row draws its own window position, signs and L2 pattern orientation (the paper's reference
 *   code does; torchattacks shares one window and one sign per channel across the batch), so a
 *   row's attack does not depend on the other rows of the batch;
 * - a window's corner is uniform over every position `0..h - s` by default. torchattacks'
 *   `random_int` never draws `h - s`, so its windows never reach the last row and column (15 of
 *   the 64 pixels of 8x8 digits keep their starting stripes for the whole run). Fixing that makes
 *   the attack much stronger: on the digits (100 rows, 1000 queries, L-inf) robust accuracy falls
 *   from torchattacks' 0.886 / 0.566 (MLP, eps 0.05 / 0.1) and 0.864 / 0.546 (CNN) to about
 *   0.83 / 0.42 and 0.80 / 0.39. `windowPositions: 'torchattacks'` reproduces the quirk, and with
 *   it torchattacks' numbers (within a point or two over seeds);
 * - `queries` counts the start as a query, so a run makes `queries - 1` iterations
 *   (torchattacks makes `n_queries` after the start), with the same schedule;
 * - a row that stops on a tie (margin exactly 0, the prediction still its label) is returned as
 *   `x` and retried by the next restart, as torchattacks does, but without re-querying the model
 *   after each run;
 * - `targeted: true` is supported (as torchattacks' targeted mode): `y` holds the targets, the
 *   margin is the best other score minus the target's, the `'ce'` loss is the target's
 *   cross-entropy;
 * - non-square images and `1 x n` feature rows are supported as described above (torchattacks
 *   assumes square images);
 * - randomness comes from `options.rng`, so results agree with torchattacks statistically (robust
 *   accuracy), not row for row.
 *
 * Long attacks do not freeze the page: Square yields to the event loop between iterations, and
 * `options.signal` stops it. Each iteration reads one small status vector (an int per row still
 * searching) to drop the rows that stopped. Dropping rows changes the batch size, and webgl
 * compiles a program per input shape: on webgl set `tf.env().set('WEBGL_USE_SHAPES_UNIFORMS', true)`
 * first, or the first run spends most of its time compiling (with tfjs-backend-webgl 4.22 that flag
 * has also given wrong results in a session that ran DP-SGD first: check against a second backend).
 *
 * @param model - A `tf.LayersModel` or any function from inputs to logits (or probabilities, see
 *   `options.modelOutput`); it needs no gradients.
 * @param x - A float32 batch of rank 2, 3 or 4 (see above) with every value in `[clipMin, clipMax]`.
 * @param y - True classes (or targets when `options.targeted`) as class indices or one-hot rows
 *   (for a single-output model: 0/1); omitted, the model's own predictions are used (not allowed
 *   when targeted).
 * @param options - See {@link SquareOptions}; `epsilon` is required.
 * @returns Adversarial inputs of `x`'s shape, which the caller owns: for every row broken, the
 *   perturbed input (inside the ball and the box); every other row unchanged. With `epsilon: 0`,
 *   a copy of `x` (no query is made).
 * @throws {@link InvalidArgumentError} for a negative epsilon, queries or restarts not positive
 *   integers, `pInit` outside (0, 1], an unknown `norm` or `loss`, inputs of rank other than 2-4,
 *   outside the range or not finite, a disposed `x` or `y`, bad labels, or a model whose output
 *   is not `[batch, classes]`; {@link AbortedError} when `options.signal` is aborted (nothing leaks).
 * @example
 * ```ts
 * import '@tensorflow/tfjs-layers';
 * import * as tf from '@tensorflow/tfjs-core';
 * import { seededRng } from 'responsible-tfjs';
 * import { square } from 'responsible-tfjs/robustness';
 * // L-inf, 5000 queries per image (the default), reproducible.
 * const xAdv = await square(model, x, y, { epsilon: 0.1, rng: seededRng(0) });
 * // L2, fewer queries.
 * const xAdvL2 = await square(model, x, y, { norm: 'l2', epsilon: 1, queries: 1000 });
 * // Works where gradients cannot: a model that rounds its inputs to 8 levels.
 * const quantized = (t: tf.Tensor) => model.predict(tf.div(tf.round(tf.mul(t, 8)), 8)) as tf.Tensor;
 * const xAdvQ = await square(quantized, x, y, { epsilon: 0.1, queries: 1000 });
 * // Stoppable: rejects with AbortedError once the controller aborts.
 * const controller = new AbortController();
 * const pending = square(model, x, y, { epsilon: 0.1, signal: controller.signal });
 * ```
 */
export async function square(model: ModelLike, x: Tensor, y: LabelsLike | undefined, options: SquareOptions): Promise<Tensor> {
  const fn = 'square';
  const opts = optionsObject(fn, 'options', options);
  const settings = squareSettings(fn, opts);
  // The common `loss` option is a differentiable per-example loss; Square's is a name, checked above.
  const { loss: _loss, ...common } = opts;
  const { context } = await prepareAttack(fn, model, x, y, common, { gradients: false });
  try {
    return await squareCore(context, x, settings);
  } finally {
    context.labels.dispose();
  }
}

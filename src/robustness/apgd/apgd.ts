/** APGD (internal module of the public {@link apgd}). */
import type { LabelsLike } from '../../core/labels.js';
import type { ModelLike } from '../../core/model.js';
import { labelClasses, predictedClasses } from '../../core/outputs/index.js';
import { clone, equal, gather, neg, notEqual, type Tensor, type Tensor1D, type Tensor2D } from '../../core/tf.js';
import { invalid, optionsObject } from '../../core/validate.js';
import { prepareAttack, type AttackContext } from '../context.js';
import { classCount, classScores } from '../scores.js';
import { dlrOfScores } from './dlr.js';
import { attackRows, rowsToAttack, type RowProblem } from './driver.js';
import { apgdLoss, apgdSettings, type ApgdOptions } from './options.js';
import { checkStart } from './start.js';

/** The sub-batch problem of APGD-CE, APGD-DLR or APGD with a custom loss. */
function apgdProblem(ctx: AttackContext, loss: ReturnType<typeof apgdLoss>, index: Tensor1D): RowProblem {
  const labels = gather(ctx.labels, index) as Tensor2D;
  const classes = labelClasses(labels);
  const kind = ctx.outputKind;
  const objective = loss === 'dlr'
    ? (out: Tensor): Tensor => dlrOfScores(classScores(out, kind), labels)
    : ctx.targeted ? (out: Tensor): Tensor => neg(ctx.loss(labels, out)) : (out: Tensor): Tensor => ctx.loss(labels, out);
  const reached = ctx.targeted
    ? (out: Tensor): Tensor => equal(predictedClasses(out, kind), classes)
    : (out: Tensor): Tensor => notEqual(predictedClasses(out, kind), classes);
  return {
    problem: { forward: ctx.forward, objective, reached },
    dispose: () => {
      labels.dispose();
      classes.dispose();
    },
  };
}

/**
 * Auto-PGD (APGD) of Croce & Hein (2020, "Reliable evaluation of adversarial robustness with an
 * ensemble of diverse parameter-free attacks", https://arxiv.org/abs/2003.01690), step for step as
 * torchattacks 3.5.1's `APGD` (which follows the original fra31/auto-attack): PGD with momentum
 * whose step size needs no tuning. Each row starts at step size `2·epsilon`; at checkpoints after
 * 22, 19, 16, ... percent of the iterations (down to 6 %) the step size of a row halves when its
 * loss increased in at most `rho` of the iterations since the previous checkpoint, or when it was
 * not halved last time and the best loss has not improved since; a halving restarts the row from
 * its best point so far. Update (momentum 0.75):
 * `z = P(x_k + η·sign(∇))`, `x_{k+1} = P(x_k + 0.75(z − x_k) + 0.25(x_k − x_{k−1}))`
 * (L2: `η·∇/‖∇‖` instead of the sign), P the projection onto the ball and the input range.
 *
 * As the reference, only rows the model classifies correctly are attacked (the others are
 * returned unchanged); a row that is misclassified at some iterate returns the **last** such
 * iterate (not the one of highest loss), and a row never broken returns `x` itself, not the last
 * iterate. Later restarts attack only the rows still unbroken. With `targeted: true`, `y` holds
 * targets and APGD descends the loss towards them (`'ce'` or a function); a row counts as broken
 * once it is classified as its target. Gradients are those of the per-row losses' sum, as the
 * reference; nothing is read back from the device inside the iteration loop.
 *
 * Reproduction detail kept on purpose: at the first checkpoint the oscillation test compares the
 * first loss with 0, not with the loss at the start (torchattacks' numpy history wraps around to
 * its still-zero last row). For the cross-entropy (> 0) that counts as an increase; for DLR (< 0
 * while the row is correct) it does not, which favours an early halving.
 *
 * Deviations from torchattacks: `steps` defaults to 100 (the original AutoAttack's; torchattacks'
 * default is 10); the random start comes from `options.rng`, not torch's global generator (from
 * the same start point, {@link apgd} reproduces torchattacks element-wise); any input range
 * `[clipMin, clipMax]` replaces [0, 1]; models returning probabilities are attacked through their
 * log-probabilities (DLR) or the probabilities' cross-entropy.
 *
 * @param model - A `tf.LayersModel` or a function from inputs to logits (or probabilities, see
 *   `options.modelOutput`); a single output unit is a binary model (use `'ce'`).
 * @param x - A float32 batch `[batch, ...]` with every value in `[clipMin, clipMax]`.
 * @param y - True classes (targets when `targeted`) as class indices or one-hot rows; omitted, the
 *   model's own predictions are used.
 * @param options - See {@link ApgdOptions}; `epsilon` is required.
 * @returns Adversarial inputs of `x`'s shape, which the caller owns.
 * @throws {@link InvalidArgumentError} for a negative epsilon, steps, restarts or eotIterations
 *   not positive integers, rho outside [0, 1], an unknown loss, `'dlr'` with fewer than 3 classes
 *   or with `targeted`, a start outside the ball or the input range, inputs outside the range,
 *   disposed tensors or bad labels; {@link AbortedError} when `options.signal` is aborted (nothing
 *   leaks).
 * @example
 * ```ts
 * import '@tensorflow/tfjs-layers';
 * import { seededRng } from 'responsible-tfjs';
 * import { apgd } from 'responsible-tfjs/robustness';
 * // APGD-CE, 100 iterations, L-inf radius 8/255 (as the first attack of AutoAttack).
 * const xAdv = await apgd(model, x, y, { epsilon: 8 / 255, rng: seededRng(0) });
 * // APGD-DLR in L2, with 5 restarts for the rows that resist.
 * const xAdvDlr = await apgd(model, x, y, { norm: 'l2', epsilon: 0.5, loss: 'dlr', restarts: 5 });
 * // A randomized model (dropout at inference): average each gradient over 20 samples.
 * const xAdvRand = await apgd(noisyModel, x, y, { epsilon: 8 / 255, eotIterations: 20 });
 * ```
 */
export async function apgd(model: ModelLike, x: Tensor, y: LabelsLike | undefined, options: ApgdOptions): Promise<Tensor> {
  const fn = 'apgd';
  const opts = optionsObject(fn, 'options', options);
  const settings = apgdSettings(fn, opts);
  const loss = apgdLoss(fn, opts.loss, opts.targeted);
  const common = { ...opts, loss: typeof loss === 'function' ? loss : undefined };
  const { context: ctx } = await prepareAttack(fn, model, x, y, common);
  try {
    const classes = classCount(ctx);
    if (loss === 'dlr' && classes < 3) {
      invalid(fn, 'options.loss', `'dlr' on a model with ${classes} classes`, 'a model with at least 3 classes for DLR',
        'DLR divides by the gap between the first and third highest scores: use \'ce\' for a binary model');
    }
    const start = opts.start === undefined
      ? undefined
      : await checkStart(fn, opts.start, x, settings.norm, settings.epsilon, ctx.clipMin, ctx.clipMax);
    const rows = await rowsToAttack(ctx, x);
    const { adv } = await attackRows(ctx, x, settings, rows, clone(x), (index) => apgdProblem(ctx, loss, index), start);
    return adv;
  } finally {
    ctx.labels.dispose();
  }
}

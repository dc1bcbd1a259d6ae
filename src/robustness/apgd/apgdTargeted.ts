/** APGD-T (internal module of the public {@link apgdTargeted}). */
import type { LabelsLike } from '../../core/labels.js';
import type { ModelLike } from '../../core/model.js';
import { labelClasses, predictedClasses } from '../../core/outputs/index.js';
import {
  cast, clone, gather, notEqual, oneHot, slice, squeeze, tidy, topk, type Tensor, type Tensor1D, type Tensor2D,
} from '../../core/tf.js';
import { invalid, optionsObject, positiveInteger } from '../../core/validate.js';
import { prepareAttack, type AttackContext } from '../context.js';
import { classCount, classScores, scoresAt } from '../scores.js';
import { targetedDlrOfScores } from './dlr.js';
import { attackRows, rowsToAttack, type RowProblem } from './driver.js';
import { apgdSettings, type ApgdTargetedOptions } from './options.js';
import { checkStart } from './start.js';

/** AutoAttack's number of target classes on 10 classes (`n_target_classes = 9`). */
const DEFAULT_TARGET_CLASSES = 9;

/** The sub-batch problem for one target rank: ascend the targeted DLR; broken = misclassified. */
function targetedProblem(ctx: AttackContext, ranking: Tensor2D, rank: number, index: Tensor1D): RowProblem {
  const classes = classCount(ctx);
  const labels = gather(ctx.labels, index) as Tensor2D;
  const [labelIndex, targets] = tidy(() => [
    labelClasses(labels),
    cast(oneHot(squeeze(slice(gather(ranking, index), [0, rank], [-1, 1]), [1]), classes), 'float32') as Tensor2D,
  ]) as [Tensor1D, Tensor2D];
  const kind = ctx.outputKind;
  return {
    problem: {
      forward: ctx.forward,
      objective: (out) => targetedDlrOfScores(classScores(out, kind), labels, targets),
      // As torchattacks' APGDT, success is any misclassification, not reaching the target.
      reached: (out) => notEqual(predictedClasses(out, kind), labelIndex),
    },
    dispose: () => {
      labels.dispose();
      labelIndex.dispose();
      targets.dispose();
    },
  };
}

/**
 * APGD-T, the targeted APGD of AutoAttack (Croce & Hein 2020, "Reliable evaluation of adversarial
 * robustness with an ensemble of diverse parameter-free attacks", https://arxiv.org/abs/2003.01690),
 * as torchattacks 3.5.1's `APGDT`: for each of the `targetClasses` most likely wrong classes of the
 * clean input (the 2nd highest score first, then the 3rd, ...), the rows still classified correctly
 * run {@link apgd}'s iterations ascending the targeted DLR loss ({@link targetedDlrLoss})
 * `−(z_y − z_t)/(z_(1) − (z_(3) + z_(4))/2)` towards that target. A row counts as broken as soon as it
 * is misclassified (as any class), and then leaves the attack. Each target class draws a fresh
 * random start; `options.start` is the start of the first target class's first restart.
 *
 * Rows misclassified on the clean input are returned unchanged, and so are the rows no target
 * breaks. The targeted DLR needs at least 4 classes: for binary or 3-class models use
 * {@link apgd} with the cross-entropy. `loss` and `targeted` are not options here (the loss is
 * the targeted DLR and `y` holds the true classes).
 *
 * Deviation from torchattacks: with `norm: 'l2'`, torchattacks' `APGDT` steps every row by the step
 * size of the first row (`step_size[0]`); here each row keeps its own step size, as in `APGD` and
 * the original code. `steps` defaults to 100 (torchattacks: 10).
 *
 * @param model - A `tf.LayersModel` or a function from inputs to logits (or probabilities, see
 *   `options.modelOutput`) with at least 4 classes.
 * @param x - A float32 batch `[batch, ...]` with every value in `[clipMin, clipMax]`.
 * @param y - True classes as class indices or one-hot rows; omitted, the model's own predictions.
 * @param options - See {@link ApgdTargetedOptions}; `epsilon` is required.
 * @returns Adversarial inputs of `x`'s shape, which the caller owns.
 * @throws {@link InvalidArgumentError} for fewer than 4 classes, `targetClasses` outside
 *   `[1, classes − 1]`, a `loss` or `targeted: true` option, and every error of {@link apgd};
 *   {@link AbortedError} when `options.signal` is aborted (nothing leaks).
 * @example
 * ```ts
 * import '@tensorflow/tfjs-layers';
 * import { seededRng } from 'responsible-tfjs';
 * import { apgdTargeted } from 'responsible-tfjs/robustness';
 * // The 9 most likely wrong classes in turn, 100 iterations each (AutoAttack's APGD-T).
 * const xAdv = await apgdTargeted(model, x, y, { epsilon: 8 / 255, rng: seededRng(0) });
 * // Cheaper: the 3 most likely wrong classes, 10 iterations each.
 * const xAdvQuick = await apgdTargeted(model, x, y, { epsilon: 8 / 255, targetClasses: 3, steps: 10 });
 * ```
 */
export async function apgdTargeted(model: ModelLike, x: Tensor, y: LabelsLike | undefined, options: ApgdTargetedOptions): Promise<Tensor> {
  const fn = 'apgdTargeted';
  const opts = optionsObject(fn, 'options', options);
  const extra = opts as { loss?: unknown; targeted?: unknown };
  if (extra.loss !== undefined) {
    invalid(fn, 'options.loss', extra.loss, 'no loss option (APGD-T ascends the targeted DLR loss)', 'For another loss use apgd');
  }
  if (extra.targeted !== undefined && extra.targeted !== false) {
    invalid(fn, 'options.targeted', extra.targeted, 'false or undefined (y holds the true classes; the targets are the top classes)',
      'To attack towards given targets use apgd with targeted: true');
  }
  const settings = apgdSettings(fn, opts);
  const { context: ctx } = await prepareAttack(fn, model, x, y, { ...opts, loss: undefined, targeted: false });
  let ranking: Tensor2D | undefined;
  try {
    const classes = classCount(ctx);
    if (classes < 4) {
      invalid(fn, 'model', `a model with ${classes} classes`, 'a model with at least 4 classes (the targeted DLR loss)',
        'For a binary or 3-class model use apgd with loss \'ce\'');
    }
    const targetClasses = opts.targetClasses === undefined
      ? Math.min(DEFAULT_TARGET_CLASSES, classes - 1)
      : positiveInteger(fn, 'options.targetClasses', opts.targetClasses);
    if (targetClasses > classes - 1) invalid(fn, 'options.targetClasses', targetClasses, `an integer in [1, ${classes - 1}] (classes - 1)`);
    const start = opts.start === undefined
      ? undefined
      : await checkStart(fn, opts.start, x, settings.norm, settings.epsilon, ctx.clipMin, ctx.clipMax);
    // Classes by decreasing clean score; the input never changes, so one ranking serves every target.
    const scoresRanking = tidy(() => topk(scoresAt(ctx, x), targetClasses + 1).indices as Tensor2D);
    ranking = scoresRanking;
    let rows = await rowsToAttack(ctx, x);
    let adv = clone(x);
    for (let rank = 1; rank <= targetClasses && rows.length > 0; rank++) {
      ({ adv, rows } = await attackRows(ctx, x, settings, rows, adv,
        (index) => targetedProblem(ctx, scoresRanking, rank, index), rank === 1 ? start : undefined));
    }
    return adv;
  } finally {
    ranking?.dispose();
    ctx.labels.dispose();
  }
}

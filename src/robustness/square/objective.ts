/**
 * What Square reads from one query (internal): the margin that decides success, the loss the
 * random search minimises, and whether the model's own prediction is fooled. torchattacks'
 * `Square.margin_and_loss`, on `classScores` so that every model form works.
 */
import { predictedClasses } from '../../core/outputs/index.js';
import {
  cast, equal, fill, logSumExp, max, mul, neg, notEqual, oneHot, reshape, sub, sum, where, type Tensor, type Tensor1D,
} from '../../core/tf.js';
import { invalid } from '../../core/validate.js';
import type { AttackContext } from '../context.js';
import { classScores } from '../scores.js';

/** The loss Square minimises: the margin (default, as torchattacks) or minus the cross-entropy. */
export type SquareLoss = 'margin' | 'ce';

/** One query's results per row (all `[rows]`). */
export interface QueryResult {
  /** Untargeted `s_y - max_{j != y} s_j`, targeted `max_{j != t} s_j - s_t`: <= 0 stops the row. */
  readonly margin: Tensor1D;
  /** The margin, or the cross-entropy of the label (negated when untargeted). Lower is better. */
  readonly loss: Tensor1D;
  /** Bool: the prediction differs from the label (untargeted) or equals the target (targeted). */
  readonly fooled: Tensor1D;
}

/**
 * Queries the model once on the image-shaped rows `x4` (reshaped to `inputShape` for the model)
 * and scores them against the class indices `labels` (call inside `tidy`).
 */
export function query(ctx: AttackContext, x4: Tensor, inputShape: readonly number[], labels: Tensor1D, classes: number, loss: SquareLoss): QueryResult {
  const rows = x4.shape[0] as number;
  const outputs = ctx.forward(reshape(x4, [rows, ...inputShape]));
  const units = ctx.labels.shape[1];
  if (outputs.rank !== 2 || outputs.shape[0] !== rows || outputs.shape[1] !== units) {
    invalid(ctx.fn, 'model', `output of shape [${outputs.shape.join(', ')}]`, `a model returning [batch, ${units}]`);
  }
  const scores = classScores(outputs, ctx.outputKind);
  const isLabel = cast(oneHot(labels, classes), 'bool');
  const labelScore = sum(mul(scores, cast(isLabel, 'float32')), 1);
  const bestOther = max(where(isLabel, fill(scores.shape, -Infinity), scores), 1);
  const margin = (ctx.targeted ? sub(bestOther, labelScore) : sub(labelScore, bestOther)) as Tensor1D;
  let value: Tensor1D = margin;
  if (loss === 'ce') {
    const ce = sub(logSumExp(scores, 1), labelScore);
    value = (ctx.targeted ? ce : neg(ce)) as Tensor1D;
  }
  const predicted = predictedClasses(outputs, ctx.outputKind);
  const fooled = (ctx.targeted ? equal(predicted, labels) : notEqual(predicted, labels)) as Tensor1D;
  return { margin, loss: value, fooled };
}

/**
 * Class scores for the margin-based attacks (internal): APGD's DLR loss, APGD-T's targets, FAB's
 * and DeepFool's linearised boundaries, C&W's and Square's margins all compare one class's score
 * with another's, so every model form is first turned into one `[batch, classes]` score matrix.
 */
import { logProbabilities, isSingleUnit, labelClasses, predictedClasses } from '../core/outputs/index.js';
import { concat, equal, tidy, zerosLike, type Tensor, type Tensor1D, type Tensor2D } from '../core/tf.js';
import type { AttackContext } from './context.js';

/**
 * Scores `[batch, classes]` whose differences are the model's logit differences (call inside
 * `tidy`; differentiable). Logits pass unchanged; a single logit `z` (a binary model) becomes the
 * two logits `[0, z]`; probabilities become log-probabilities (floored at `PROBABILITY_FLOOR`),
 * which are the logits up to a per-row constant, and margins `s_i - s_j` and the DLR ratio are
 * invariant to that constant.
 */
export function classScores(outputs: Tensor, kind: AttackContext['outputKind']): Tensor2D {
  if (kind === 'probabilities') return logProbabilities(outputs, kind) as Tensor2D;
  if (isSingleUnit(outputs)) return concat([zerosLike(outputs), outputs], -1) as Tensor2D;
  return outputs as Tensor2D;
}

/** The model's class scores at `x` (see {@link classScores}); call inside `tidy`. */
export function scoresAt(ctx: AttackContext, x: Tensor): Tensor2D {
  return classScores(ctx.forward(x), ctx.outputKind);
}

/** Number of classes the scores have: the label columns, or 2 for a single-unit (binary) model. */
export function classCount(ctx: AttackContext): number {
  const units = ctx.labels.shape[1];
  return units === 1 ? 2 : units;
}

/** The classes of `ctx.labels` as int32 `[batch]` (caller-owned). */
export function labelIndices(ctx: AttackContext): Tensor1D {
  return tidy(() => labelClasses(ctx.labels));
}

/**
 * Whether the model classifies each row of `x` as its label: bool `[batch]` (caller-owned). For
 * a targeted attack the labels are the targets, so true means the target was reached.
 */
export function matchesLabels(ctx: AttackContext, x: Tensor, labels: Tensor = ctx.labels): Tensor1D {
  return tidy(() => equal(predictedClasses(ctx.forward(x), ctx.outputKind), labelClasses(labels)) as Tensor1D);
}

import { assertBackend } from '../../core/backend.js';
import type { LabelsLike } from '../../core/labels.js';
import { toForwardFn, type ModelLike } from '../../core/model.js';
import { resolveOutputKind } from '../../core/outputs/index.js';
import type { Tensor } from '../../core/tf.js';
import { oneOf, optionsObject, positiveInteger } from '../../core/validate.js';
import { checkInputs, labelsForOutputs, outputUnits } from './inputs.js';
import { scoreBatches, type MembershipScoreKind } from './scoreBatches.js';

export type { MembershipScoreKind } from './scoreBatches.js';

/** Options of {@link membershipScores}. */
export interface MembershipScoresOptions {
  /**
   * What to score (higher = more likely a member), all from the probability `p_y` the model
   * gives the true class:
   * - `'loss'`: minus the cross-entropy, `log p_y` (the loss-threshold attack of Yeom et al.
   *   2018, "Privacy Risk in Machine Learning");
   * - `'confidence'`: `p_y`;
   * - `'logitConfidence'`: `log(p_y / (1 - p_y))`, the scaled logit of Carlini et al. 2022
   *   ("Membership Inference Attacks From First Principles", LiRA), whose distribution over
   *   retrainings is close to Gaussian.
   */
  readonly score: MembershipScoreKind;
  /** Examples scored together (an integer >= 1). Default 256. */
  readonly batchSize?: number;
  /** Whether the model returns logits or probabilities. Default: what the model declares (a final softmax means probabilities). */
  readonly modelOutput?: 'logits' | 'probabilities';
}

/**
 * One membership score per example from a model's outputs on its own training question: the
 * loss, the confidence in the true label, or LiRA's logit-scaled confidence. Used alone these
 * are the classic threshold attacks (compare with {@link evaluateMembershipAttack}); the scaled
 * logit is the statistic {@link liraScores} calibrates with shadow models.
 *
 * Precision: scores are computed in float32 on the device. `'logitConfidence'` is computed as
 * `log p_y - logsumexp_{k != y} log p_k`, which stays finite however confident the model is when
 * it returns logits (the result is about the logit margin). From probabilities (a model ending in
 * softmax), probabilities are floored at 1e-7 before the log, so the score saturates near
 * `±(16.1 - log(K - 1))` for K classes: prefer a logits model for LiRA.
 *
 * @param model - A classifier: a `LayersModel` or a function `x => outputs`.
 * @param x - Inputs `[N, ...]`.
 * @param y - True labels: class indices (array, typed array or 1-D tensor) or one-hot rows.
 * @param options - {@link MembershipScoresOptions}; `score` is required.
 * @returns Scores `Float64Array(N)`, higher = more likely a member.
 * @example
 * ```ts
 * import { evaluateMembershipAttack, membershipScores } from 'responsible-tfjs/audit';
 * // xAll: training rows followed by held-out rows; isMember marks the training rows.
 * const scores = await membershipScores(model, xAll, yAll, { score: 'loss' });
 * console.log(evaluateMembershipAttack(scores, isMember).auc); // > 0.5 when the model overfits
 * ```
 */
export async function membershipScores(model: ModelLike, x: Tensor, y: LabelsLike, options: MembershipScoresOptions): Promise<Float64Array> {
  const fn = 'membershipScores';
  assertBackend(fn);
  const o = optionsObject(fn, 'options', options);
  const score = oneOf(fn, 'options.score', o.score, ['loss', 'confidence', 'logitConfidence'] as const);
  const batchSize = positiveInteger(fn, 'options.batchSize', o.batchSize ?? 256);
  const forward = toForwardFn(fn, model);
  const kind = resolveOutputKind(fn, model, o.modelOutput);
  checkInputs(fn, x);
  const labels = await labelsForOutputs(fn, y, outputUnits(fn, model, forward, x), x.shape[0] as number);
  try {
    return await scoreBatches(fn, forward, kind, x, labels, batchSize, score);
  } finally {
    labels.dispose();
  }
}

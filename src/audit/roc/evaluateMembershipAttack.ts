import { invalid, numberInRange, optionsObject } from '../../core/validate.js';
import { checkScores, membershipFlags } from './membershipFlags.js';
import { rocCurveAuc } from './rocCurveAuc.js';
import { curveOf } from './rocCurve.js';
import { tprAtFpr } from './tprAtFpr.js';
import type { RocCurve } from './types.js';

/** Options of {@link evaluateMembershipAttack}. */
export interface EvaluateMembershipAttackOptions {
  /**
   * False positive rates, each in (0, 1), at which to report the true positive rate. Default
   * `[1e-3, 1e-2]` (0.1% and 1%, as Carlini et al. 2022 report).
   */
  readonly fprTargets?: readonly number[];
  /** A name for the attack, shown in plots ({@link rocSvg}). Default `'attack'`. */
  readonly name?: string;
}

/** Result of {@link evaluateMembershipAttack}. */
export interface MembershipAttackEvaluation {
  /** The attack's name. */
  readonly name: string;
  /** The scores evaluated (a copy, higher = more likely a member). */
  readonly scores: Float64Array;
  /** The ROC curve ({@link rocCurve}). */
  readonly roc: RocCurve;
  /** Area under the curve ({@link rocCurveAuc}); 0.5 is chance. */
  readonly auc: number;
  /** TPR at each of `options.fprTargets`, in that order ({@link tprAtFpr}). */
  readonly tprAtFpr: readonly { readonly fpr: number; readonly tpr: number }[];
  /**
   * Best balanced accuracy over thresholds, `max_t (TPR(t) + 1 - FPR(t)) / 2`: the membership
   * "advantage" of Yeom et al. 2018 is `2 * balancedAccuracy - 1`. Chosen with the labels, so
   * it is an optimistic (in-sample) figure.
   */
  readonly balancedAccuracy: number;
  /** Number of members among the examples. */
  readonly members: number;
  /** Number of non-members among the examples. */
  readonly nonMembers: number;
}

/**
 * Scores a membership-inference attack: its ROC curve, AUC, TPR at low FPRs and best balanced
 * accuracy, from one score per example and whether each example was a member. Only rates at
 * FPR multiples of 1/nonMembers are measurable: to read TPR at 0.1% FPR meaningfully, evaluate on
 * at least a few thousand non-members.
 *
 * @param scores - One finite score per example, higher = more likely a member (e.g. from
 *   {@link membershipScores} or {@link liraScores}).
 * @param isMember - `true`/`1` for members, `false`/`0` for non-members; both must occur.
 * @param options - {@link EvaluateMembershipAttackOptions}.
 * @returns The evaluation, ready for {@link rocSvg}.
 * @example
 * ```ts
 * import { evaluateMembershipAttack, membershipScores } from 'responsible-tfjs/audit';
 * const scores = await membershipScores(model, x, y, { score: 'loss' });
 * const result = evaluateMembershipAttack(scores, isMember, { name: 'loss (Yeom et al.)' });
 * console.log(result.auc.toFixed(3), result.tprAtFpr); // e.g. 0.612 [{ fpr: 0.001, tpr: 0.004 }, ...]
 * ```
 */
export function evaluateMembershipAttack(
  scores: ArrayLike<number>, isMember: ArrayLike<boolean | number>, options?: EvaluateMembershipAttackOptions,
): MembershipAttackEvaluation {
  const fn = 'evaluateMembershipAttack';
  const o = optionsObject(fn, 'options', options);
  const targets = o.fprTargets ?? [1e-3, 1e-2];
  if (!Array.isArray(targets)) invalid(fn, 'options.fprTargets', targets, 'an array of false positive rates in (0, 1)');
  targets.forEach((t, i) => numberInRange(fn, `options.fprTargets[${i}]`, t, { min: 0, max: 1, minInclusive: false, maxInclusive: false }));
  const name = o.name ?? 'attack';
  if (typeof name !== 'string') invalid(fn, 'options.name', name, 'a string');
  const copy = Float64Array.from(checkScores(fn, 'scores', scores));
  const flags = membershipFlags(fn, 'isMember', isMember, copy.length, 'scores');
  const roc = curveOf(copy, flags);
  const members = flags.reduce((a, b) => a + b, 0);
  let balancedAccuracy = 0;
  for (let i = 0; i < roc.falsePositiveRate.length; i++) {
    balancedAccuracy = Math.max(balancedAccuracy, ((roc.truePositiveRate[i] as number) + 1 - (roc.falsePositiveRate[i] as number)) / 2);
  }
  return {
    name,
    scores: copy,
    roc,
    auc: rocCurveAuc(roc),
    tprAtFpr: targets.map((fpr) => ({ fpr, tpr: tprAtFpr(roc, fpr) })),
    balancedAccuracy,
    members,
    nonMembers: copy.length - members,
  };
}

import type { ModelLike } from '../../core/model.js';
import { toForwardFn } from '../../core/model.js';
import { checkLogitShapes, classLogits, distillationSettings, perExampleDistillation } from '../../core/outputs/distillation.js';
import { twoClassLabels } from '../../core/outputs/logProbabilities.js';
import { resolveOutputKind } from '../../core/outputs/outputKind.js';
import { mean, tidy, type Scalar, type Tensor2D } from '../../core/tf.js';
import { invalid, optionsObject } from '../../core/validate.js';
import type { LossTerm } from '../types.js';
import { termName } from './termName.js';

/** Options of {@link distillationTerm}. */
export interface DistillationTermOptions {
  /** The trained teacher: a `LayersModel` (run in inference mode) or a function `x => logits`. */
  readonly teacher: ModelLike;
  /** Softmax temperature `T` (> 0). Default 4 (Hinton et al. 2015: 2.5 to 4 for small students). */
  readonly temperature?: number;
  /**
   * Weight of the soft term inside the term, in [0, 1]; `1 - alpha` goes to the hard-label
   * cross-entropy. Default 0.9, as the sustainability module's `distillationLoss`. Use 1 for the
   * soft term alone next to a {@link crossEntropyTerm} task.
   */
  readonly alpha?: number;
  /** What the teacher returns; default what it declares (a softmax last layer: probabilities). */
  readonly teacherOutput?: 'logits' | 'probabilities';
  /** Term name. Default `'distillation'`. */
  readonly name?: string;
}

/**
 * Knowledge-distillation term (Hinton, Vinyals and Dean 2015): the batch mean of
 * `alpha * T^2 * KL(softmax(teacher / T) || softmax(model / T)) + (1 - alpha) * CE(y, softmax(model))`,
 * the same number as the sustainability module's `distillationLoss` on the same logits (one shared
 * implementation). Its `prepare` hook runs the teacher on the batch once, outside the gradient
 * tape; the term differentiates the model's logits only. The model's outputs are logits, as for
 * every objectives term.
 *
 * Two ways to use it. As the task, with the default alpha 0.9: distil and add fairness or sparsity
 * terms beside it. Or with `alpha: 1` (soft targets only) next to `crossEntropyTerm()`, its weight
 * set in `ethicalLoss`'s `weights` under the term's name (a term carries no weight of its own).
 *
 * @returns A loss term with data dependence `'example'` (DP-SGD can clip it per example).
 * @throws InvalidArgumentError for a bad teacher, temperature <= 0 or alpha outside [0, 1]; when
 *   the loss runs, for a teacher whose outputs do not match the model's.
 * @example
 * ```ts
 * import { ethicalLoss, distillationTerm, l1Term } from 'responsible-tfjs/objectives';
 * const loss = ethicalLoss({
 *   model: student, task: distillationTerm({ teacher, temperature: 4, alpha: 0.9 }), terms: [l1Term()], weights: { l1: 1e-4 },
 * });
 * await loss.setBatch({ x, y });
 * await loss.step(optimizer);
 * ```
 */
export function distillationTerm(options: DistillationTermOptions): LossTerm {
  const fn = 'distillationTerm';
  const o = optionsObject(fn, 'options', options);
  const name = termName(fn, o.name ?? 'distillation');
  const settings = distillationSettings(fn, o);
  const t = o.teacher as unknown;
  if (typeof t !== 'function' && (typeof t !== 'object' || t === null || typeof (t as { apply?: unknown }).apply !== 'function')) {
    invalid(fn, 'options.teacher', t, 'a tf.LayersModel or a function (x: Tensor) => Tensor');
  }
  const teacher = toForwardFn(fn, o.teacher);
  const kind = resolveOutputKind(fn, o.teacher, o.teacherOutput, 'options.teacherOutput');
  const key = `${name}:teacherLogits`;
  return {
    name,
    dataDependence: 'example',
    prepare: async (ctx) => ({ [key]: tidy(() => classLogits(teacher(ctx.x), kind)) }),
    fn: (ctx) => {
      const t = ctx.extras[key] as Tensor2D;
      const s = classLogits(ctx.outputs, 'logits');
      checkLogitShapes(fn, s, t, { student: 'model outputs', teacher: 'options.teacher' });
      const labels = settings.alpha < 1 ? (twoClassLabels(ctx.labels) as Tensor2D) : undefined;
      return mean(perExampleDistillation(s, t, labels, settings)) as Scalar;
    },
  };
}

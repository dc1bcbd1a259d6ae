import {
  DEFAULT_ALPHA, DEFAULT_TEMPERATURE, checkLogitShapes, classLogits, distillationSettings, perExampleDistillation,
} from '../../core/outputs/distillation.js';
import { labelsLikeOutputs } from '../../core/outputs/labels.js';
import { twoClassLabels } from '../../core/outputs/logProbabilities.js';
import type { LabelsLike } from '../../core/labels.js';
import { tensorArgument } from '../../core/tensorArgument.js';
import { dispose, mean, tidy, type Scalar, type Tensor, type Tensor1D, type Tensor2D } from '../../core/tf.js';
import { invalid } from '../../core/validate.js';

/**
 * Options of {@link distillationLoss} (and of {@link distill}).
 */
export interface DistillationLossOptions {
  /**
   * Softmax temperature `T`, a finite number > 0. Default 4: Hinton et al. 2015 (section 3) found
   * 2.5 to 4 best for a small student (30 units per hidden layer) on MNIST, every T above 8 about
   * equal for large ones. Keras's distillation example uses 10.
   */
  readonly temperature?: number;
  /**
   * Weight of the soft (teacher) term, in [0, 1]; the hard-label cross-entropy gets `1 - alpha`.
   * Default 0.9: Hinton et al. 2015 weigh the hard term "considerably lower"; Keras's example puts
   * 0.1 on it (its own `alpha` names the hard term's weight). With 1, labels are not needed.
   */
  readonly alpha?: number;
}

/**
 * Default options of {@link distillationLoss} and {@link distill}: temperature 4, alpha 0.9 (see
 * {@link DistillationLossOptions} for their sources).
 *
 * @example
 * ```ts
 * import { DISTILLATION_DEFAULTS } from 'responsible-tfjs/sustainability';
 * console.log(DISTILLATION_DEFAULTS); // { temperature: 4, alpha: 0.9 }
 * ```
 */
export const DISTILLATION_DEFAULTS = /* @__PURE__ */ Object.freeze({ temperature: DEFAULT_TEMPERATURE, alpha: DEFAULT_ALPHA });

const FN = 'distillationLoss';

/**
 * Knowledge-distillation loss of Hinton, Vinyals and Dean 2015 ("Distilling the Knowledge in a
 * Neural Network", arXiv:1503.02531), the batch mean of
 *
 *   alpha * T^2 * KL(softmax(teacher / T) || softmax(student / T)) + (1 - alpha) * CE(y, softmax(student))
 *
 * computed through log-softmax (no overflow for large logits). The `T^2` keeps the soft term's
 * gradient, `alpha * T * (softmax(s / T) - softmax(t / T))` per example, at the same scale for every
 * temperature (about `alpha * (s - t) / K` for large T), so changing T does not silently reweigh
 * soft against hard targets. A single logit per example (a binary model) is read as the two logits
 * `[0, z]`. A teacher that returns probabilities can pass `tf.log(probabilities)`: log-probabilities
 * are logits up to a per-row constant, which the softmax ignores.
 *
 * @param studentLogits - Student logits `[batch, classes]` (differentiate through them).
 * @param teacherLogits - Teacher logits of the same shape (treated as constants only if you do not
 *   differentiate with respect to the teacher).
 * @param labels - Class indices or one-hot rows; required unless `alpha` is 1 (then ignored). Class indices in a
 *   tensor are checked by a synchronous read: on webgpu, where that read loses the device, pass them as an
 *   array or as one-hot rows ({@link distill} reads tensors asynchronously and has no such limit).
 * @param options - {@link DistillationLossOptions}; defaults temperature 4, alpha 0.9.
 * @returns A scalar the caller owns.
 * @throws InvalidArgumentError for a temperature <= 0, alpha outside [0, 1], logits that are not
 *   `[batch, classes]` of one shape, labels that do not fit them, or no labels with alpha < 1.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { distillationLoss } from 'responsible-tfjs/sustainability';
 * const student = tf.tensor2d([[1, 0, -1]]);
 * const teacher = tf.tensor2d([[3, 1, -2]]);
 * // Pure soft targets (alpha 1): T^2 * KL of the softened distributions, no labels needed.
 * distillationLoss(student, teacher, undefined, { temperature: 2, alpha: 1 }).print();
 * // Default mix (T 4, alpha 0.9) with the true class 0.
 * distillationLoss(student, teacher, [0]).print();
 * ```
 */
export function distillationLoss(studentLogits: Tensor, teacherLogits: Tensor, labels?: LabelsLike, options?: DistillationLossOptions): Scalar {
  const per = perExample(FN, studentLogits, teacherLogits, labels, options);
  const out = tidy(() => mean(per) as Scalar);
  per.dispose();
  return out;
}

/**
 * {@link distillationLoss} per example: `[batch]`, before the batch mean (for sample weights,
 * per-example clipping or to see which examples the student fits worst).
 *
 * @returns A `[batch]` tensor the caller owns.
 * @throws InvalidArgumentError as {@link distillationLoss}.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { perExampleDistillationLoss } from 'responsible-tfjs/sustainability';
 * const losses = perExampleDistillationLoss(tf.tensor2d([[1, 0], [0, 1]]), tf.tensor2d([[2, 0], [2, 0]]), [0, 1]);
 * losses.print(); // the second example, where student and teacher disagree, costs more
 * ```
 */
export function perExampleDistillationLoss(studentLogits: Tensor, teacherLogits: Tensor, labels?: LabelsLike, options?: DistillationLossOptions): Tensor1D {
  return perExample('perExampleDistillationLoss', studentLogits, teacherLogits, labels, options);
}

function perExample(fn: string, studentLogits: Tensor, teacherLogits: Tensor, labels: LabelsLike | undefined, options: DistillationLossOptions | undefined): Tensor1D {
  const settings = distillationSettings(fn, options);
  const s = tensorArgument(fn, 'studentLogits', studentLogits);
  const t = tensorArgument(fn, 'teacherLogits', teacherLogits);
  checkLogitShapes(fn, s, t, { student: 'studentLogits', teacher: 'teacherLogits' });
  const [batch, units] = s.shape as [number, number];
  if (labels === undefined && settings.alpha < 1) {
    invalid(fn, 'labels', labels, 'class indices or one-hot rows when options.alpha < 1', 'Only pure soft targets (alpha = 1) need no labels');
  }
  const rows = labels === undefined || settings.alpha === 1 ? undefined : labelRows(fn, labels, units, batch);
  try {
    return tidy(() => perExampleDistillation(classLogits(s, 'logits'), classLogits(t, 'logits'), rows, settings));
  } finally {
    if (rows !== undefined) dispose(rows);
  }
}

/** Labels as float32 rows over all classes `[batch, K >= 2]`, which the caller owns (internal). */
export function labelRows(fn: string, labels: LabelsLike, units: number, batch: number): Tensor2D {
  const shaped = labelsLikeOutputs(fn, labels, units, batch);
  if (units !== 1) return shaped;
  const rows = tidy(() => twoClassLabels(shaped) as Tensor2D);
  shaped.dispose();
  return rows;
}

/**
 * Knowledge-distillation loss math (internal), shared by the sustainability module's
 * `distillationLoss`/`distill` and the objectives module's `distillationTerm`, so neither domain
 * imports the other. Hinton, Vinyals and Dean 2015, "Distilling the Knowledge in a Neural Network"
 * (arXiv:1503.02531), section 2:
 *
 *   loss_n = alpha * T^2 * KL(softmax(t_n / T) || softmax(s_n / T)) + (1 - alpha) * CE(y_n, softmax(s_n))
 *
 * with student logits `s`, teacher logits `t`, temperature `T` and labels `y`. The soft term's
 * gradient with respect to `s_n` is `alpha * T * (softmax(s_n / T) - softmax(t_n / T))`; for large
 * `T` (and zero-mean logits) that is about `alpha * (s_n - t_n) / K`, the same for every T: without
 * the `T^2` factor it would shrink as `1 / T^2` (the paper: "it is important to multiply them by
 * T^2"), and the balance between soft and hard terms would change with the temperature.
 */
import { concat, div, logSoftmax, mul, scalar, add, zerosLike, type Tensor, type Tensor1D, type Tensor2D } from '../tf.js';
import { invalid, numberInRange, optionsObject, positiveNumber } from '../validate.js';
import { isSingleUnit, logProbabilities, type OutputKind } from './logProbabilities.js';
import { crossEntropyOfLogProbabilities, perExampleKl } from './losses.js';

/**
 * Default temperature, 4. Hinton et al. 2015 (section 3, MNIST) found every temperature above 8
 * about equally good for a student with 300 or more units per hidden layer, but 2.5 to 4 clearly
 * best for a small one (30 units per layer); a sustainability module distils into small students.
 * (Keras's distillation example uses T = 10; Keras 3's `LogitsDistillation` defaults to 3.)
 */
export const DEFAULT_TEMPERATURE = 4;

/**
 * Default weight of the soft (teacher) term, 0.9, so 0.1 on the hard-label term. Hinton et al.
 * 2015 (section 2) got their best results "by using a considerably lower weight on the second
 * objective function"; Keras's distillation example (Borup 2020) uses the same split (its `alpha`
 * 0.1 weighs the student's hard-label loss).
 */
export const DEFAULT_ALPHA = 0.9;

/** Validated distillation settings. */
export interface DistillationSettings {
  readonly temperature: number;
  readonly alpha: number;
}

/**
 * Reads `temperature` (a finite number > 0) and `alpha` (in [0, 1]) from an options object,
 * with the defaults above (internal; throws `InvalidArgumentError` naming `fn`).
 */
export function distillationSettings(fn: string, options: { readonly temperature?: number; readonly alpha?: number } | undefined): DistillationSettings {
  const o = optionsObject(fn, 'options', options);
  const temperature = positiveNumber(fn, 'options.temperature', o.temperature ?? DEFAULT_TEMPERATURE);
  const alpha = numberInRange(fn, 'options.alpha', o.alpha ?? DEFAULT_ALPHA, { min: 0, max: 1 });
  return { temperature, alpha };
}

/**
 * Checks (synchronously, shapes only, so it may run under a gradient tape) that student and
 * teacher outputs are rank-2 `[batch, units]` of the same shape (internal).
 */
export function checkLogitShapes(fn: string, student: Tensor, teacher: Tensor, names: { readonly student: string; readonly teacher: string }): void {
  if (student.rank !== 2) invalid(fn, names.student, `a tensor of shape [${student.shape.join(', ')}]`, 'logits of shape [batch, classes]');
  if (teacher.rank !== 2 || teacher.shape[0] !== student.shape[0] || teacher.shape[1] !== student.shape[1]) {
    invalid(fn, names.teacher, `a tensor of shape [${teacher.shape.join(', ')}]`, `logits of the student's shape [${student.shape.join(', ')}]`);
  }
}

/**
 * A model's outputs as logits over all classes `[batch, K >= 2]` (call inside `tidy`): logits
 * unchanged; a single logit `z` as `[0, z]` (the binary model seen as two classes, as
 * `logProbabilities` does); probabilities as their (floored) logarithms, which are logits up to a
 * per-row constant that softmax ignores, at any temperature.
 */
export function classLogits(outputs: Tensor, kind: OutputKind): Tensor2D {
  if (kind === 'probabilities') return logProbabilities(outputs, kind) as Tensor2D;
  return (isSingleUnit(outputs) ? concat([zerosLike(outputs), outputs], -1) : outputs) as Tensor2D;
}

/**
 * Per-example distillation loss `[batch]` (call inside `tidy` or under a gradient tape), from
 * class logits `[batch, K]` of student and teacher (see {@link classLogits}) and labels as rows
 * `[batch, K]` (one-hot or soft), which may be omitted when `alpha` is 1. Log-softmax throughout,
 * so large logits neither overflow nor lose the small probabilities. A term whose weight is 0 is
 * not computed (alpha 1: no labels needed; alpha 0: the teacher is not read).
 */
export function perExampleDistillation(student: Tensor2D, teacher: Tensor2D, labels: Tensor2D | undefined, settings: DistillationSettings): Tensor1D {
  const { temperature: t, alpha } = settings;
  const parts: Tensor[] = [];
  if (alpha > 0) {
    const temp = scalar(t);
    const kl = perExampleKl(logSoftmax(div(teacher, temp)), logSoftmax(div(student, temp)));
    parts.push(mul(kl, scalar(alpha * t * t)));
  }
  if (alpha < 1) {
    if (labels === undefined) throw new Error('perExampleDistillation: labels are required when alpha < 1');
    parts.push(mul(crossEntropyOfLogProbabilities(labels, logSoftmax(student)), scalar(1 - alpha)));
  }
  return (parts.length === 1 ? parts[0] : add(parts[0] as Tensor, parts[1] as Tensor)) as Tensor1D;
}

/**
 * The Difference of Logits Ratio losses of APGD-DLR and APGD-T (Croce & Hein 2020, Sec. 4,
 * https://arxiv.org/abs/2003.01690), in torchattacks 3.5.1's float32 order of operations
 * (`APGD.dlr_loss`, `APGDT.dlr_loss_targeted`).
 *
 * The sorted scores come from `topk`, which tfjs cannot differentiate, so each loss is a
 * `customGrad` with its analytic gradient: the chain rule through the sort routes each partial
 * derivative to the class that holds that rank, exactly as torch's `sort` backward does.
 */
import {
  add, argMax, cast, customGrad, div, equal, expandDims, mul, neg, oneHot, scalar, slice, squeeze, stack, sub, sum, tidy, topk,
  type GradSaveFunc, type Tensor, type Tensor1D, type Tensor2D,
} from '../../core/tf.js';
import { tensorArgument } from '../../core/tensorArgument.js';
import { invalid, oneOf } from '../../core/validate.js';
import { classScores } from '../scores.js';
import type { ModelOutput } from '../types.js';

/** Added to the DLR denominator, as torchattacks (`+ 1e-12`), so that ties do not divide by 0. */
const DLR_DENOMINATOR_EPSILON = 1e-12;

/** What `customGrad` accepts (its parameter type is not exported by tfjs-core). */
type GradientFunction = Parameters<typeof customGrad>[0];

/** Column `k` of `[batch, n]` as `[batch]`. */
function column(t: Tensor, k: number): Tensor1D {
  return squeeze(slice(t, [0, k], [-1, 1]), [1]) as Tensor1D;
}

/**
 * `sum_k coefficients[:, k] · onehot(ranks[:, k])` plus `labelCoefficient · labels`: the gradient
 * with respect to the scores of a function of the ranked scores and of the label's score.
 */
function scatterRanks(ranks: Tensor, coefficients: Tensor[], classes: number, labels: Tensor2D, labelCoefficient: Tensor): Tensor2D {
  const masks = cast(oneHot(cast(ranks, 'int32'), classes), 'float32'); // [batch, k, classes]
  const byRank = sum(mul(masks, expandDims(stack(coefficients, 1), 2)), 1);
  return add(byRank, mul(labels, expandDims(labelCoefficient, 1))) as Tensor2D;
}

/**
 * Untargeted DLR of `[batch, classes]` scores (classes >= 3) against one-hot `labels` (internal,
 * differentiable): `−(z_y − z_other) / (z_(1) − z_(3) + 1e-12)`, `z_other = z_(2)` when y is the top
 * class and `z_(1)` otherwise.
 */
export function dlrOfScores(scores: Tensor2D, labels: Tensor2D): Tensor1D {
  const classes = scores.shape[1] as number;
  const f = customGrad(((s: Tensor, save: GradSaveFunc) => {
    const { values, indices } = topk(s, 3);
    const [z1, z2, z3] = [column(values, 0), column(values, 1), column(values, 2)];
    const zy = sum(mul(s, labels), 1);
    const top = cast(equal(column(indices, 0), argMax(labels, 1)), 'float32');
    // torch: x[y] - x_sorted[-2] * ind - x_sorted[-1] * (1 - ind), over x_sorted[-1] - x_sorted[-3] + 1e-12.
    const numerator = sub(sub(zy, mul(z2, top)), mul(z1, sub(scalar(1), top)));
    const denominator = add(sub(z1, z3), scalar(DLR_DENOMINATOR_EPSILON));
    // Everything the gradient needs goes through `save` (tfjs keeps a copy): a tensor captured by
    // the closure may be disposed by the caller's tidy before the backward pass runs.
    save([numerator, denominator, top, indices, labels]);
    return {
      value: neg(div(numerator, denominator)),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [a, b, ind, ranks, y] = saved as [Tensor, Tensor, Tensor, Tensor, Tensor2D];
        const dA = neg(div(dy, b));
        const dB = div(mul(dy, a), mul(b, b));
        const d1 = add(neg(mul(dA, sub(scalar(1), ind))), dB);
        const d2 = neg(mul(dA, ind));
        return [scatterRanks(ranks, [d1, d2, neg(dB)], classes, y, dA)];
      },
    };
  }) as unknown as GradientFunction);
  return f(scores) as Tensor1D;
}

/**
 * Targeted DLR of `[batch, classes]` scores (classes >= 4) (internal, differentiable):
 * `−(z_y − z_t) / (z_(1) − (z_(3) + z_(4))/2 + 1e-12)` for one-hot true classes `labels` and
 * targets `targets`; ascending it moves z_t above z_y.
 */
export function targetedDlrOfScores(scores: Tensor2D, labels: Tensor2D, targets: Tensor2D): Tensor1D {
  const classes = scores.shape[1] as number;
  const f = customGrad(((s: Tensor, save: GradSaveFunc) => {
    const { values, indices } = topk(s, 4);
    const [z1, z3, z4] = [column(values, 0), column(values, 2), column(values, 3)];
    const numerator = sub(sum(mul(s, labels), 1), sum(mul(s, targets), 1));
    // torch: x_sorted[-1] - 0.5 * x_sorted[-3] - 0.5 * x_sorted[-4] + 1e-12.
    const denominator = add(sub(sub(z1, mul(scalar(0.5), z3)), mul(scalar(0.5), z4)), scalar(DLR_DENOMINATOR_EPSILON));
    save([numerator, denominator, indices, labels, targets]);
    return {
      value: neg(div(numerator, denominator)),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [a, b, ranks, y, t] = saved as [Tensor, Tensor, Tensor, Tensor2D, Tensor2D];
        const dA = neg(div(dy, b));
        const dB = div(mul(dy, a), mul(b, b));
        const half = mul(scalar(-0.5), dB);
        const zero = mul(dB, scalar(0));
        const byRank = scatterRanks(ranks, [dB, zero, half, half], classes, y, dA);
        return [sub(byRank, mul(t, expandDims(dA, 1)))];
      },
    };
  }) as unknown as GradientFunction);
  return f(scores) as Tensor1D;
}

/** Checks one-hot labels against `[batch, classes]` outputs with at least `minClasses` classes. */
function checkDlrArguments(fn: string, names: readonly string[], labelTensors: readonly unknown[], outputs: unknown, minClasses: number, purpose: string): void {
  const out = tensorArgument(fn, 'outputs', outputs, 'model outputs [batch, classes]');
  if (out.rank !== 2) invalid(fn, 'outputs', out, 'model outputs of shape [batch, classes]');
  const classes = out.shape[1] as number;
  if (classes < minClasses) {
    invalid(fn, 'outputs', `outputs with ${classes} class${classes === 1 ? '' : 'es'}`, `at least ${minClasses} classes (${purpose})`,
      'For a binary or single-output model use the cross-entropy (loss \'ce\')');
  }
  names.forEach((name, i) => {
    const t = tensorArgument(fn, name, labelTensors[i], 'one-hot rows [batch, classes]');
    if (t.rank !== 2 || t.shape[0] !== out.shape[0] || t.shape[1] !== classes) {
      invalid(fn, name, t, `one-hot rows of the outputs' shape [${out.shape.join(', ')}]`);
    }
  });
}

/**
 * The untargeted Difference of Logits Ratio loss of Croce & Hein (2020, "Reliable evaluation of
 * adversarial robustness with an ensemble of diverse parameter-free attacks",
 * https://arxiv.org/abs/2003.01690), one value per example:
 *
 * `DLR(z, y) = −(z_y − max_{i≠y} z_i) / (z_(1) − z_(3) + 1e-12)`,
 *
 * where `z_(1) ≥ z_(2) ≥ z_(3)` are the sorted class scores. It is negative while the example is
 * classified correctly and positive once it is not; dividing by `z_(1) − z_(3)` makes it invariant
 * to shifting and rescaling the logits, which defeats gradient masking by logit scaling. It is
 * the loss APGD-DLR ascends ({@link apgd} with `loss: 'dlr'`); it is differentiable (an analytic
 * gradient through the sort) and can serve any attack as a {@link PerExampleLoss} on logits.
 *
 * Probabilities are first turned into log-probabilities (the logits up to a per-row constant,
 * which the ratio ignores). The ratio needs a third-best class: binary and single-output models
 * must use the cross-entropy instead.
 *
 * @param labels - One-hot true classes `[batch, classes]`.
 * @param outputs - Model outputs `[batch, classes]`, at least 3 classes.
 * @param modelOutput - What `outputs` holds: `'logits'` (default) or `'probabilities'`.
 * @returns The per-example loss `[batch]` (caller-owned).
 * @throws {@link InvalidArgumentError} for fewer than 3 classes, labels of another shape, a
 *   disposed tensor or an unknown `modelOutput`.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { dlrLoss, pgd } from 'responsible-tfjs/robustness';
 * const logits = tf.tensor2d([[3, 1, 0.5, 0], [0, 2, 1, 0]]);
 * const labels = tf.cast(tf.oneHot([0, 0], 4), 'float32') as tf.Tensor2D;
 * dlrLoss(labels, logits).print(); // [-0.8, 1]: row 0 is correct (-(3 - 1) / (3 - 0.5)), row 1 is not
 * // As the loss of another attack (on a logits model).
 * const xAdv = await pgd(model, x, y, { epsilon: 0.1, stepSize: 0.01, steps: 20, loss: dlrLoss });
 * ```
 */
export function dlrLoss(labels: Tensor2D, outputs: Tensor2D, modelOutput: ModelOutput = 'logits'): Tensor1D {
  const fn = 'dlrLoss';
  const kind = oneOf(fn, 'modelOutput', modelOutput, ['logits', 'probabilities'] as const);
  checkDlrArguments(fn, ['labels'], [labels], outputs, 3, 'DLR divides by the gap between the first and third highest scores');
  return tidy(() => dlrOfScores(classScores(outputs, kind), cast(labels, 'float32') as Tensor2D));
}

/**
 * The targeted Difference of Logits Ratio loss of APGD-T (Croce & Hein 2020,
 * https://arxiv.org/abs/2003.01690, Sec. 4), one value per example:
 *
 * `DLR_t(z, y, t) = −(z_y − z_t) / (z_(1) − (z_(3) + z_(4))/2 + 1e-12)`,
 *
 * with `z_(1) ≥ z_(2) ≥ z_(3) ≥ z_(4)` the sorted scores, `y` the true class and `t` the target.
 * Ascending it raises the target's score above the true class's. {@link apgdTargeted} ascends it
 * for each of the top classes in turn. Probabilities become log-probabilities first; the loss
 * needs at least 4 classes (binary models: use the cross-entropy).
 *
 * @param labels - One-hot true classes `[batch, classes]`.
 * @param targets - One-hot target classes `[batch, classes]`.
 * @param outputs - Model outputs `[batch, classes]`, at least 4 classes.
 * @param modelOutput - What `outputs` holds: `'logits'` (default) or `'probabilities'`.
 * @returns The per-example loss `[batch]` (caller-owned).
 * @throws {@link InvalidArgumentError} for fewer than 4 classes, labels or targets of another
 *   shape, a disposed tensor or an unknown `modelOutput`.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { targetedDlrLoss } from 'responsible-tfjs/robustness';
 * const logits = tf.tensor2d([[3, 2, 1, 0]]);
 * const labels = tf.cast(tf.oneHot([0], 4), 'float32') as tf.Tensor2D;
 * const targets = tf.cast(tf.oneHot([1], 4), 'float32') as tf.Tensor2D;
 * targetedDlrLoss(labels, targets, logits).print(); // [-0.4]: -(3 - 2) / (3 - (1 + 0) / 2)
 * ```
 */
export function targetedDlrLoss(labels: Tensor2D, targets: Tensor2D, outputs: Tensor2D, modelOutput: ModelOutput = 'logits'): Tensor1D {
  const fn = 'targetedDlrLoss';
  const kind = oneOf(fn, 'modelOutput', modelOutput, ['logits', 'probabilities'] as const);
  checkDlrArguments(fn, ['labels', 'targets'], [labels, targets], outputs, 4,
    'targeted DLR divides by the gap between the first and the mean of the third and fourth highest scores');
  return tidy(() => targetedDlrOfScores(
    classScores(outputs, kind), cast(labels, 'float32') as Tensor2D, cast(targets, 'float32') as Tensor2D,
  ));
}

/**
 * The `f` term of C&W and its success test (internal), in the two variants {@link CarliniWagnerMargin}
 * names. Carlini & Wagner 2017, eq. (f6) (https://arxiv.org/abs/1608.04644):
 * untargeted `f = max(Z_y - max_{j != y} Z_j, -kappa)`, targeted `f = max(max_{j != t} Z_j - Z_t, -kappa)`.
 */
import type { OutputKind } from '../../core/outputs/index.js';
import {
  add, argMax, equal, fill, greater, max, maximum, mul, notEqual, sub, sum, where, type Tensor, type Tensor1D, type Tensor2D,
} from '../../core/tf.js';
import { classScores } from '../scores.js';

/**
 * Which margin the C&W objective uses.
 * - `'torchattacks'`: torchattacks 3.5.1's `CW.f`, which masks with the one-hot labels by
 *   multiplication: `real = max(onehot * Z)`, `other = max((1 - onehot) * Z)`. The masked entries
 *   become 0, not -infinity, so `real = max(Z_y, 0)` and `other = max(max_{j != y} Z_j, 0)`. It is
 *   applied to the model's raw outputs (its probabilities, for a model returning probabilities, as
 *   torchattacks would see them). A row is adversarial when the arg-max differs from `y` (equals the
 *   target when targeted); kappa plays no part in that test.
 * - `'paper'`: the paper's `f_6` on logit differences (log-probabilities for a model returning
 *   probabilities: the same differences), with no zero masking, and Carlini's reference code's
 *   success test, which asks for the confidence margin too: untargeted, the arg-max of
 *   `Z + kappa * onehot_y` differs from `y`; targeted, the arg-max of `Z - kappa * onehot_t` is `t`.
 */
export type CarliniWagnerMargin = 'torchattacks' | 'paper';

/** Per-row `f` term `[batch]` (call inside `tidy`; differentiable). `onehot` is `[batch, classes]` of the scores. */
export function cwTerm(
  outputs: Tensor, onehot: Tensor2D, kind: OutputKind, margin: CarliniWagnerMargin, kappa: number, targeted: boolean,
): Tensor1D {
  let real: Tensor;
  let other: Tensor;
  if (margin === 'torchattacks') {
    // torchattacks: `other = max((1 - onehot) * outputs)`, `real = max(onehot * outputs)`.
    other = max(mul(sub(1, onehot), outputs), 1);
    real = max(mul(onehot, outputs), 1);
  } else {
    const scores = classScores(outputs, kind);
    real = sum(mul(onehot, scores), 1);
    other = max(where(greater(onehot, 0.5), fill(scores.shape, -Infinity), scores), 1);
  }
  return maximum(targeted ? sub(other, real) : sub(real, other), -kappa) as Tensor1D;
}

/**
 * Whether each row counts as adversarial for C&W's bookkeeping, bool `[batch]` (call inside
 * `tidy`); see {@link CarliniWagnerMargin} for the test each variant applies.
 */
export function cwSuccess(
  outputs: Tensor, onehot: Tensor2D, labels: Tensor1D, kind: OutputKind, margin: CarliniWagnerMargin, kappa: number, targeted: boolean,
): Tensor1D {
  let scores: Tensor = margin === 'torchattacks' ? outputs : classScores(outputs, kind);
  if (margin === 'paper' && kappa > 0) scores = targeted ? sub(scores, mul(onehot, kappa)) : add(scores, mul(onehot, kappa));
  const pred = argMax(scores, 1);
  return (targeted ? equal(pred, labels) : notEqual(pred, labels)) as Tensor1D;
}

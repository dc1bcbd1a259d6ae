/**
 * Adam as torch 1.13's `optim.Adam` applies it (internal): the C&W attack optimises its
 * tanh-space variable with it, and results match torchattacks only when the update matches torch's
 * operation for operation.
 *
 * Why not `tf.train.adam`: it keeps its state in `tf.Variable`s (registered globally by name), it
 * defaults to `epsilon = backend.epsilon()` (1e-7 on float32 backends, torch uses 1e-8), and it
 * accumulates `beta^t` as a running float32 product where torch evaluates `beta ** t` in double
 * precision. The update here is torch's `_single_tensor_adam` (amsgrad off, no weight decay):
 *
 *   m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²
 *   w ← w − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
 *
 * Kingma & Ba 2015, Algorithm 1 (https://arxiv.org/abs/1412.6980), with ε added outside the
 * bias-corrected square root, as torch and the paper's pseudo-code do.
 */
import { add, div, mul, sqrt, square, sub, zerosLike, type Tensor } from '../../core/tf.js';

/** torch's Adam defaults. */
export const ADAM_BETA1 = 0.9;
export const ADAM_BETA2 = 0.999;
export const ADAM_EPSILON = 1e-8;

/** Adam's moments for one parameter tensor; `step` counts the updates applied so far. */
export interface AdamState {
  readonly m: Tensor;
  readonly v: Tensor;
  readonly step: number;
}

/** Zero moments shaped like `param` (caller-owned). */
export function adamInit(param: Tensor): AdamState {
  return { m: zerosLike(param), v: zerosLike(param), step: 0 };
}

/**
 * One Adam update of `param` with gradient `g` (call inside `tidy`). Returns the new parameter and
 * state; the inputs are left to the caller to dispose.
 */
export function adamUpdate(param: Tensor, g: Tensor, state: AdamState, learningRate: number): { param: Tensor; state: AdamState } {
  const step = state.step + 1;
  const m = add(mul(state.m, ADAM_BETA1), mul(g, 1 - ADAM_BETA1));
  const v = add(mul(state.v, ADAM_BETA2), mul(square(g), 1 - ADAM_BETA2));
  // Scalars in double precision, as torch computes them in Python before the float32 kernels.
  const stepSize = learningRate / (1 - ADAM_BETA1 ** step);
  const bias2Sqrt = Math.sqrt(1 - ADAM_BETA2 ** step);
  const denom = add(div(sqrt(v), bias2Sqrt), ADAM_EPSILON);
  const next = sub(param, div(mul(m, stepSize), denom));
  return { param: next, state: { m, v, step } };
}

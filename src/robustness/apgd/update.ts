/**
 * APGD's momentum update (internal), written in torchattacks 3.5.1's order of float32 operations
 * (`APGD.attack_single_run`), so that a run from the same start agrees element-wise:
 *
 * - L-inf: `z = P(x_k + η·sign(g))`, `x_{k+1} = P(x_k + a(z − x_k) + (1 − a)(x_k − x_{k−1}))`;
 * - L2: `z = P(x_k + η·g/(‖g‖ + 1e-12))`, then the same combination, then P;
 *
 * with P the projection onto the epsilon ball around x followed by the clip to the input range.
 */
import { add, div, maximum, minimum, mul, onesLike, scalar, sub, tidy, type Tensor } from '../../core/tf.js';
import { clamp, exactSign, perExampleL2Norm } from '../steps.js';
import type { AttackNorm } from '../types.js';

/** Added to norms before dividing, as torchattacks' APGD (`+ 1e-12`). */
const NORM_EPSILON = 1e-12;

/** The feasible set: the epsilon ball around `x` intersected with `[lo, hi]`. */
export interface FeasibleSet {
  readonly norm: AttackNorm;
  readonly x: Tensor;
  readonly epsilon: number;
  readonly lo: number;
  readonly hi: number;
  /**
   * L-inf only: `max(x − eps, lo)` and `min(x + eps, hi)`. Clamping to `[x − eps, x + eps]` and then
   * to `[lo, hi]` is the same as clamping once to their intersection (x lies in both), with no
   * arithmetic, so this is bit-identical to torch's two clamps.
   */
  readonly lower: Tensor | undefined;
  readonly upper: Tensor | undefined;
  /** Ones (float32) of `x`'s shape, for `rowCondition`. */
  readonly everywhere: Tensor;
}

/** Builds the feasible set (the caller disposes it with {@link disposeFeasibleSet}). */
export function feasibleSet(norm: AttackNorm, x: Tensor, epsilon: number, lo: number, hi: number): FeasibleSet {
  const everywhere = onesLike(x);
  if (norm === 'l2') return { norm, x, epsilon, lo, hi, lower: undefined, upper: undefined, everywhere };
  const [lower, upper] = tidy(() => [maximum(sub(x, epsilon), lo), minimum(add(x, epsilon), hi)]);
  return { norm, x, epsilon, lo, hi, lower, upper, everywhere };
}

/** Disposes what {@link feasibleSet} created (not `x`). */
export function disposeFeasibleSet(set: FeasibleSet): void {
  set.lower?.dispose();
  set.upper?.dispose();
  set.everywhere.dispose();
}

/**
 * L2 projection as torchattacks writes it: `clip(x + d/(‖d‖ + 1e-12) · min(eps, ‖d‖ + pad))`,
 * `d = z − x`; the first projection of a step uses `pad = 0`, the second `pad = 1e-12`.
 */
function projectL2(set: FeasibleSet, z: Tensor, pad: number): Tensor {
  const d = sub(z, set.x);
  const n = perExampleL2Norm(d);
  const length = minimum(scalar(set.epsilon), pad === 0 ? n : add(n, pad));
  return clamp(add(set.x, mul(div(d, add(n, NORM_EPSILON)), length)), set.lo, set.hi);
}

function projectLinf(set: FeasibleSet, z: Tensor): Tensor {
  return minimum(maximum(z, set.lower as Tensor), set.upper as Tensor);
}

/**
 * One APGD step from `xk` (previous iterate `xPrev`, gradient `g`, per-row step size `eta` of
 * shape `[batch, 1, ..., 1]`, momentum weight `a`: 1 at the first iteration, then 0.75).
 * Call inside `tidy`.
 */
export function apgdStep(set: FeasibleSet, xk: Tensor, xPrev: Tensor, g: Tensor, eta: Tensor, a: number): Tensor {
  const z = set.norm === 'linf'
    ? projectLinf(set, add(xk, mul(eta, exactSign(g))))
    : projectL2(set, add(xk, div(mul(eta, g), add(perExampleL2Norm(g), NORM_EPSILON))), 0);
  const w = add(add(xk, mul(sub(z, xk), scalar(a))), mul(sub(xk, xPrev), scalar(1 - a)));
  return set.norm === 'linf' ? projectLinf(set, w) : projectL2(set, w, NORM_EPSILON);
}

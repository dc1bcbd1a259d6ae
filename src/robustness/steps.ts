/**
 * The update rules of the gradient attacks (internal), written in torchattacks 3.5.1's order of
 * float32 operations so that results agree element-wise: step, projection onto the epsilon ball
 * around the original input, then clipping to the input range.
 */
import {
  abs, add, cast, clipByValue, max, maximum, minimum, sign, div, greater, mul, onesLike, randomNormal, randomUniform, reshape, sqrt, square,
  sub, sum, tidy, where, ones, type Tensor, type Tensor1D, type Tensor2D,
} from '../core/tf.js';
import type { AttackNorm } from './types.js';

/** Added to per-example gradient norms before dividing, as torchattacks' `eps_for_division`. */
export const L2_DIVISION_EPSILON = 1e-10;

/**
 * `min(max(t, lo), hi)` as torch's `clamp`. Uses `clipByValue` when the float32 bounds differ; the
 * wasm backend's clip kernel (XNNPACK) rejects equal bounds and returns garbage, which an epsilon
 * of 0 would produce.
 */
export function clamp(t: Tensor, lo: number, hi: number): Tensor {
  if (Math.fround(lo) < Math.fround(hi)) return clipByValue(t, lo, hi);
  return tidy(() => minimum(maximum(t, lo), hi));
}

/** Shape `[batch, 1, ..., 1]` broadcasting a per-example value over an input of rank `rank`. */
function perExampleShape(batch: number, rank: number): number[] {
  return [batch, ...new Array<number>(rank - 1).fill(1)];
}

/** Per-example L2 norms as a `[batch, 1, ..., 1]` tensor. */
export function perExampleL2Norm(t: Tensor): Tensor {
  return tidy(() => {
    const batch = t.shape[0] as number;
    const norms = sqrt(sum(square(reshape(t, [batch, -1])), 1));
    return reshape(norms, perExampleShape(batch, t.rank));
  });
}

/**
 * Per-row norm of `[rows, features]` as `[rows]`: the largest absolute value (`'linf'`) or the
 * Euclidean length (`'l2'`). Call inside `tidy`.
 */
export function rowNorm(t: Tensor2D, norm: AttackNorm): Tensor1D {
  return (norm === 'linf' ? max(abs(t), 1) : sqrt(sum(square(t), 1))) as Tensor1D;
}

/**
 * A bool `[batch]` mask spread over a full-shape condition (`ones`: float32 ones of that shape)
 * for `where`. `where` with a `[batch, 1, ...]` condition broadcasts it through a `Tile`, and wasm's
 * boolean kernels broadcast in a slow generic loop: on wasm either costs more than all the rest of
 * an APGD iteration's bookkeeping. A float product broadcasts fast on every backend. Reuse one
 * condition for several selections on the same rows. Call inside `tidy`.
 */
export function rowCondition(mask: Tensor, ones: Tensor): Tensor {
  const rows = reshape(cast(mask, 'float32'), perExampleShape(mask.shape[0] as number, ones.rank));
  return cast(mul(rows, ones), 'bool');
}

/** Selects, per example, `a` where `mask[i]` is true and `b` elsewhere (exactly: a `where`). */
export function selectPerExample(mask: Tensor, a: Tensor, b: Tensor): Tensor {
  return tidy(() => where(rowCondition(mask, onesLike(a)), a, b));
}

/** 2^120: scales every float32 gradient entry of magnitude >= 2^-143 above float32 epsilon. */
const SIGN_SCALE = 2 ** 120;

/**
 * Sign of each element: +1 above 0, -1 below, 0 at 0. The wasm backend's `sign` kernel returns 0
 * for magnitudes below float32 machine epsilon (about 1.2e-7), which would freeze the small
 * gradient entries a mean-reduced loss produces; scaling by 2^120 first (exact, a power of two;
 * overflow to infinity keeps the sign) makes the result exact on every backend for all normal
 * float32 values.
 */
export function exactSign(t: Tensor): Tensor {
  return tidy(() => sign(mul(t, SIGN_SCALE)));
}

/** One L-inf PGD step: `a = xk + alpha sign(g)`, `delta = clip(a - x, ±eps)`, `clip(x + delta)`. */
export function linfStep(x: Tensor, xk: Tensor, g: Tensor, alpha: number, eps: number, lo: number, hi: number): Tensor {
  return tidy(() => {
    const a = add(xk, mul(exactSign(g), alpha));
    const delta = clamp(sub(a, x), -eps, eps);
    return clamp(add(x, delta), lo, hi);
  });
}

/**
 * One L2 PGD step: `g / (||g|| + 1e-10)`, `a = xk + alpha g`, `delta = a - x` scaled by
 * `min(eps / ||delta||, 1)`, then `clip(x + delta)`.
 */
export function l2Step(x: Tensor, xk: Tensor, g: Tensor, alpha: number, eps: number, lo: number, hi: number): Tensor {
  return tidy(() => {
    const gUnit = div(g, add(perExampleL2Norm(g), L2_DIVISION_EPSILON));
    const a = add(xk, mul(gUnit, alpha));
    const delta = sub(a, x);
    const dn = perExampleL2Norm(delta);
    // min(eps / dn, 1) without forming 0/0 when dn = 0 (then the factor is 1, as in torch).
    const factor = where(greater(dn, eps), div(eps, dn), ones(dn.shape));
    return clamp(add(x, mul(delta, factor)), lo, hi);
  });
}

/** L-inf random start: `clip(x + U(-eps, eps))`. */
export function linfRandomStart(x: Tensor, eps: number, lo: number, hi: number, seed: number): Tensor {
  return tidy(() => clamp(add(x, randomUniform(x.shape, -eps, eps, 'float32', seed)), lo, hi));
}

/**
 * L2 random start as torchattacks draws it: a Gaussian direction scaled to length `r eps` with
 * `r ~ U(0, 1)` per example, then clipped to the input range.
 */
export function l2RandomStart(x: Tensor, eps: number, lo: number, hi: number, seed: number): Tensor {
  return tidy(() => {
    const batch = x.shape[0] as number;
    const delta = randomNormal(x.shape, 0, 1, 'float32', seed);
    const r = randomUniform(perExampleShape(batch, x.rank), 0, 1, 'float32', seed + 1);
    const scaled = mul(div(delta, perExampleL2Norm(delta)), mul(r, eps));
    return clamp(add(x, scaled), lo, hi);
  });
}

/**
 * The change of variables of C&W (internal): Carlini & Wagner 2017, section V-A "change of
 * variables" (https://arxiv.org/abs/1608.04644). The attack optimises an unconstrained `w` and
 * looks at the image `lo + (hi - lo) (tanh(w) + 1) / 2`, which always lies in `[lo, hi]`, so no
 * clipping is needed. torchattacks fixes the range to [0, 1]; on it the expressions below reduce to
 * torchattacks' float32 operations exactly (the extra scale by 1 and shift by 0 are skipped).
 */
import { add, clipByValue, div, log, mul, sub, tanh, type Tensor } from '../../core/tf.js';

function isUnitRange(lo: number, hi: number): boolean {
  return lo === 0 && hi === 1;
}

/**
 * `w0 = atanh(clip(2 (x - lo) / (hi - lo) - 1, -1, 1))`, computed as torchattacks does:
 * `0.5 log((1 + u) / (1 - u))` (call inside `tidy`). Inputs exactly at `lo` or `hi` map to
 * `-Infinity` or `+Infinity`: there tanh's gradient is 0, so those inputs never move (57 % of
 * the digits pixels in torchattacks' runs).
 */
export function toTanhSpace(x: Tensor, lo: number, hi: number): Tensor {
  const scaled = isUnitRange(lo, hi) ? x : div(sub(x, lo), hi - lo);
  const u = clipByValue(sub(mul(scaled, 2), 1), -1, 1);
  return mul(log(div(add(u, 1), sub(1, u))), 0.5);
}

/** The image `lo + (hi - lo) (tanh(w) + 1) / 2` of a tanh-space variable (differentiable; call inside `tidy`). */
export function fromTanhSpace(w: Tensor, lo: number, hi: number): Tensor {
  const unit = mul(add(tanh(w), 1), 0.5);
  return isUnitRange(lo, hi) ? unit : add(mul(unit, hi - lo), lo);
}

/** APGD's starting points (internal): torchattacks' random start, or a caller's start checked. */
import {
  abs, add, all, cast, div, isFinite, max, min, mul, randomNormal, randomUniform, reshape, scalar, sqrt, square, stack, sub, sum,
  tidy, type Tensor,
} from '../../core/tf.js';
import { tensorArgument } from '../../core/tensorArgument.js';
import { invalid } from '../../core/validate.js';
import { clamp } from '../steps.js';
import type { AttackNorm } from '../types.js';

/** Added to the L2 norm of the random direction, as torchattacks (`+ 1e-12`). */
const START_NORM_EPSILON = 1e-12;

/** Per-row reduction over every axis but the batch, kept as `[batch, 1, ..., 1]`. */
function perRow(t: Tensor, reduce: (flat: Tensor) => Tensor): Tensor {
  const batch = t.shape[0] as number;
  return reshape(reduce(reshape(t, [batch, -1])), [batch, ...new Array<number>(t.rank - 1).fill(1)]);
}

/**
 * torchattacks' APGD start (`attack_single_run`): L-inf `x + eps·t / max|t|` with `t ~ U(−1, 1)`
 * per element (one coordinate of each row sits at ±eps before the clip); L2
 * `x + eps·t / (‖t‖₂ + 1e-12)` with `t ~ N(0, 1)` (on the sphere before the clip). Then clipped to
 * the input range. @returns A caller-owned tensor.
 */
export function apgdRandomStart(x: Tensor, norm: AttackNorm, eps: number, lo: number, hi: number, seed: number): Tensor {
  return tidy(() => {
    const epsRows = scalar(eps);
    if (norm === 'linf') {
      const t = randomUniform(x.shape, -1, 1, 'float32', seed);
      return clamp(add(x, div(mul(epsRows, t), perRow(t, (f) => max(abs(f), 1, true)))), lo, hi);
    }
    const t = randomNormal(x.shape, 0, 1, 'float32', seed);
    const norms = add(sqrt(perRow(t, (f) => sum(square(f), 1, true))), START_NORM_EPSILON);
    return clamp(add(x, div(mul(epsRows, t), norms)), lo, hi);
  });
}

/**
 * Checks `options.start`: a live float32 tensor of `x`'s shape, finite, inside `[lo, hi]` and
 * inside the epsilon ball around `x` up to float32 rounding (1e-6 of the input range per
 * coordinate; for L2, that much per coordinate in norm). One read of four numbers.
 * @returns The start (not a copy; the caller still owns it).
 */
export async function checkStart(fn: string, start: unknown, x: Tensor, norm: AttackNorm, eps: number, lo: number, hi: number): Promise<Tensor> {
  const argument = 'options.start';
  const s = tensorArgument(fn, argument, start, 'a start point of x\'s shape');
  if (s.dtype !== 'float32' || s.shape.length !== x.shape.length || s.shape.some((d, i) => d !== x.shape[i])) {
    invalid(fn, argument, s, `a float32 tensor of x's shape [${x.shape.join(', ')}]`);
  }
  const summary = tidy(() => {
    const d = sub(s, x);
    const distance = norm === 'linf' ? max(abs(d)) : max(sqrt(sum(square(reshape(d, [x.shape[0] as number, -1])), 1)));
    return stack([min(s), max(s), cast(all(isFinite(s)), 'float32'), distance]);
  });
  const [sMin, sMax, finite, distance] = Array.from(await summary.data());
  summary.dispose();
  if (finite !== 1) invalid(fn, argument, s, 'finite values (no NaN or infinity)');
  if (!((sMin as number) >= lo && (sMax as number) <= hi)) {
    invalid(fn, argument, `values in [${sMin}, ${sMax}]`, `values inside [clipMin, clipMax] = [${lo}, ${hi}]`);
  }
  const rounding = 1e-6 * Math.max(1, Math.abs(lo), Math.abs(hi));
  const perRowSize = x.size / (x.shape[0] as number);
  const tolerance = norm === 'linf' ? rounding : rounding * Math.sqrt(perRowSize);
  if (!((distance as number) <= eps * (1 + 1e-6) + tolerance)) {
    invalid(fn, argument, `a start at ${norm === 'linf' ? 'L-inf' : 'L2'} distance ${distance} from x`,
      `a point within epsilon = ${eps} of x (${norm === 'linf' ? 'L-inf' : 'L2'})`);
  }
  return s;
}

/**
 * Gradient rules of the hooked nonlinearities (internal): DeepLift's rescale, softmax and maxpool
 * rules (`captum/attr/_core/deep_lift.py`: `nonlinear`, `softmax`, `maxpool`) and the modified
 * ReLU gradients of guided backpropagation and deconvolution
 * (`captum/attr/_core/guided_backprop_deconvnet.py: ModifiedReluGradientAttribution._backward_hook`).
 *
 * Each rule wraps an op `z -> op(z)` into a function with the same forward value. The op itself
 * stays on the gradient tape, so its own gradient (tfjs's) is available to the rules that fall
 * back on it; `tf.customGrad` nodes around it redirect the gradient:
 * - elementwise ops: `out = pass(op(z), z)`, where `pass` is the identity on its first input and
 *   sends the incoming gradient `g` partly back through the op (`g_y`, which reaches `z` as the
 *   op's own gradient) and partly straight to `z` (`g_z`); `z` receives their sum.
 * - max pooling: the op runs on `[z; z]`, so one backward pass of the op's own gradient carries
 *   both the normal gradient and the unpooled `g·Δout` that the rule needs.
 *
 * DeepLift's ops see the doubled batch `[inputs; baselines]` (rows `0..R-1` and `R..2R-1`): `Δ`
 * is the input row minus its baseline row, used for both halves as Captum's `_compute_diffs`
 * does (`torch.cat(2 * [delta])`).
 */
import {
  abs, add, concat, customGrad, div, less, maximum, mul, ones, relu, slice, sub, sum, where, zerosLike,
  type GradSaveFunc, type Tensor,
} from '../../core/tf.js';
import type { LayerOp } from '../model/swap.js';

/** Captum's default `eps`: where `|Δin| < eps` the rules keep the normal gradient. */
export const DEEPLIFT_EPS = 1e-10;

/** Rows of the first (input) half and the second (baseline) half of a doubled batch. */
function halves(t: Tensor): [Tensor, Tensor] {
  const rows = (t.shape[0] as number) / 2;
  if (!Number.isInteger(rows)) throw new Error(`DeepLift expects the doubled batch [inputs; baselines], got ${t.shape[0]} rows`);
  return [slice(t, 0, rows), slice(t, rows, rows)];
}

/** `cat(2 * [input - baseline])`: the difference of each row from its pair, for both halves. */
function doubledDifference(t: Tensor): Tensor {
  const [a, b] = halves(t);
  const d = sub(a, b);
  return concat([d, d], 0);
}

/** `|Δin| < eps`, and Δin with 1 where it is that small (so the unused branch stays finite). */
function smallAndSafe(deltaIn: Tensor, eps: number): { small: Tensor; safe: Tensor } {
  const small = less(abs(deltaIn), eps);
  return { small, safe: where(small, ones(deltaIn.shape), deltaIn) };
}

/**
 * `pass(y, z)`: forward `y`; backward sends `routeY(g)` to `y` (so on through the op's own
 * gradient to `z`) and `routeZ(g)` straight to `z`. `saved` are `[y, z]`.
 */
function split(y: Tensor, z: Tensor, route: (g: Tensor, y: Tensor, z: Tensor) => [Tensor, Tensor]): Tensor {
  const pass = customGrad((...args: Array<Tensor | GradSaveFunc>) => {
    const [yIn, zIn, save] = args as [Tensor, Tensor, GradSaveFunc];
    save([yIn, zIn]);
    return {
      value: yIn.clone(),
      gradFunc: (g: Tensor, saved: Tensor[]) => route(g, saved[0] as Tensor, saved[1] as Tensor),
    };
  });
  return pass(y, z);
}

/**
 * DeepLift's rescale rule on an elementwise nonlinearity (Captum's `nonlinear`): the gradient at
 * `z` is `g · Δout/Δin`, or the normal gradient `g · f'(z)` where `|Δin| < eps`.
 */
export function rescaleRule(op: LayerOp, eps: number): LayerOp {
  return (z) => split(op(z), z, (g, y, zs) => {
    const deltaIn = doubledDifference(zs);
    const deltaOut = doubledDifference(y);
    const { small, safe } = smallAndSafe(deltaIn, eps);
    const zero = zerosLike(g);
    return [where(small, g, zero), where(small, zero, div(mul(g, deltaOut), safe))];
  });
}

/** The positive axes of a softmax over `axis` of a rank-`rank` tensor. */
function softmaxAxes(axis: number | readonly number[], rank: number): number[] {
  return (Array.isArray(axis) ? axis : [axis as number]).map((a) => (a < 0 ? a + rank : a));
}

/**
 * DeepLift's softmax rule (Captum's `softmax`): the rescale rule with the normal softmax gradient
 * `y ⊙ (g - Σ_axis g ⊙ y)` where `|Δin| < eps`, then minus the mean of that gradient over **every**
 * element of the tensor (the whole doubled batch and all classes), as Captum does.
 */
export function softmaxRule(op: LayerOp, axis: number | readonly number[], eps: number): LayerOp {
  return (z) => split(op(z), z, (g, y, zs) => {
    const deltaIn = doubledDifference(zs);
    const deltaOut = doubledDifference(y);
    const { small, safe } = smallAndSafe(deltaIn, eps);
    const normal = mul(y, sub(g, sum(mul(g, y), softmaxAxes(axis, y.rank), true)));
    const unnormalized = where(small, normal, div(mul(g, deltaOut), safe));
    const normalized = sub(unnormalized, div(sum(unnormalized), unnormalized.size));
    return [zerosLike(g), normalized];
  });
}

/**
 * DeepLift's maxpool rule (Captum's `maxpool`). With `o`, `o_ref` the pooled input and baseline
 * rows and `m = max(o, o_ref)`: `g ⊙ [m - o_ref; o - m]` is unpooled to each half's own argmax
 * positions, the two halves are added, and the sum (for both halves) is divided by `Δin`; where
 * `|Δin| < eps` the normal max-pooling gradient is kept.
 *
 * The unpooling is the pooling's own gradient, which adds the values of overlapping windows that
 * share an argmax; torch's `max_unpool` keeps one of them. The two agree when windows do not
 * overlap (stride >= pool size, the usual case).
 */
export function maxPoolRule(op: LayerOp, eps: number): LayerOp {
  return (z) => {
    const rows = z.shape[0] as number;
    const duplicate = customGrad((...args: Array<Tensor | GradSaveFunc>) => {
      const [zIn, save] = args as [Tensor, GradSaveFunc];
      save([zIn]);
      return {
        value: concat([zIn, zIn], 0),
        gradFunc: (d: Tensor, saved: Tensor[]) => {
          const normal = slice(d, 0, rows);
          const [unpooledInput, unpooledBaseline] = halves(slice(d, rows, rows));
          const unpooled = add(unpooledInput, unpooledBaseline);
          const { small, safe } = smallAndSafe(doubledDifference(saved[0] as Tensor), eps);
          return where(small, normal, div(concat([unpooled, unpooled], 0), safe));
        },
      };
    });
    const firstHalf = customGrad((...args: Array<Tensor | GradSaveFunc>) => {
      const [yBoth, save] = args as [Tensor, GradSaveFunc];
      const y = slice(yBoth, 0, rows);
      save([y]);
      return {
        value: y,
        gradFunc: (g: Tensor, saved: Tensor[]) => {
          const [o, oRef] = halves(saved[0] as Tensor);
          const m = maximum(o, oRef);
          const deltaOut = concat([sub(m, oRef), sub(o, m)], 0);
          return concat([g, mul(g, deltaOut)], 0);
        },
      };
    });
    return firstHalf(op(duplicate(z)));
  };
}

/** Guided backpropagation's ReLU: `relu(g ⊙ 1[z > 0])`, the normal gradient with negatives dropped. */
export function guidedReluRule(op: LayerOp): LayerOp {
  // relu(g)·1[z>0] = relu(g·1[z>0]): send relu(g) back through the ReLU's own gradient.
  return (z) => split(op(z), z, (g) => [relu(g), zerosLike(g)]);
}

/** Deconvolution's ReLU: `relu(g)`, ignoring the forward mask. */
export function deconvolutionReluRule(op: LayerOp): LayerOp {
  return (z) => split(op(z), z, (g) => [zerosLike(g), relu(g)]);
}

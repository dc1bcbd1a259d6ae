import type { LabelsLike } from '../../core/labels.js';
import type { ModelLike } from '../../core/model.js';
import { betweenSteps } from '../../core/eventLoop.js';
import { twoClassLabels } from '../../core/outputs/index.js';
import {
  abs, argMax, concat, gather, tensor1d, argMin, clone, div, equal, expandDims, fill, greater, isNaN, logicalAnd, logicalOr, mul, oneHot, reshape, sqrt, square, sub, sum,
  tidy, transpose, where, add, type Tensor, type Tensor1D, type Tensor2D,
} from '../../core/tf.js';
import { invalid, nonNegativeNumber, oneOf, optionsObject, positiveInteger } from '../../core/validate.js';
import { prepareAttack, type AttackContext } from '../context.js';
import { labelIndices } from '../scores.js';
import { clamp, exactSign, selectPerExample } from '../steps.js';
import type { AttackCommonOptions, AttackNorm } from '../types.js';
import { scoreDifferenceJacobian } from './jacobian.js';

/** Options of {@link deepFool}. */
export interface DeepFoolOptions extends Omit<AttackCommonOptions, 'loss' | 'targeted'> {
  /** Most linearisation steps per row (an integer >= 1). Default 50, as torchattacks. */
  readonly steps?: number;
  /** Each step's move is multiplied by `1 + overshoot` (>= 0) to cross the boundary. Default 0.02. */
  readonly overshoot?: number;
  /**
   * The norm the perturbation is minimal in: `'l2'` (torchattacks' and the paper's main case) or
   * `'linf'`, the paper's `p = infinity` case (section 2.3, eq. 11), which measures each
   * linearised boundary by the dual (L1) norm of its normal and steps along its sign.
   * Default `'l2'`.
   */
  readonly norm?: AttackNorm;
  /** Not supported: DeepFool is untargeted (torchattacks too). For a targeted minimal perturbation use {@link carliniWagnerL2}. */
  readonly targeted?: false;
  /** Not supported: DeepFool linearises the class scores, it has no loss. */
  readonly loss?: never;
}

/** Validated DeepFool hyper-parameters (internal). */
export interface DeepFoolSettings {
  readonly steps: number;
  readonly overshoot: number;
  readonly norm: AttackNorm;
}

/** Validates the DeepFool hyper-parameters (internal). */
export function deepFoolSettings(fn: string, opts: DeepFoolOptions): DeepFoolSettings {
  const raw = opts as { loss?: unknown; targeted?: unknown };
  if (raw.loss !== undefined) {
    invalid(fn, 'options.loss', raw.loss, 'undefined: DeepFool linearises the class scores and has no loss');
  }
  if (raw.targeted !== undefined && raw.targeted !== false) {
    invalid(fn, 'options.targeted', raw.targeted, 'false or undefined: DeepFool is untargeted',
      'For a targeted minimal perturbation use carliniWagnerL2 with targeted: true');
  }
  return {
    steps: positiveInteger(fn, 'options.steps', opts.steps ?? 50),
    overshoot: nonNegativeNumber(fn, 'options.overshoot', opts.overshoot ?? 0.02),
    norm: oneOf(fn, 'options.norm', opts.norm ?? 'l2', ['l2', 'linf'] as const),
  };
}

/**
 * One batched DeepFool step (call inside `tidy`): rows still classified as their label move to
 * their nearest linearised boundary times `1 + overshoot`, clipped to the input range; the others
 * stay. Returns the next iterate and which rows were still classified as their label (bool `[batch]`).
 */
function deepFoolStep(ctx: AttackContext, xk: Tensor, onehot: Tensor2D, labels: Tensor1D, s: DeepFoolSettings): { next: Tensor; active: Tensor } {
  const { scores, jacobian } = scoreDifferenceJacobian(ctx, xk, onehot);
  const active = equal(argMax(scores, 1), labels);
  // f'_k = s_k - s_y and w'_k = grad s_k - grad s_y, per row: [batch, classes] and [batch, classes, features].
  const fPrime = abs(sub(scores, sum(mul(scores, onehot), 1, true)));
  const wPrime = transpose(jacobian, [1, 0, 2]);
  // The distance to each linearised boundary is |f'_k| / ||w'_k||_q with q the dual norm (paper, eq. 11).
  const norms = s.norm === 'l2' ? sqrt(sum(square(wPrime), 2)) : sum(abs(wPrime), 2);
  const ratio = div(fPrime, norms);
  // The label's own column, and 0/0 (a class whose score difference is flat and 0), never win.
  const candidates = where(logicalOr(greater(onehot, 0.5), isNaN(ratio)), fill(ratio.shape, Infinity), ratio);
  const pick = oneHot(argMin(candidates, 1), onehot.shape[1]);
  const f = sum(mul(fPrime, pick), 1);
  const w = sum(mul(wPrime, expandDims(pick, 2)), 1);
  const n = sum(mul(norms, pick), 1);
  // torchattacks (L2): delta = |f'_l| w'_l / ||w'_l||^2; L-inf: delta = |f'_l| / ||w'_l||_1 sign(w'_l).
  const delta = s.norm === 'l2'
    ? div(mul(expandDims(f, 1), w), expandDims(square(n), 1))
    : mul(expandDims(div(f, n), 1), exactSign(w));
  const stepped = clamp(add(xk, reshape(mul(delta, 1 + s.overshoot), xk.shape)), ctx.clipMin, ctx.clipMax);
  // A row whose score differences are all flat (n = 0) has nowhere to go: it stays, rather than become NaN.
  const moving = logicalAnd(active, greater(n, 0));
  return { next: selectPerExample(moving, stepped, xk), active };
}

/**
 * `xk` with the rows `rows` replaced by `part` (call inside `tidy`): one gather from the
 * concatenation, which every backend supports.
 */
function replaceRows(xk: Tensor, rows: readonly number[], part: Tensor): Tensor {
  const batch = xk.shape[0] as number;
  const source = Array.from({ length: batch }, (_, i) => i);
  rows.forEach((r, k) => {
    source[r] = batch + k;
  });
  return gather(concat([xk, part], 0), tensor1d(source, 'int32'));
}

/**
 * The whole attack on a prepared context (internal). Each round works on the rows still moving
 * only (torchattacks skips finished rows too): it reads which rows were still classified as their
 * label, a `[rows]` boolean, once per round. @returns A caller-owned tensor of x's shape.
 */
export async function deepFoolCore(ctx: AttackContext, x: Tensor, s: DeepFoolSettings): Promise<Tensor> {
  const batch = x.shape[0] as number;
  const onehot = tidy(() => twoClassLabels(ctx.labels)) as Tensor2D;
  const labels = labelIndices(ctx);
  let xk = clone(x);
  let rows = Array.from({ length: batch }, (_, i) => i);
  try {
    for (let step = 0; step < s.steps && rows.length > 0; step++) {
      await betweenSteps(ctx.fn, ctx.signal);
      const [current, subset] = [xk, rows];
      const [next, active] = tidy(() => {
        if (subset.length === batch) {
          const r = deepFoolStep(ctx, current, onehot, labels, s);
          return [r.next, r.active];
        }
        const index = tensor1d(subset, 'int32');
        const r = deepFoolStep(ctx, gather(current, index), gather(onehot, index) as Tensor2D, gather(labels, index) as Tensor1D, s);
        return [replaceRows(current, subset, r.next), r.active];
      });
      const flags = await active!.data();
      active!.dispose();
      xk = next!;
      current.dispose();
      // A row stops for good once its prediction differs from its label (it did not move this round).
      rows = subset.filter((_, k) => flags[k] === 1);
    }
  } catch (e) {
    xk.dispose();
    throw e;
  } finally {
    onehot.dispose();
    labels.dispose();
  }
  return xk;
}

/**
 * DeepFool (Moosavi-Dezfooli, Fawzi & Frossard 2016, "DeepFool: a simple and accurate method to
 * fool deep neural networks", https://arxiv.org/abs/1511.04599): a minimal-perturbation attack
 * that repeatedly linearises the classifier around the current point and moves to the nearest
 * linearised decision boundary. Per step and row still classified as its label `y`:
 *
 * - for every class `k != y`: `f'_k = s_k - s_y` and `w'_k = grad s_k - grad s_y` (the full
 *   Jacobian, from the class scores: logits, `[0, z]` for a single-unit model, log-probabilities
 *   for a model returning probabilities, whose differences are the logits');
 * - the nearest boundary `l = argmin_k |f'_k| / ||w'_k||_q` (q = 2, or q = 1 for `norm: 'linf'`);
 * - the move `delta = |f'_l| w'_l / ||w'_l||_2^2` (L2) or `|f'_l| / ||w'_l||_1 sign(w'_l)` (L-inf),
 *   and `x <- clip(x + (1 + overshoot) delta, clipMin, clipMax)`.
 *
 * This is torchattacks 3.5.1's `DeepFool` (tested per example against it), batched: all rows
 * move together, one step per round, and a row stops for good once its prediction differs from its
 * label (rows misclassified from the start never move). After `steps` rounds the last iterate is
 * returned **whether or not it fooled the model** (as torchattacks; rows stop on the boundary's far
 * side only up to rounding, see below), so check success with {@link minimalPerturbation}.
 *
 * Deviations from the paper, as torchattacks: the overshoot multiplies every step's move, and the
 * iterate is clipped to the input range after each step. Without clipping this is the same point
 * as the paper's `x + (1 + overshoot) r_tot` (its code evaluates the gradients at that point, so
 * `r_tot` accumulates the same moves); with the clip, steps cut by the box approach the boundary
 * geometrically and many rows end within about 1e-6 of it, where rounding decides the prediction.
 * The authors' code also adds 1e-4 to each step's length and looks at the top 10 classes only;
 * torchattacks and this function use every class. The L-inf variant is the paper's; torchattacks
 * has only L2.
 *
 * Cost: each round is one forward and one backward pass of the rows still moving, tiled once per
 * class, and one read of which of them are still classified as their label (so finished rows cost
 * nothing and the attack stops as soon as every row is done).
 *
 * @param model - A `tf.LayersModel` or a function from inputs to logits (or probabilities, see
 *   `options.modelOutput`); rows must be independent (inference mode).
 * @param x - A float32 batch `[batch, ...]` with every value in `[clipMin, clipMax]`.
 * @param y - True classes as class indices or one-hot rows (0/1 for a single-unit model); omitted,
 *   the model's predictions.
 * @param options - See {@link DeepFoolOptions}.
 * @returns The last iterates, of `x`'s shape (caller-owned).
 * @throws {@link InvalidArgumentError} for steps not a positive integer, a negative overshoot, an
 *   unknown norm, `targeted: true` or a `loss`, and the input errors of {@link pgd};
 *   {@link AbortedError} when `options.signal` is aborted (nothing leaks).
 * @example
 * ```ts
 * import '@tensorflow/tfjs-layers';
 * import { deepFool, minimalPerturbation, minimalPerturbationSvg } from 'responsible-tfjs/robustness';
 * const xAdv = await deepFool(model, x, y); // torchattacks' DeepFool(model, steps=50, overshoot=0.02)
 * const summary = await minimalPerturbation(x, xAdv, { model, y });
 * console.log(`median L2 distance to the boundary: ${summary.statistics.l2?.median}`);
 * const svg = minimalPerturbationSvg(summary, { norm: 'l2', title: 'DeepFool L2 distances' });
 * // The L-inf variant: the smallest uniform per-pixel change that flips each decision.
 * const xAdvLinf = await deepFool(model, x, y, { norm: 'linf' });
 * ```
 */
export async function deepFool(model: ModelLike, x: Tensor, y?: LabelsLike, options?: DeepFoolOptions): Promise<Tensor> {
  const fn = 'deepFool';
  const opts = optionsObject(fn, 'options', options);
  const settings = deepFoolSettings(fn, opts);
  const { context } = await prepareAttack(fn, model, x, y, opts as AttackCommonOptions);
  try {
    return await deepFoolCore(context, x, settings);
  } finally {
    context.labels.dispose();
  }
}

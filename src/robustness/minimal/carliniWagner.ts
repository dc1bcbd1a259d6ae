import type { LabelsLike } from '../../core/labels.js';
import type { ModelLike } from '../../core/model.js';
import { betweenSteps } from '../../core/eventLoop.js';
import { isSingleUnit, twoClassLabels } from '../../core/outputs/index.js';
import {
  add, clone, dispose, div, fill, greater, less, logicalAnd, logicalOr, maximum, minimum, mul, reshape, square, sub, sum, tidy, where,
  zeros, type Scalar, type Tensor, type Tensor1D, type Tensor2D,
} from '../../core/tf.js';
import { invalid, nonNegativeNumber, oneOf, optionsObject, positiveInteger, positiveNumber } from '../../core/validate.js';
import { prepareAttack, type AttackContext } from '../context.js';
import { labelIndices } from '../scores.js';
import { selectPerExample } from '../steps.js';
import type { AttackCommonOptions } from '../types.js';
import { adamInit, adamUpdate, type AdamState } from './adam.js';
import { cwSuccess, cwTerm, type CarliniWagnerMargin } from './cwMargin.js';
import { gradWithExtras } from './gradWithExtras.js';
import { fromTanhSpace, toTanhSpace } from './tanhSpace.js';

/** Options of {@link carliniWagnerL2}. Distances are in input units. */
export interface CarliniWagnerL2Options extends Omit<AttackCommonOptions, 'loss'> {
  /**
   * Weight of the margin term against the squared distance (> 0); with `binarySearchSteps > 1`,
   * the starting weight of every row's search. Default 1, as torchattacks (the paper's code starts
   * its search at 1e-3).
   */
  readonly c?: number;
  /** Confidence margin kappa (>= 0): how far past the decision boundary the objective pushes. Default 0. */
  readonly kappa?: number;
  /**
   * Adam steps per value of c (an integer >= 1). Default 50, torchattacks' default, so that a call
   * with no options is torchattacks' `CW(model)`; the reference runs of the tests use 100. More
   * steps find smaller perturbations (the paper runs 10,000).
   */
  readonly steps?: number;
  /** Adam's learning rate in tanh space (> 0). Default 0.01. */
  readonly learningRate?: number;
  /**
   * Values of c tried per row (an integer >= 1). Default 1: c stays fixed, as torchattacks (which
   * does not implement the search). With more, each round restarts Adam from x and then updates
   * every row's c as Carlini's reference code (nn_robust_attacks `l2_attack.py`) does: a row that
   * was fooled in the round sets `upper = min(upper, c)`; one that was not sets
   * `lower = max(lower, c)`; then `c = (lower + upper) / 2` once an upper bound below 1e9 is
   * known, else `c = 10 c`. The smallest successful perturbation over all rounds is returned.
   */
  readonly binarySearchSteps?: number;
  /**
   * The margin of the objective and the success test, see {@link CarliniWagnerMargin}. Default
   * `'torchattacks'` for models with several output units (the reference the library is tested
   * against), `'paper'` for single-unit (binary) models, which torchattacks cannot attack and on
   * which the zero masking would leave no gradient for label-0 rows.
   */
  readonly margin?: CarliniWagnerMargin;
  /**
   * Not supported: C&W minimises its own objective (squared distance plus the margin term). Use
   * `margin` and `kappa` to shape it, or {@link pgd} with a `loss` for a custom objective.
   */
  readonly loss?: never;
}

/** Validated C&W hyper-parameters (internal). */
export interface CarliniWagnerSettings {
  readonly c: number;
  readonly kappa: number;
  readonly steps: number;
  readonly learningRate: number;
  readonly binarySearchSteps: number;
  readonly margin: CarliniWagnerMargin | undefined;
}

/** Validates the C&W hyper-parameters (internal). */
export function carliniWagnerSettings(fn: string, opts: CarliniWagnerL2Options): CarliniWagnerSettings {
  if ((opts as { loss?: unknown }).loss !== undefined) {
    invalid(fn, 'options.loss', (opts as { loss?: unknown }).loss, 'undefined: C&W minimises its own objective',
      'Shape it with options.margin and options.kappa, or use pgd with a custom loss');
  }
  return {
    c: positiveNumber(fn, 'options.c', opts.c ?? 1),
    kappa: nonNegativeNumber(fn, 'options.kappa', opts.kappa ?? 0),
    steps: positiveInteger(fn, 'options.steps', opts.steps ?? 50),
    learningRate: positiveNumber(fn, 'options.learningRate', opts.learningRate ?? 0.01),
    binarySearchSteps: positiveInteger(fn, 'options.binarySearchSteps', opts.binarySearchSteps ?? 1),
    margin: opts.margin === undefined ? undefined : oneOf(fn, 'options.margin', opts.margin, ['torchattacks', 'paper'] as const),
  };
}

/** The problem's fixed tensors and settings (internal). */
interface CwProblem {
  readonly ctx: AttackContext;
  readonly x: Tensor;
  /** One-hot rows over the score classes (two for a single-unit model). */
  readonly onehot: Tensor2D;
  readonly labels: Tensor1D;
  readonly margin: CarliniWagnerMargin;
  readonly s: CarliniWagnerSettings;
}

/** What one Adam step leaves behind (all caller-owned). */
interface CwIterate {
  readonly w: Tensor;
  readonly adam: AdamState;
  readonly best: Tensor;
  readonly bestL2: Tensor1D;
  /** Rows fooled at some step of this round (for the search over c). */
  readonly found: Tensor1D;
  readonly cost: Scalar;
}

/**
 * One step of torchattacks' `CW.forward` loop (call inside `tidy`): image and cost at the current
 * `w`, the gradient, the Adam update, then the best-image bookkeeping with this step's (pre-update)
 * image and outputs.
 */
function cwStep(p: CwProblem, c: number | Tensor1D, w: Tensor, adam: AdamState, best: Tensor, bestL2: Tensor1D, found: Tensor1D): CwIterate {
  const { ctx, x, onehot, s } = p;
  const batch = x.shape[0] as number;
  const { grad: g, value: cost, extras } = gradWithExtras((wi) => {
    const adv = fromTanhSpace(wi, ctx.clipMin, ctx.clipMax);
    // torchattacks: MSELoss(reduction='none') of the flattened images, summed per row.
    const rowL2 = sum(square(sub(reshape(adv, [batch, -1]), reshape(x, [batch, -1]))), 1);
    const outputs = ctx.forward(adv);
    const f = cwTerm(outputs, onehot, ctx.outputKind, p.margin, s.kappa, ctx.targeted);
    // torchattacks: `L2_loss + c * f_loss` with scalar c; per-row c (the search) weights each row's term.
    const marginCost = typeof c === 'number' ? mul(sum(f), c) : sum(mul(f, c));
    return { objective: add(sum(rowL2), marginCost) as Scalar, extras: { adv, rowL2, outputs } };
  }, w);
  const { param, state } = adamUpdate(w, g, adam, s.learningRate);
  const fooled = cwSuccess(extras.outputs, onehot, p.labels, ctx.outputKind, p.margin, s.kappa, ctx.targeted);
  const better = logicalAnd(fooled, greater(bestL2, extras.rowL2));
  return {
    w: param,
    adam: state,
    best: selectPerExample(better, extras.adv, best),
    bestL2: where(better, extras.rowL2, bestL2) as Tensor1D,
    found: logicalOr(found, fooled) as Tensor1D,
    cost,
  };
}

/** Carlini's update of every row's c after a round of the search (call inside `tidy`). */
function nextConstants(c: Tensor1D, lower: Tensor1D, upper: Tensor1D, found: Tensor1D): [Tensor1D, Tensor1D, Tensor1D] {
  const newUpper = where(found, minimum(upper, c), upper) as Tensor1D;
  const newLower = where(found, lower, maximum(lower, c)) as Tensor1D;
  const bisect = div(add(newLower, newUpper), 2);
  const newC = where(less(newUpper, 1e9), bisect, where(found, c, mul(c, 10))) as Tensor1D;
  return [newC, newLower, newUpper];
}

/** Records the smallest squared distance and its image over all rounds (internal state). */
interface CwBest {
  best: Tensor;
  bestL2: Tensor1D;
}

/**
 * One round at a fixed c: Adam from `w0` for up to `steps` steps with torchattacks' early stop
 * (every `max(steps / 10, 1)` steps, stop when the batch-total cost exceeds the previous check's).
 * Updates `record` in place and resolves to the rows fooled in the round (caller-owned).
 */
async function cwRound(p: CwProblem, w0: Tensor, c: number | Tensor1D, record: CwBest): Promise<Tensor1D> {
  const batch = p.x.shape[0] as number;
  let w = clone(w0);
  let adam = adamInit(w0);
  let found = zeros([batch], 'bool') as Tensor1D;
  const checkEvery = Math.max(Math.floor(p.s.steps / 10), 1);
  let previousCost = 1e10;
  try {
    for (let step = 0; step < p.s.steps; step++) {
      await betweenSteps(p.ctx.fn, p.ctx.signal);
      const [cw, ca, cb, cl, cf] = [w, adam, record.best, record.bestL2, found];
      const next = tidy(() => {
        const r = cwStep(p, c, cw, ca, cb, cl, cf);
        return [r.w, r.adam.m, r.adam.v, r.best, r.bestL2, r.found, r.cost];
      });
      dispose([w, adam.m, adam.v, record.best, record.bestL2, found]);
      const cost = next[6] as Scalar;
      [w, record.best, record.bestL2, found] = [next[0]!, next[3]!, next[4] as Tensor1D, next[5] as Tensor1D];
      adam = { m: next[1]!, v: next[2]!, step: adam.step + 1 };
      if (step % checkEvery === 0) {
        const value = (await cost.data())[0] as number;
        cost.dispose();
        if (value > previousCost) break;
        previousCost = value;
      } else {
        cost.dispose();
      }
    }
  } catch (e) {
    found.dispose();
    throw e;
  } finally {
    dispose([w, adam.m, adam.v]);
  }
  return found;
}

/** The whole attack on a prepared context (internal). @returns A caller-owned tensor of x's shape. */
export async function carliniWagnerCore(ctx: AttackContext, x: Tensor, s: CarliniWagnerSettings): Promise<Tensor> {
  const single = isSingleUnit(ctx.labels);
  const margin = s.margin ?? (single ? 'paper' : 'torchattacks');
  if (single && margin === 'torchattacks') {
    invalid(ctx.fn, 'options.margin', margin, '\'paper\' for a model with one output unit',
      'torchattacks\' zero masking leaves a binary model\'s label-0 rows without gradient');
  }
  const batch = x.shape[0] as number;
  const onehot = tidy(() => twoClassLabels(ctx.labels)) as Tensor2D;
  const labels = labelIndices(ctx);
  const w0 = tidy(() => toTanhSpace(x, ctx.clipMin, ctx.clipMax));
  const record: CwBest = { best: clone(x), bestL2: fill([batch], 1e10) as Tensor1D };
  const p: CwProblem = { ctx, x, onehot, labels, margin, s };
  let search: { c: Tensor1D; lower: Tensor1D; upper: Tensor1D } | undefined;
  try {
    if (s.binarySearchSteps === 1) {
      (await cwRound(p, w0, s.c, record)).dispose();
    } else {
      search = { c: fill([batch], s.c) as Tensor1D, lower: zeros([batch]) as Tensor1D, upper: fill([batch], 1e10) as Tensor1D };
      for (let round = 0; round < s.binarySearchSteps; round++) {
        const found = await cwRound(p, w0, search.c, record);
        const old: { c: Tensor1D; lower: Tensor1D; upper: Tensor1D } = search;
        const [nc, nl, nu] = tidy((): Tensor1D[] => nextConstants(old.c, old.lower, old.upper, found)) as [Tensor1D, Tensor1D, Tensor1D];
        dispose([old.c, old.lower, old.upper, found]);
        search = { c: nc, lower: nl, upper: nu };
      }
    }
  } catch (e) {
    record.best.dispose();
    throw e;
  } finally {
    dispose([onehot, labels, w0, record.bestL2]);
    if (search !== undefined) dispose([search.c, search.lower, search.upper]);
  }
  return record.best;
}

/**
 * The Carlini & Wagner L2 attack (Carlini & Wagner 2017, "Towards Evaluating the Robustness of
 * Neural Networks", https://arxiv.org/abs/1608.04644): a minimal-perturbation attack that, per
 * row, minimises `||x' - x||_2^2 + c f(x')` over `x' = lo + (hi - lo) (tanh(w) + 1) / 2` with
 * Adam, and returns the smallest-distance adversarial iterate it met. By default it follows
 * torchattacks 3.5.1's `CW` step for step (tested per example against it):
 *
 * - `w` starts at `atanh(2 (x - lo) / (hi - lo) - 1)` (the paper starts at the same point; its
 *   code scales by 0.999999 first). Inputs exactly at `clipMin` or `clipMax` start at infinity,
 *   where tanh's gradient is 0: they never move.
 * - The cost is the batch total `sum_rows ||x' - x||^2 + c sum_rows f`; Adam is torch's (epsilon
 *   1e-8, bias correction in double precision).
 * - The `f` term is torchattacks' by default, whose one-hot masking turns masked logits into 0
 *   rather than removing them (see {@link CarliniWagnerMargin}); it is the default because it is
 *   what torchattacks, and therefore every result reported with it, computes. `margin: 'paper'`
 *   is the published `f_6`; it differs whenever the relevant logits are negative, where
 *   torchattacks' version flattens (a true logit below 0 no longer pulls, a best other logit below
 *   0 no longer pushes).
 * - Every step, before the Adam update, a row whose current image is adversarial and closer than
 *   its best so far records the image. Every `max(steps / 10, 1)` steps the batch-total cost is
 *   compared with the previous check's and the attack stops when it grew, so results depend on
 *   the batch's composition (as torchattacks').
 * - Rows never adversarial return `x` unchanged. A row already misclassified returns its first
 *   iterate, `x` up to the rounding of tanh(atanh(x)) (about 1e-7).
 *
 * With `binarySearchSteps > 1` the paper's search over c runs per row (see the option); the
 * early-stop rule stays torchattacks' (the paper's code stops when the cost exceeds 0.9999 times
 * the previous check's). With `targeted: true`, `y` holds target classes and the margin is
 * `max_{j != t} Z_j - Z_t`.
 *
 * Per-example distances: {@link minimalPerturbation}. Rows are attacked in one batch; the model
 * must treat rows independently (inference mode). Each step is one forward and one backward pass
 * of the batch; the only reads are the scalar cost at the early-stop checks.
 *
 * @param model - A `tf.LayersModel` or a function from inputs to logits (or probabilities, see
 *   `options.modelOutput`). A single-unit model is binary (`[0, z]`, see {@link pgd}).
 * @param x - A float32 batch `[batch, ...]` with every value in `[clipMin, clipMax]`.
 * @param y - True classes (target classes when `targeted`) as class indices or one-hot rows;
 *   omitted, the model's predictions.
 * @param options - See {@link CarliniWagnerL2Options}; `signal` stops the attack between steps.
 * @returns Adversarial inputs of `x`'s shape (caller-owned): each row's closest adversarial
 *   iterate, or `x` for rows never fooled.
 * @throws {@link InvalidArgumentError} for c or learningRate <= 0, a negative kappa, steps or
 *   binarySearchSteps not positive integers, an unknown margin, `margin: 'torchattacks'` on a
 *   single-unit model, a `loss` option, and the input errors of {@link pgd};
 *   {@link AbortedError} when `options.signal` is aborted (nothing leaks).
 * @example
 * ```ts
 * import '@tensorflow/tfjs-layers';
 * import { carliniWagnerL2, minimalPerturbation } from 'responsible-tfjs/robustness';
 * // torchattacks' CW(model, c=1, kappa=0, steps=100, lr=0.01):
 * const xAdv = await carliniWagnerL2(model, x, y, { c: 1, steps: 100 });
 * const summary = await minimalPerturbation(x, xAdv, { model, y });
 * console.log(summary.statistics.l2?.median); // median L2 distance over the fooled rows
 * // The paper's variant: its margin, 5 rounds of search over c per row, 1000 steps each.
 * const xPaper = await carliniWagnerL2(model, x, y, { margin: 'paper', c: 1e-2, binarySearchSteps: 5, steps: 1000 });
 * // Targeted: push every row to class 0 with confidence 2.
 * const xTarget = await carliniWagnerL2(model, x, [0, 0, 0], { targeted: true, kappa: 2, margin: 'paper' });
 * ```
 */
export async function carliniWagnerL2(
  model: ModelLike, x: Tensor, y?: LabelsLike, options?: CarliniWagnerL2Options,
): Promise<Tensor> {
  const fn = 'carliniWagnerL2';
  const opts = optionsObject(fn, 'options', options);
  const settings = carliniWagnerSettings(fn, opts);
  const { context } = await prepareAttack(fn, model, x, y, opts);
  try {
    return await carliniWagnerCore(context, x, settings);
  } finally {
    context.labels.dispose();
  }
}

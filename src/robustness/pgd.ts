import type { LabelsLike } from '../core/labels.js';
import type { ModelLike } from '../core/model.js';
import { resolveRng, statisticalRng, tensorSeed, type Rng } from '../core/rng.js';
import { betweenSteps } from '../core/eventLoop.js';
import { clone, greater, tidy, type Tensor } from '../core/tf.js';
import { booleanValue, nonNegativeNumber, oneOf, optionsObject, positiveInteger, positiveNumber } from '../core/validate.js';
import { objectiveGradient, perExampleObjective, prepareAttack, type AttackContext } from './context.js';
import { l2RandomStart, l2Step, linfRandomStart, linfStep, selectPerExample } from './steps.js';
import type { AttackCommonOptions, AttackNorm } from './types.js';

/**
 * Norm of PGD's perturbation ball: `'linf'` (sign steps, box projection) or `'l2'` (normalised
 * gradient steps, Euclidean-ball projection). The same as {@link AttackNorm}.
 */
export type PgdNorm = AttackNorm;

/** Options of {@link pgd}. Distances are in input units. */
export interface PgdOptions extends AttackCommonOptions {
  /** Radius of the perturbation ball (L-inf or L2, per `norm`), in input units (>= 0). */
  readonly epsilon: number;
  /** Length of each step, in input units (> 0): per coordinate for L-inf, in L2 norm for L2. */
  readonly stepSize: number;
  /** Number of gradient steps (an integer >= 1). */
  readonly steps: number;
  /** Ball norm. Default `'linf'`. */
  readonly norm?: PgdNorm;
  /** Start from a random point of the ball (torchattacks' sampling). Default true. */
  readonly randomStart?: boolean;
  /** Independent runs; per example, the run with the highest final loss is kept. Default 1. */
  readonly restarts?: number;
  /** Source of the random starts; seed it (`seededRng`) for reproducible results. Default `Math.random`. */
  readonly rng?: Rng;
}

/** Validated PGD hyper-parameters (internal). */
export interface PgdSettings {
  readonly epsilon: number;
  readonly stepSize: number;
  readonly steps: number;
  readonly norm: PgdNorm;
  readonly randomStart: boolean;
  readonly restarts: number;
  readonly rng: Rng;
}

/** Validates the PGD hyper-parameters (internal). */
export function pgdSettings(fn: string, opts: PgdOptions, prefix = 'options'): PgdSettings {
  return {
    epsilon: nonNegativeNumber(fn, `${prefix}.epsilon`, opts.epsilon),
    stepSize: positiveNumber(fn, `${prefix}.stepSize`, opts.stepSize),
    steps: positiveInteger(fn, `${prefix}.steps`, opts.steps),
    norm: oneOf(fn, `${prefix}.norm`, opts.norm ?? 'linf', ['linf', 'l2'] as const),
    randomStart: booleanValue(fn, `${prefix}.randomStart`, opts.randomStart ?? true),
    restarts: positiveInteger(fn, `${prefix}.restarts`, opts.restarts ?? 1),
    rng: resolveRng(fn, opts.rng, statisticalRng),
  };
}

/**
 * One PGD run from `x` (internal). Yields to the event loop before every step and stops with an
 * AbortedError when `ctx.signal` is aborted, disposing its iterate. @returns A caller-owned tensor.
 */
async function pgdRun(ctx: AttackContext, x: Tensor, s: PgdSettings): Promise<Tensor> {
  const { clipMin: lo, clipMax: hi } = ctx;
  const step = s.norm === 'linf' ? linfStep : l2Step;
  let xk: Tensor;
  if (s.randomStart) {
    const seed = tensorSeed(s.rng);
    xk = s.norm === 'linf' ? linfRandomStart(x, s.epsilon, lo, hi, seed) : l2RandomStart(x, s.epsilon, lo, hi, seed);
  } else {
    xk = clone(x);
  }
  try {
    for (let k = 0; k < s.steps; k++) {
      await betweenSteps(ctx.fn, ctx.signal);
      const prev = xk;
      xk = tidy(() => step(x, prev, objectiveGradient(ctx, prev), s.stepSize, s.epsilon, lo, hi));
      prev.dispose();
    }
  } catch (e) {
    xk.dispose();
    throw e;
  }
  return xk;
}

/**
 * PGD with restarts (internal): per example, keeps the run whose final objective is highest.
 * Yields between steps; on any error (an abort included) it disposes everything it made.
 * @returns A caller-owned tensor.
 */
export async function pgdCore(ctx: AttackContext, x: Tensor, s: PgdSettings): Promise<Tensor> {
  let best = await pgdRun(ctx, x, s);
  if (s.restarts === 1) return best;
  let bestObjective: Tensor | undefined;
  try {
    bestObjective = perExampleObjective(ctx, best);
    for (let r = 1; r < s.restarts; r++) {
      const candidate = await pgdRun(ctx, x, s);
      let candidateObjective: Tensor | undefined;
      try {
        candidateObjective = perExampleObjective(ctx, candidate);
        const [cObj, bObj] = [candidateObjective, bestObjective];
        const [nextBest, nextObjective] = tidy(() => {
          const better = greater(cObj, bObj);
          return [selectPerExample(better, candidate, best), selectPerExample(better, cObj, bObj)];
        });
        best.dispose();
        bestObjective.dispose();
        best = nextBest as Tensor;
        bestObjective = nextObjective as Tensor;
      } finally {
        candidate.dispose();
        candidateObjective?.dispose();
      }
    }
  } catch (e) {
    best.dispose();
    throw e;
  } finally {
    bestObjective?.dispose();
  }
  return best;
}

/**
 * Projected Gradient Descent (Madry et al. 2018, https://arxiv.org/abs/1706.06083), step for step
 * as torchattacks' `PGD` (L-inf) and `PGDL2`: each step ascends the batch-mean loss (L-inf: by
 * `stepSize * sign(g)`; L2: by `stepSize * g / (||g|| + 1e-10)` per example), projects onto the
 * epsilon ball around the original `x`, then clips to `[clipMin, clipMax]`. With
 * `targeted: true` it descends the loss of the target classes `y`. With `restarts > 1`, each
 * example keeps its highest-loss run (lowest target loss when targeted).
 *
 * A model with a single output unit is binary (a logistic regression, say): its unit is the logit
 * of class 1, or, for a LayersModel ending in a sigmoid, its probability. It is attacked as the
 * two-class model with logits `[0, z]`, which gives exactly the same adversarial inputs.
 *
 * @param model - A `tf.LayersModel` or a function from inputs to logits (or probabilities, see
 *   `options.modelOutput`).
 * @param x - A float32 batch `[batch, ...]` with every value in `[clipMin, clipMax]`.
 * @param y - True classes (or targets) as class indices or one-hot rows (for a single-output
 *   model: 0/1, or a `[batch, 1]` column of 0/1); omitted, the model's own predictions are used
 *   (not allowed when targeted).
 * Long attacks do not freeze the page: PGD yields to the event loop before every step (timers,
 * input and rendering run in between; results are unchanged), and `options.signal` stops it.
 *
 * @returns Adversarial inputs of `x`'s shape, which the caller owns.
 * @throws {@link InvalidArgumentError} for a negative epsilon, a step size <= 0, steps or restarts
 *   not positive integers, inputs outside the range or not finite, a disposed `x` or `y`, or bad
 *   labels; {@link AbortedError} when `options.signal` is aborted (nothing leaks).
 * @example
 * ```ts
 * import '@tensorflow/tfjs-layers';
 * import { seededRng } from 'responsible-tfjs';
 * import { pgd } from 'responsible-tfjs/robustness';
 * const xAdv = await pgd(model, x, y, { epsilon: 0.1, stepSize: 0.01, steps: 40, rng: seededRng(1) });
 * const xAdvL2 = await pgd(model, x, y, { norm: 'l2', epsilon: 1, stepSize: 0.2, steps: 10 });
 * // A binary model with one output unit (e.g. Dense(1, 'sigmoid')) takes 0/1 labels.
 * const xAdvBinary = await pgd(logisticRegression, xTabular, [0, 1, 1], { epsilon: 0.1, stepSize: 0.01, steps: 20, clipMin: -5, clipMax: 5 });
 * // Stoppable: rejects with AbortedError once the controller aborts.
 * const controller = new AbortController();
 * const pending = pgd(model, x, y, { epsilon: 0.1, stepSize: 0.01, steps: 1000, signal: controller.signal });
 * ```
 */
export async function pgd(model: ModelLike, x: Tensor, y: LabelsLike | undefined, options: PgdOptions): Promise<Tensor> {
  const fn = 'pgd';
  const opts = optionsObject(fn, 'options', options);
  const settings = pgdSettings(fn, opts);
  const { context } = await prepareAttack(fn, model, x, y, opts);
  try {
    return await pgdCore(context, x, settings);
  } finally {
    context.labels.dispose();
  }
}

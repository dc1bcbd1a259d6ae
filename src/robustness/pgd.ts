import type { LabelsLike } from '../core/labels.js';
import type { ModelLike } from '../core/model.js';
import { resolveRng, rngFromFunction, tensorSeed, type Rng } from '../core/rng.js';
import { clone, greater, tidy, type Tensor } from '../core/tf.js';
import { booleanValue, nonNegativeNumber, oneOf, optionsObject, positiveInteger, positiveNumber } from '../core/validate.js';
import { objectiveGradient, perExampleObjective, prepareAttack, type AttackContext } from './context.js';
import { l2RandomStart, l2Step, linfRandomStart, linfStep, selectPerExample } from './steps.js';
import type { AttackCommonOptions } from './types.js';

/**
 * Norm of the perturbation ball: `'linf'` (sign steps, box projection) or `'l2'` (normalised
 * gradient steps, Euclidean-ball projection).
 *
 * @example
 * ```ts
 * import type { PgdNorm } from 'responsible-tfjs/robustness';
 * const norm: PgdNorm = 'l2';
 * ```
 */
export type PgdNorm = 'linf' | 'l2';

/**
 * Options of {@link pgd}. Distances are in input units.
 *
 * @example
 * ```ts
 * import { seededRng } from 'responsible-tfjs';
 * import type { PgdOptions } from 'responsible-tfjs/robustness';
 * const options: PgdOptions = { epsilon: 0.1, stepSize: 0.01, steps: 40, restarts: 3, rng: seededRng(0) };
 * ```
 */
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
    rng: resolveRng(fn, opts.rng, () => rngFromFunction(Math.random, 'Math.random')),
  };
}

/** One PGD run from `x` (internal, synchronous). @returns A caller-owned tensor. */
function pgdRun(ctx: AttackContext, x: Tensor, s: PgdSettings): Tensor {
  const { clipMin: lo, clipMax: hi } = ctx;
  const step = s.norm === 'linf' ? linfStep : l2Step;
  let xk: Tensor;
  if (s.randomStart) {
    const seed = tensorSeed(s.rng);
    xk = s.norm === 'linf' ? linfRandomStart(x, s.epsilon, lo, hi, seed) : l2RandomStart(x, s.epsilon, lo, hi, seed);
  } else {
    xk = clone(x);
  }
  for (let k = 0; k < s.steps; k++) {
    const prev = xk;
    xk = tidy(() => step(x, prev, objectiveGradient(ctx, prev), s.stepSize, s.epsilon, lo, hi));
    prev.dispose();
  }
  return xk;
}

/**
 * PGD with restarts (internal, synchronous): per example, keeps the run whose final objective is
 * highest. @returns A caller-owned tensor.
 */
export function pgdCore(ctx: AttackContext, x: Tensor, s: PgdSettings): Tensor {
  let best = pgdRun(ctx, x, s);
  if (s.restarts === 1) return best;
  let bestObjective = perExampleObjective(ctx, best);
  for (let r = 1; r < s.restarts; r++) {
    const candidate = pgdRun(ctx, x, s);
    const candidateObjective = perExampleObjective(ctx, candidate);
    const [nextBest, nextObjective] = tidy(() => {
      const better = greater(candidateObjective, bestObjective);
      return [selectPerExample(better, candidate, best), selectPerExample(better, candidateObjective, bestObjective)];
    });
    candidate.dispose();
    candidateObjective.dispose();
    best.dispose();
    bestObjective.dispose();
    best = nextBest as Tensor;
    bestObjective = nextObjective as Tensor;
  }
  bestObjective.dispose();
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
 * @param model - A `tf.LayersModel` or a function from inputs to logits (or probabilities, see
 *   `options.modelOutput`).
 * @param x - A float32 batch `[batch, ...]` with every value in `[clipMin, clipMax]`.
 * @param y - True classes (or targets) as class indices or one-hot rows; omitted, the model's own
 *   predictions are used (not allowed when targeted).
 * @returns Adversarial inputs of `x`'s shape, which the caller owns.
 * @throws {@link InvalidArgumentError} for a negative epsilon, a step size <= 0, steps or restarts
 *   not positive integers, inputs outside the range, or bad labels.
 * @example
 * ```ts
 * import '@tensorflow/tfjs-layers';
 * import { seededRng } from 'responsible-tfjs';
 * import { pgd } from 'responsible-tfjs/robustness';
 * const xAdv = await pgd(model, x, y, { epsilon: 0.1, stepSize: 0.01, steps: 40, rng: seededRng(1) });
 * const xAdvL2 = await pgd(model, x, y, { norm: 'l2', epsilon: 1, stepSize: 0.2, steps: 10 });
 * ```
 */
export async function pgd(model: ModelLike, x: Tensor, y: LabelsLike | undefined, options: PgdOptions): Promise<Tensor> {
  const fn = 'pgd';
  const opts = optionsObject(fn, 'options', options);
  const settings = pgdSettings(fn, opts);
  const { context } = await prepareAttack(fn, model, x, y, opts);
  try {
    return pgdCore(context, x, settings);
  } finally {
    context.labels.dispose();
  }
}

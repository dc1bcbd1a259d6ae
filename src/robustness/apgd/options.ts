/** Options of {@link apgd} and {@link apgdTargeted}, and their validation (internal). */
import type { Rng } from '../../core/rng.js';
import { resolveRng, statisticalRng } from '../../core/rng.js';
import type { Tensor } from '../../core/tf.js';
import { invalid, nonNegativeNumber, numberInRange, oneOf, positiveInteger } from '../../core/validate.js';
import type { AttackCommonOptions, AttackNorm, PerExampleLoss } from '../types.js';

/**
 * The loss APGD ascends: `'ce'` (softmax cross-entropy, or binary cross-entropy for a single-output
 * model), `'dlr'` (the Difference of Logits Ratio, {@link dlrLoss}; needs >= 3 classes), or any
 * {@link PerExampleLoss}.
 */
export type ApgdLoss = 'ce' | 'dlr' | PerExampleLoss;

/** Options of {@link apgd}. Distances are in input units. */
export interface ApgdOptions extends Omit<AttackCommonOptions, 'loss'> {
  /** Radius of the perturbation ball (L-inf or L2, per `norm`), in input units (>= 0). */
  readonly epsilon: number;
  /** Ball norm. Default `'linf'`. */
  readonly norm?: AttackNorm;
  /**
   * Iterations per restart (an integer >= 1). Default 100, as the original AutoAttack; torchattacks
   * defaults to 10 (also inside its AutoAttack).
   */
  readonly steps?: number;
  /**
   * Loss to ascend (descend towards `y` when `targeted`). Default `'ce'`. `'dlr'` is untargeted
   * only: the targeted DLR attack is {@link apgdTargeted}.
   */
  readonly loss?: ApgdLoss;
  /** Runs (an integer >= 1); each later run attacks only the rows not broken yet. Default 1. */
  readonly restarts?: number;
  /**
   * Oscillation threshold of the step-size rule, in [0, 1]: at a checkpoint the step halves when
   * the loss increased in at most `rho` of the iterations since the previous one. Default 0.75.
   */
  readonly rho?: number;
  /**
   * Expectation over transformation: gradients averaged over this many forward/backward passes
   * per iteration (an integer >= 1), for randomized models. The loss and the success test of an
   * iteration are those of its last pass, as in the original code. Default 1; AutoAttack's
   * `'rand'` version uses 20.
   */
  readonly eotIterations?: number;
  /**
   * Start point of the first restart, of `x`'s shape, inside the epsilon ball around `x` (up to
   * float32 rounding) and inside `[clipMin, clipMax]`. Default: a random start (torchattacks').
   * Rows not attacked ignore it.
   */
  readonly start?: Tensor;
  /** Source of the random starts; seed it (`seededRng`) for reproducible results. Default `Math.random`. */
  readonly rng?: Rng;
}

/** Options of {@link apgdTargeted}. */
export interface ApgdTargetedOptions extends Omit<ApgdOptions, 'loss' | 'targeted'> {
  /**
   * How many target classes to try, from the second-highest clean score down (an integer in
   * `[1, classes - 1]`). Default `min(9, classes - 1)`, as AutoAttack on 10 classes.
   */
  readonly targetClasses?: number;
}

/** Validated APGD hyper-parameters (internal). */
export interface ApgdSettings {
  readonly epsilon: number;
  readonly norm: AttackNorm;
  readonly steps: number;
  readonly restarts: number;
  readonly rho: number;
  readonly eotIterations: number;
  readonly rng: Rng;
}

/** Validates the hyper-parameters both APGD attacks share. */
export function apgdSettings(fn: string, opts: ApgdOptions | ApgdTargetedOptions): ApgdSettings {
  return {
    epsilon: nonNegativeNumber(fn, 'options.epsilon', opts.epsilon),
    norm: oneOf(fn, 'options.norm', opts.norm ?? 'linf', ['linf', 'l2'] as const),
    steps: positiveInteger(fn, 'options.steps', opts.steps ?? 100),
    restarts: positiveInteger(fn, 'options.restarts', opts.restarts ?? 1),
    rho: numberInRange(fn, 'options.rho', opts.rho ?? 0.75, { min: 0, max: 1 }),
    eotIterations: positiveInteger(fn, 'options.eotIterations', opts.eotIterations ?? 1),
    rng: resolveRng(fn, opts.rng, statisticalRng),
  };
}

/** `options.loss` of {@link apgd}: `'ce'`, `'dlr'` or a function. */
export function apgdLoss(fn: string, loss: unknown, targeted: unknown): 'ce' | 'dlr' | PerExampleLoss {
  if (loss === undefined) return 'ce';
  if (typeof loss === 'function') return loss as PerExampleLoss;
  const name = oneOf(fn, 'options.loss', loss, ['ce', 'dlr'] as const);
  if (name === 'dlr' && targeted === true) {
    invalid(fn, 'options.loss', 'dlr with targeted: true', '\'ce\' or a function when targeted',
      'The targeted DLR attack over the top classes is apgdTargeted');
  }
  return name;
}

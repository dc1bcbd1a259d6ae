/** Options of {@link fab} and {@link fabTargeted}, and their validation (internal). */
import { resolveRng, statisticalRng, type Rng } from '../../core/rng.js';
import { invalid, numberInRange, oneOf, positiveInteger } from '../../core/validate.js';
import type { AttackCommonOptions, AttackNorm } from '../types.js';

/** Options of {@link fab}. Distances are in input units. */
export interface FabOptions extends AttackCommonOptions {
  /** Norm FAB minimises: `'linf'` (default) or `'l2'`. */
  readonly norm?: AttackNorm;
  /**
   * Acceptance radius (>= 0, in `norm`): a row counts as broken, and returns its adversarial
   * point, only when the smallest adversarial perturbation FAB found is at most `epsilon` (as
   * torchattacks); other rows return `x`. Default `Infinity`: every adversarial point found is
   * returned (FAB as a minimum-norm attack); then `restarts` must be 1, since the random starts
   * are drawn at radius `epsilon / 2`.
   */
  readonly epsilon?: number;
  /** Iterations per run (an integer >= 1). Default 10, as torchattacks; the original AutoAttack runs FAB with 100. */
  readonly steps?: number;
  /**
   * Runs per row (an integer >= 1). Default 1. The first run starts at `x`; each later run
   * attacks the rows still not broken from a random point at distance `epsilon / 2` from `x`
   * (torchattacks' `n_restarts`), which needs a finite `epsilon`.
   */
  readonly restarts?: number;
  /** Largest weight of the step from the original input, `α_max` in [0, 1]. Default 0.1. */
  readonly alphaMax?: number;
  /** Overshoot of each projection step, `η >= 1`. Default 1.05. */
  readonly eta?: number;
  /** Backward step towards `x` after an adversarial point is found, `β` in (0, 1). Default 0.9. */
  readonly beta?: number;
  /** Source of the random starts of restarts after the first; seed it (`seededRng`) for reproducible results. */
  readonly rng?: Rng;
}

/** Options of {@link fabTargeted}. */
export interface FabTargetedOptions extends FabOptions {
  /**
   * How many target classes to try, in the order of the clean input's scores: the highest-scoring
   * class other than the first, then the next, ... (an integer in [1, classes - 1]). Default
   * `min(9, classes - 1)`, as AutoAttack.
   */
  readonly targetClasses?: number;
}

/** Validated FAB hyper-parameters (internal). */
export interface FabSettings {
  readonly norm: AttackNorm;
  readonly epsilon: number;
  readonly steps: number;
  readonly restarts: number;
  readonly alphaMax: number;
  readonly eta: number;
  readonly beta: number;
  readonly rng: Rng;
}

/** Default number of target classes of FAB-T (AutoAttack's `n_target_classes`). */
export const DEFAULT_TARGET_CLASSES = 9;

/** Refuses the common options FAB has no use for (internal). */
export function refuseUnusedOptions(fn: string, opts: AttackCommonOptions, targetedAlternative: string): void {
  if (opts.targeted !== undefined && opts.targeted !== false) {
    invalid(fn, 'options.targeted', opts.targeted, 'false or undefined', `FAB takes the true classes as y; ${targetedAlternative}`);
  }
  if (opts.loss !== undefined) {
    invalid(fn, 'options.loss', opts.loss, 'undefined', 'FAB linearises the differences of class scores and uses no loss');
  }
}

/** Validates the FAB hyper-parameters (internal). */
export function fabSettings(fn: string, opts: FabOptions): FabSettings {
  const epsilon = opts.epsilon === undefined
    ? Infinity
    : numberInRange(fn, 'options.epsilon', opts.epsilon, { min: 0, max: Infinity });
  const restarts = positiveInteger(fn, 'options.restarts', opts.restarts ?? 1);
  if (restarts > 1 && !Number.isFinite(epsilon)) {
    invalid(fn, 'options.restarts', restarts, '1 when options.epsilon is not given', 'Later restarts start at distance epsilon / 2 from x: give a finite epsilon');
  }
  return {
    norm: oneOf(fn, 'options.norm', opts.norm ?? 'linf', ['linf', 'l2'] as const),
    epsilon,
    steps: positiveInteger(fn, 'options.steps', opts.steps ?? 10),
    restarts,
    alphaMax: numberInRange(fn, 'options.alphaMax', opts.alphaMax ?? 0.1, { min: 0, max: 1 }),
    eta: numberInRange(fn, 'options.eta', opts.eta ?? 1.05, { min: 1, max: Infinity, maxInclusive: false }),
    beta: numberInRange(fn, 'options.beta', opts.beta ?? 0.9, { min: 0, max: 1, minInclusive: false, maxInclusive: false }),
    rng: resolveRng(fn, opts.rng, statisticalRng),
  };
}

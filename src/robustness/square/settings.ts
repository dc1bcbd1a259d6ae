/** Square's options and their validation (internal). */
import { resolveRng, statisticalRng, type Rng } from '../../core/rng.js';
import { booleanValue, nonNegativeNumber, numberInRange, oneOf, positiveInteger } from '../../core/validate.js';
import type { AttackCommonOptions, AttackNorm } from '../types.js';
import type { SquareLoss } from './objective.js';
import type { WindowPositions } from './windows.js';

/**
 * Options of {@link square}. Distances are in input units. The common `loss` option (a
 * differentiable per-example loss) is replaced by the name of the score-based loss to minimise.
 */
export interface SquareOptions extends Omit<AttackCommonOptions, 'loss'> {
  /** Radius of the perturbation ball (L-inf or L2, per `norm`), in input units (>= 0). */
  readonly epsilon: number;
  /** Ball norm. Default `'linf'`. */
  readonly norm?: AttackNorm;
  /**
   * Query budget per row and restart (an integer >= 1), the start included: one query at the
   * start, then one per iteration while the row is not broken. Default 5000, as torchattacks.
   */
  readonly queries?: number;
  /** Initial fraction of the image a window covers, in (0, 1]. Default 0.8. */
  readonly pInit?: number;
  /** Independent runs from fresh random starts, each on the rows still not broken. Default 1. */
  readonly restarts?: number;
  /**
   * What the random search minimises: `'margin'` (default), the label's score minus the best other
   * (for a targeted attack, the best other minus the target's), or `'ce'`, minus the cross-entropy
   * of the label (the cross-entropy of the target when targeted). Either way a row stops as soon
   * as its margin is <= 0.
   */
  readonly loss?: SquareLoss;
  /**
   * Whether the window-size schedule is stretched to the budget (default true, as torchattacks'
   * `resc_schedule`): `p` halves at iterations 10, 50, 200, 500, 1000, 2000, 4000, 6000 and 8000
   * of a 10,000-query scale. When false those are absolute iteration counts (the paper's schedule
   * for 10,000 queries).
   */
  readonly rescaleSchedule?: boolean;
  /**
   * Where a window may sit: `'all'` positions (default), or `'torchattacks'`, whose draw never
   * uses the last position along each axis, so the last row and column of the image stay at their
   * starting values (see {@link WindowPositions}). Use `'torchattacks'` only to reproduce
   * torchattacks' (and AutoAttack's) numbers; it is a weaker attack.
   */
  readonly windowPositions?: WindowPositions;
  /** Source of the random starts and windows; seed it (`seededRng`) for reproducible results. Default `Math.random`. */
  readonly rng?: Rng;
}

/** Validated Square hyper-parameters (internal). */
export interface SquareSettings {
  readonly epsilon: number;
  readonly norm: AttackNorm;
  readonly queries: number;
  readonly pInit: number;
  readonly restarts: number;
  readonly loss: SquareLoss;
  readonly rescaleSchedule: boolean;
  readonly windowPositions: WindowPositions;
  readonly rng: Rng;
}

/** Validates Square's own hyper-parameters (internal). */
export function squareSettings(fn: string, opts: SquareOptions, prefix = 'options'): SquareSettings {
  return {
    epsilon: nonNegativeNumber(fn, `${prefix}.epsilon`, opts.epsilon),
    norm: oneOf(fn, `${prefix}.norm`, opts.norm ?? 'linf', ['linf', 'l2'] as const),
    queries: positiveInteger(fn, `${prefix}.queries`, opts.queries ?? 5000),
    pInit: numberInRange(fn, `${prefix}.pInit`, opts.pInit ?? 0.8, { min: 0, max: 1, minInclusive: false }),
    restarts: positiveInteger(fn, `${prefix}.restarts`, opts.restarts ?? 1),
    loss: oneOf(fn, `${prefix}.loss`, opts.loss ?? 'margin', ['margin', 'ce'] as const),
    rescaleSchedule: booleanValue(fn, `${prefix}.rescaleSchedule`, opts.rescaleSchedule ?? true),
    windowPositions: oneOf(fn, `${prefix}.windowPositions`, opts.windowPositions ?? 'all', ['all', 'torchattacks'] as const),
    rng: resolveRng(fn, opts.rng, statisticalRng),
  };
}

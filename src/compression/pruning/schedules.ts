import { invalid, nonNegativeInteger, positiveInteger, positiveNumber } from '../../core/validate.js';
import { checkSparsity } from './counts.js';

const f = Math.fround;

/**
 * When and how much to prune during training, with TensorFlow Model Optimization's semantics
 * (tfmot 0.8.1 `pruning_schedule.py`). Values are float32, as tfmot computes them.
 *
 * @example
 * ```ts
 * import { polynomialDecay } from 'responsible-tfjs/compression';
 * const schedule = polynomialDecay({ initialSparsity: 0, finalSparsity: 0.8, beginStep: 0, endStep: 1000 });
 * schedule.shouldPrune(100); // true
 * schedule.sparsityAt(500);  // 0.7 (as float32: 0.699999988079071)
 * ```
 */
export interface PruningSchedule {
  /** Which schedule. */
  readonly kind: 'constantSparsity' | 'polynomialDecay';
  /** First step at which masks are updated. */
  readonly beginStep: number;
  /** Last step at which masks are updated, or -1 for no end. */
  readonly endStep: number;
  /** Masks are updated every `frequency` steps from `beginStep`. */
  readonly frequency: number;
  /** Target sparsity at `step` (float32 value). */
  sparsityAt(step: number): number;
  /**
   * tfmot `_should_prune_in_step`: `step >= beginStep && (step <= endStep || endStep < 0) &&
   * (step - beginStep) % frequency === 0`.
   */
  shouldPrune(step: number): boolean;
}

/**
 * Options of {@link constantSparsity}.
 */
export interface ConstantSparsityOptions {
  /** Sparsity in [0, 1). */
  readonly targetSparsity: number;
  /** First pruning step (integer >= 0); 0 by default. */
  readonly beginStep?: number;
  /** Last pruning step (integer >= beginStep), or -1 (default) to keep pruning. */
  readonly endStep?: number;
  /** Steps between mask updates (integer >= 1); 100 by default as in tfmot. */
  readonly frequency?: number;
}

/**
 * Options of {@link polynomialDecay}.
 */
export interface PolynomialDecayOptions {
  /** Sparsity at `beginStep`, in [0, 1). */
  readonly initialSparsity: number;
  /** Sparsity from `endStep` on, in [0, 1). */
  readonly finalSparsity: number;
  /** First pruning step (integer >= 0). */
  readonly beginStep: number;
  /** Last pruning step (integer > beginStep). */
  readonly endStep: number;
  /** Exponent of the decay (> 0); 3 by default as in tfmot. */
  readonly power?: number;
  /** Steps between mask updates (integer >= 1); 100 by default. */
  readonly frequency?: number;
}

function shouldPruneAt(step: number, begin: number, end: number, frequency: number): boolean {
  if (!(step >= begin) || !(step <= end || end < 0)) return false;
  const d = step - begin;
  return ((d % frequency) + frequency) % frequency === 0; // floormod
}

function steps(fn: string, beginStep: unknown, endStep: unknown, frequency: unknown, allowNoEnd: boolean): [number, number, number] {
  const begin = nonNegativeInteger(fn, 'options.beginStep', beginStep);
  const freq = positiveInteger(fn, 'options.frequency', frequency);
  const end = endStep as number;
  const endOk = Number.isSafeInteger(end) && (allowNoEnd ? end === -1 || end >= begin : end > begin);
  if (!endOk) invalid(fn, 'options.endStep', endStep, allowNoEnd ? `-1 or an integer >= beginStep (${begin})` : `an integer > beginStep (${begin})`);
  return [begin, end, freq];
}

/**
 * tfmot's `ConstantSparsity`: one target sparsity, masks updated every `frequency` steps between
 * `beginStep` and `endStep` (-1: forever).
 *
 * @returns A {@link PruningSchedule} (a plain object).
 * @throws {@link InvalidArgumentError} for a sparsity outside [0, 1) or inconsistent steps.
 * @example
 * ```ts
 * import { constantSparsity } from 'responsible-tfjs/compression';
 * const s = constantSparsity({ targetSparsity: 0.8 });
 * s.sparsityAt(12345); // 0.800000011920929 (float32)
 * ```
 */
export function constantSparsity(options: ConstantSparsityOptions): PruningSchedule {
  const fn = 'constantSparsity';
  const target = f(checkSparsity(fn, 'options.targetSparsity', options?.targetSparsity));
  const [beginStep, endStep, frequency] = steps(fn, options.beginStep ?? 0, options.endStep ?? -1, options.frequency ?? 100, true);
  return {
    kind: 'constantSparsity', beginStep, endStep, frequency,
    sparsityAt: () => target,
    shouldPrune: (step) => shouldPruneAt(step, beginStep, endStep, frequency),
  };
}

/**
 * tfmot's `PolynomialDecay`: `p = clamp((step - beginStep) / (endStep - beginStep), 0, 1)`,
 * `sparsity = (initial - final) * (1 - p)^power + final`, every operation rounded to float32 as
 * TensorFlow computes it.
 *
 * @returns A {@link PruningSchedule} (a plain object).
 * @throws {@link InvalidArgumentError} for sparsities outside [0, 1), a non-positive power or
 *   inconsistent steps.
 * @example
 * ```ts
 * import { polynomialDecay } from 'responsible-tfjs/compression';
 * const s = polynomialDecay({ initialSparsity: 0, finalSparsity: 0.8, beginStep: 0, endStep: 1000, frequency: 100 });
 * s.sparsityAt(100); // 0.2168 (float32: 0.21680009365081787)
 * ```
 */
export function polynomialDecay(options: PolynomialDecayOptions): PruningSchedule {
  const fn = 'polynomialDecay';
  const initial = checkSparsity(fn, 'options.initialSparsity', options?.initialSparsity);
  const final = checkSparsity(fn, 'options.finalSparsity', options.finalSparsity);
  const power = positiveNumber(fn, 'options.power', options.power ?? 3);
  const [beginStep, endStep, frequency] = steps(fn, options.beginStep, options.endStep, options.frequency ?? 100, false);
  const span = f(endStep - beginStep);
  const delta = f(initial - final); // a Python float difference, converted to float32 by tf.multiply
  return {
    kind: 'polynomialDecay', beginStep, endStep, frequency,
    sparsityAt: (step) => {
      const p = Math.min(1, Math.max(0, f(f(step - beginStep) / span)));
      return f(f(delta * f(Math.pow(f(1 - p), power))) + f(final));
    },
    shouldPrune: (step) => shouldPruneAt(step, beginStep, endStep, frequency),
  };
}

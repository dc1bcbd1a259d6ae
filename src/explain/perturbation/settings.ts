/** Options every perturbation method shares, and their validation (internal). */
import { checkSignal, throwIfAborted } from '../../core/eventLoop.js';
import type { ModelLike } from '../../core/model.js';
import { optionsObject, positiveInteger } from '../../core/validate.js';
import { baselineLike, type Baseline } from '../baselines.js';
import { prepareExplanation, type ExplainContext } from '../context.js';
import type { TargetOptions } from '../types.js';
import type { MaskedEvaluation } from './maskedRows.js';

/** Options shared by the perturbation methods. */
export interface PerturbationOptions extends TargetOptions {
  /**
   * The value a removed (occluded, ablated, absent) element takes: a number for every element, one
   * example's tensor used for every example, or a tensor of the input's shape (one baseline per
   * example). Default 0, as in Captum.
   */
  readonly baseline?: Baseline;
  /**
   * Most perturbed inputs per forward call (Captum's `perturbations_per_eval` counts features per
   * call instead, each with every example). It bounds memory and changes no result. Default: as
   * many as hold 2^20 input elements, at most 4,096 (e.g. 4,096 rows of 64 pixels).
   */
  readonly internalBatchSize?: number;
  /** Stops the computation between two forward calls with an `AbortedError`. */
  readonly signal?: AbortSignal;
}

/** Input elements per forward call by default. */
const DEFAULT_BATCH_ELEMENTS = 2 ** 20;
/** Rows per forward call by default, at most (bounds the model's activations for small inputs). */
const DEFAULT_BATCH_ROWS = 4096;

/** The default number of perturbed rows per forward call for examples of `featureSize` elements. */
export function defaultBatchRows(featureSize: number): number {
  return Math.max(1, Math.min(DEFAULT_BATCH_ROWS, Math.floor(DEFAULT_BATCH_ELEMENTS / featureSize)));
}

/** A prepared perturbation run; `dispose` frees the baseline (call it in a `finally`). */
export interface PerturbationRun extends MaskedEvaluation {
  dispose(): void;
}

/**
 * Validates the shared options before any model call (batch size, signal), then the model, the
 * input, the target and the baseline. The caller owns the returned run and must dispose it.
 */
export async function preparePerturbation(fn: string, model: ModelLike, x: unknown, options: PerturbationOptions | undefined): Promise<PerturbationRun> {
  const opts = optionsObject(fn, 'options', options);
  const batch = opts.internalBatchSize === undefined ? undefined : positiveInteger(fn, 'options.internalBatchSize', opts.internalBatchSize);
  const signal = checkSignal(fn, 'options.signal', opts.signal);
  throwIfAborted(fn, signal);
  const ctx: ExplainContext = await prepareExplanation(fn, model, x, opts, { gradients: false });
  const baseline = await baselineLike(fn, 'options.baseline', opts.baseline, ctx.x);
  return {
    ctx,
    baseline,
    batchRows: batch ?? defaultBatchRows(ctx.featureSize),
    signal,
    dispose: () => baseline.dispose(),
  };
}

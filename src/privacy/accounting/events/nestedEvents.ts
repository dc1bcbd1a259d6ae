/**
 * Events wrapping another event: sampling without replacement and repeat-and-select.
 */
import { invalid, nonNegativeInteger, numberInRange, optionsObject, positiveInteger } from '../../../core/validate.js';
import { assertEvent } from '../assertEvent.js';
import type { DpEvent } from '../dpEvent.js';

/**
 * An event applied to a fixed-size sample drawn uniformly without replacement (dp_accounting's
 * `SampledWithoutReplacementDpEvent`): `sampleSize` distinct records out of `sourceDatasetSize`.
 * The dataset size is public, so this is accounted under the replace-one neighbouring relation.
 */
export interface SampledWithoutReplacementDpEvent {
  /** Discriminant. */
  readonly kind: 'sampledWithoutReplacement';
  /** Number of records sampled from, an integer >= 1. */
  readonly sourceDatasetSize: number;
  /** Number of records in the sample, an integer in [0, sourceDatasetSize]. */
  readonly sampleSize: number;
  /** The mechanism run on the sample. */
  readonly event: DpEvent;
}

/**
 * Run a mechanism a random number of times and release only the best run (Papernot and Steinke
 * 2022, https://arxiv.org/abs/2110.03620; dp_accounting's `RepeatAndSelectDpEvent`). The number
 * of runs is truncated negative binomial with the given mean and shape: shape 0 logarithmic,
 * shape 1 geometric, shape Infinity Poisson.
 */
export interface RepeatAndSelectDpEvent {
  /** Discriminant. */
  readonly kind: 'repeatAndSelect';
  /** The repeated mechanism. */
  readonly event: DpEvent;
  /** Mean number of runs, finite and >= 1. */
  readonly mean: number;
  /** Shape of the distribution of the number of runs, >= 0 or Infinity. */
  readonly shape: number;
}

/** The events of this file. */
export type NestedDpEvent = SampledWithoutReplacementDpEvent | RepeatAndSelectDpEvent;

/**
 * Validates the scalar fields of a nested event (internal), naming them `${prefix}field`; the
 * nested event is checked by the caller.
 */
export function checkNestedEventFields(fn: string, prefix: string, e: NestedDpEvent): void {
  switch (e.kind) {
    case 'sampledWithoutReplacement':
      positiveInteger(fn, `${prefix}sourceDatasetSize`, e.sourceDatasetSize);
      nonNegativeInteger(fn, `${prefix}sampleSize`, e.sampleSize);
      if (e.sampleSize > e.sourceDatasetSize) {
        invalid(fn, `${prefix}sampleSize`, e.sampleSize, `an integer in [0, sourceDatasetSize = ${e.sourceDatasetSize}]`);
      }
      return;
    case 'repeatAndSelect':
      numberInRange(fn, `${prefix}mean`, e.mean, { min: 1, max: Number.MAX_VALUE });
      numberInRange(fn, `${prefix}shape`, e.shape, { min: 0, max: Infinity });
      return;
  }
}

/**
 * A validated {@link SampledWithoutReplacementDpEvent}.
 *
 * @param options - `sourceDatasetSize` (integer >= 1), `sampleSize` (integer in [0, sourceDatasetSize]) and the `event` run on the sample.
 * @example
 * ```ts
 * import { sampledWithoutReplacementEvent, gaussianEvent, RdpAccountant } from 'responsible-tfjs/privacy';
 * const e = sampledWithoutReplacementEvent({ sourceDatasetSize: 60000, sampleSize: 256, event: gaussianEvent(1.1) });
 * new RdpAccountant({ neighboringRelation: 'replaceOne' }).compose(e, 1000).getEpsilon(1e-5);
 * ```
 */
export function sampledWithoutReplacementEvent(options: {
  readonly sourceDatasetSize: number;
  readonly sampleSize: number;
  readonly event: DpEvent;
}): SampledWithoutReplacementDpEvent {
  const fn = 'sampledWithoutReplacementEvent';
  const { sourceDatasetSize, sampleSize, event } = optionsObject(fn, 'options', options);
  const e = { kind: 'sampledWithoutReplacement', sourceDatasetSize, sampleSize, event } as const;
  checkNestedEventFields(fn, 'options.', e);
  assertEvent(fn, 'options.event', event);
  return Object.freeze(e);
}

/**
 * A validated {@link RepeatAndSelectDpEvent}.
 *
 * @param event - The repeated mechanism.
 * @param options - `mean` number of runs (>= 1) and `shape` of their distribution (>= 0 or Infinity).
 * @example
 * ```ts
 * import { repeatAndSelectEvent, gaussianEvent } from 'responsible-tfjs/privacy';
 * // hyperparameter search: on average 10 geometric-distributed runs, only the best is released
 * const e = repeatAndSelectEvent(gaussianEvent(3), { mean: 10, shape: 1 });
 * ```
 */
export function repeatAndSelectEvent(event: DpEvent, options: { readonly mean: number; readonly shape: number }): RepeatAndSelectDpEvent {
  const fn = 'repeatAndSelectEvent';
  assertEvent(fn, 'event', event);
  const { mean, shape } = optionsObject(fn, 'options', options);
  const e = { kind: 'repeatAndSelect', event, mean, shape } as const;
  checkNestedEventFields(fn, 'options.', e);
  return Object.freeze(e);
}

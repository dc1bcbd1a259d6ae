import type { Tensor } from '../../core/tf.js';

/**
 * Canaries: the examples an audit plants in the training data to test what the trained model
 * remembers of them. Built by {@link mislabelledCanaries} or {@link outOfDistributionCanaries};
 * consumed by {@link insertCanaries} and {@link auditDpSgd}.
 */
export interface CanarySet {
  /** Canary inputs `[m, ...]` (the caller owns and disposes this tensor). */
  readonly x: Tensor;
  /** Canary labels, class indices. */
  readonly y: Int32Array;
  /** How the canaries were made. */
  readonly kind: 'mislabelled' | 'outOfDistribution' | 'custom';
  /** For mislabelled canaries: the row of the source data each canary was copied from. */
  readonly sourceRows?: Int32Array;
}

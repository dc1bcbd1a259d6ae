import type { PruningCountRule } from './counts.js';

/**
 * Options of {@link pruneByMagnitude}.
 */
export interface PruneOptions {
  /** Fraction of weights (or of channels, when structured) to remove, in [0, 1). */
  readonly sparsity: number;
  /**
   * `'layer'` (default): each kernel loses `sparsity` of its own weights (torch `l1_unstructured`,
   * tfmot). `'global'`: one magnitude threshold over all kernels together (torch
   * `global_unstructured`), so layers end up with different sparsities.
   */
  readonly scope?: 'global' | 'layer';
  /**
   * Remove whole output channels (Dense units, Conv filters: the kernel's last axis) with the
   * smallest norms instead of single weights. Per layer only. Default false.
   */
  readonly structured?: boolean;
  /** Channel norm for structured pruning: `'l1'` (default) or `'l2'`. */
  readonly norm?: 'l1' | 'l2';
  /**
   * Also prune biases. Unstructured: biases join the magnitude ranking (per layer: each bias on
   * its own). Structured: the bias entries of removed channels are zeroed too. Default false.
   */
  readonly includeBias?: boolean;
  /** Count rule: `'torch'` (default, exactly `round(s * n)` pruned) or `'tfmot'`. */
  readonly rule?: PruningCountRule;
  /** Model input only: prune only these layers (by name). */
  readonly layers?: readonly string[];
}

/**
 * A pruning mask as plain data: 1 where a weight is kept, 0 where it is pruned.
 */
export interface PruningMask {
  /** Weight name (`layer/kernel` for a model, `weights[i]` for a list). */
  readonly name: string;
  /** Shape of the weight. */
  readonly shape: readonly number[];
  /** Row-major keep flags in tfjs layout. */
  readonly kept: Uint8Array;
}

/**
 * Zeros of one pruned tensor.
 */
export interface PrunedTensorReport {
  /** Weight name. */
  readonly name: string;
  /** Number of entries. */
  readonly size: number;
  /** Zero entries after pruning (pruned ones plus any that were already zero). */
  readonly zeros: number;
  /** `zeros / size`. */
  readonly sparsity: number;
}

/**
 * What {@link pruneByMagnitude} did.
 */
export interface PruningReport {
  /** Per pruned tensor. */
  readonly tensors: readonly PrunedTensorReport[];
  /** Entries over all pruned tensors. */
  readonly size: number;
  /** Zero entries over all pruned tensors. */
  readonly zeros: number;
  /** `zeros / size` over all pruned tensors. */
  readonly sparsity: number;
  /** Layers with weights that were left alone, with the reason. */
  readonly skipped: readonly { readonly name: string; readonly reason: string }[];
}

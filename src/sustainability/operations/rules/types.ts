/** The shape of a counting rule. */
import type { Layer } from '../layerCalls.js';

/** Per-example shapes of one layer call, every dimension known. */
export interface CallShapes {
  /** One shape per input. */
  readonly inputs: ReadonlyArray<readonly number[]>;
  /** The output shape. */
  readonly output: readonly number[];
}

/**
 * What one call costs for one example. Sparse MACs are `Σ nonZero(weight) × positions` over
 * `sparse`, computed by the caller once the weights are read.
 */
export interface RuleCounts {
  /** Kernel multiply-accumulates. */
  readonly macs: number;
  /** FLOPs other than the 2 per MAC. */
  readonly otherFlops: number;
  /** Embedding rows looked up. */
  readonly lookups: number;
  /** Kernels (by weight name suffix, e.g. `kernel`) and how many output positions each entry is used at. */
  readonly sparse: ReadonlyArray<{ readonly weight: string; readonly positions: number }>;
}

/** Counts one call of a layer of one class. */
export type CountRule = (layer: Layer, shapes: CallShapes) => RuleCounts;

/** Product of a shape's dimensions (1 for a scalar). */
export function elements(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/** A rule's result with only non-MAC FLOPs. */
export function flopsOnly(otherFlops: number, lookups = 0): RuleCounts {
  return { macs: 0, otherFlops, lookups, sparse: [] };
}

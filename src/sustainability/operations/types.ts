/** Types of the operation counts ({@link countOperations}). */

/**
 * Counts for the whole batch, as one layer call or a whole model has them ({@link LayerCount} per
 * row, {@link OperationTotals} summed).
 */
export interface OperationTotals {
  /** Number of weights (trainable or not, e.g. batch-norm moving statistics), each counted once (0 at a shared layer's later calls). */
  readonly parameters: number;
  /** Number of trainable weights (0 at a shared layer's later calls). */
  readonly trainableParameters: number;
  /** Multiply-accumulates of the kernels with their inputs for the whole batch, every kernel entry counted (what tfjs runs). */
  readonly macs: number;
  /** `macs` counting only non-zero kernel entries (what a sparse kernel could skip to); `null` when counted with `sparse: false`. */
  readonly sparseMacs: number | null;
  /** Floating-point operations for the whole batch: `2 × macs` plus bias adds, normalization, activations, pooling and merges. */
  readonly flops: number;
  /** Embedding rows looked up for the whole batch. */
  readonly lookups: number;
  /** Elements of the outputs for the whole batch (summed over a model: an upper bound on the activation memory of one inference, as tfjs frees outputs once used). */
  readonly activationElements: number;
  /** Bytes of the outputs for the whole batch, stored as float32 (4 bytes an element). */
  readonly activationBytes: number;
}

/**
 * What one call of one layer costs. A layer called at several places in a model (a shared layer)
 * gets one row per call; its parameters are counted at its first call only.
 */
export interface LayerCount extends OperationTotals {
  /** The layer's name. */
  readonly name: string;
  /** Its path through nested models, e.g. `outer_model/inner_model/dense_1`; equal to `name` at the top level. */
  readonly path: string;
  /** Its tfjs class name, e.g. `Conv2D`. */
  readonly className: string;
  /** The output shape of one example (the batch dimension left out). */
  readonly outputShape: readonly number[];
  /** What is special about this row (a shared layer's later call), when anything is. */
  readonly note?: string;
}

/**
 * The operation counts of a model for one batch size, per layer call and in total, with the
 * counting conventions spelled out.
 */
export interface OperationCounts {
  /** The batch size every count is for. */
  readonly batchSize: number;
  /** One row per layer call, in the model's layer order (nested models expanded in place). */
  readonly layers: readonly LayerCount[];
  /** Sums over `layers`. */
  readonly total: OperationTotals;
  /** The counting conventions, in words (what a MAC and a FLOP are, what each layer kind is charged). */
  readonly conventions: string;
}

/** Options of {@link countOperations}. */
export interface CountOperationsOptions {
  /** Examples per batch; every count is for a whole batch. Default 1. */
  readonly batchSize?: number;
  /** Read the kernels (asynchronously) to count the MACs a sparse kernel could skip. Default true. */
  readonly sparse?: boolean;
}

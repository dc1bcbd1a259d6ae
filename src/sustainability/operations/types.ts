/** Types of the operation counts ({@link countOperations}). */

/**
 * What one call of one layer costs. A layer called at several places in a model (a shared layer)
 * gets one row per call; its parameters are counted at its first call only.
 */
export interface LayerCount {
  /** The layer's name. */
  readonly name: string;
  /** Its path through nested models, e.g. `outer_model/inner_model/dense_1`; equal to `name` at the top level. */
  readonly path: string;
  /** Its tfjs class name, e.g. `Conv2D`. */
  readonly className: string;
  /** The output shape of one example (the batch dimension left out). */
  readonly outputShape: readonly number[];
  /** Number of weights (trainable or not, e.g. batch-norm moving statistics); 0 at a shared layer's later calls. */
  readonly parameters: number;
  /** Number of trainable weights; 0 at a shared layer's later calls. */
  readonly trainableParameters: number;
  /** Multiply-accumulates of the layer's kernels with its inputs for the whole batch, every kernel entry counted (what tfjs runs). */
  readonly macs: number;
  /** `macs` counting only non-zero kernel entries (what a sparse kernel could skip to); `null` when counted with `sparse: false`. */
  readonly sparseMacs: number | null;
  /** Floating-point operations for the whole batch: `2 × macs` plus bias adds, normalization, activations, pooling and merges. */
  readonly flops: number;
  /** Embedding rows looked up for the whole batch (0 for other layers). */
  readonly lookups: number;
  /** Elements of the layer's output for the whole batch. */
  readonly activationElements: number;
  /** Bytes of the layer's output for the whole batch, stored as float32 (4 bytes an element). */
  readonly activationBytes: number;
  /** What is special about this row (a shared layer's later call), when anything is. */
  readonly note?: string;
}

/** Sums over every row of an {@link OperationCounts} report. */
export interface OperationTotals {
  /** Number of weights of the model, each counted once. */
  readonly parameters: number;
  /** Number of trainable weights of the model. */
  readonly trainableParameters: number;
  /** Multiply-accumulates for the whole batch (dense kernels). */
  readonly macs: number;
  /** Multiply-accumulates with zero kernel entries skipped; `null` when counted with `sparse: false`. */
  readonly sparseMacs: number | null;
  /** Floating-point operations for the whole batch. */
  readonly flops: number;
  /** Embedding lookups for the whole batch. */
  readonly lookups: number;
  /** Elements of all layer outputs for the whole batch (an upper bound on the activation memory of one inference: tfjs frees outputs once used). */
  readonly activationElements: number;
  /** Bytes of all layer outputs for the whole batch, as float32. */
  readonly activationBytes: number;
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

/**
 * Sufficient statistics of the binary metrics: a weighted confusion matrix plus the row count.
 */

/**
 * Weighted confusion counts of one group (or of all rows). Every built-in metric is a function
 * of these numbers, so they can be summed batch by batch.
 */
export interface ConfusionCounts {
  /** Number of rows (ignores sample weights, like Fairlearn's `count`). */
  readonly count: number;
  /** Sum of the weights of rows with y = 0 and prediction 0. */
  readonly trueNegatives: number;
  /** Sum of the weights of rows with y = 0 and prediction 1. */
  readonly falsePositives: number;
  /** Sum of the weights of rows with y = 1 and prediction 0. */
  readonly falseNegatives: number;
  /** Sum of the weights of rows with y = 1 and prediction 1. */
  readonly truePositives: number;
}

/** Layout of a cell's Float64Array: [tn, fp, fn, tp, count]; index = 2 * yTrue + yPred. */
export const CELL_SIZE = 5;

/** Reads a cell array into a {@link ConfusionCounts}. */
export function countsOf(cell: Float64Array, offset = 0): ConfusionCounts {
  return {
    trueNegatives: cell[offset]!,
    falsePositives: cell[offset + 1]!,
    falseNegatives: cell[offset + 2]!,
    truePositives: cell[offset + 3]!,
    count: cell[offset + 4]!,
  };
}

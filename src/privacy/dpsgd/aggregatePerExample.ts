/** The private aggregation of materialised per-example gradients (internal), shared by clipAndNoise and objectives. */
import { add, dispose, sum, tensor1d, tidy, type Tensor, type Tensor1D } from '../../core/tf.js';
import { clippingRule } from './clipping.js';
import { keepRows, noisyAverage, type AggregatedGradients, type PrivateSettings } from './privateGradients.js';
import { scaleRows, squaredNormsPerExample } from './rules/common.js';

/**
 * Clips each example's gradient (tensors `[batch, ...shape]`, grouped into layers by `groups` for
 * per-layer clipping) with {@link clippingRule}, sums, adds Gaussian noise and divides by the
 * expected batch size. Non-finite or overflowing examples contribute exactly zero.
 * @returns One averaged noisy gradient `[...shape]` per input tensor (caller owns) and clipping counts.
 */
export async function aggregatePerExample(perExample: readonly Tensor[], groups: readonly number[], s: PrivateSettings): Promise<AggregatedGradients> {
  const groupIds = [...new Set(groups)];
  const squared = tidy(() =>
    groupIds.map((id) => perExample.filter((_, i) => groups[i] === id).map(squaredNormsPerExample).reduce((a, b) => add(a, b) as Tensor1D)),
  );
  try {
    const values = await Promise.all(squared.map((t) => t.data()));
    const batch = perExample[0]!.shape[0] as number;
    const weightCount = perExample.reduce((a, t) => a + t.size / Math.max(1, batch), 0);
    const rule = clippingRule(values as ArrayLike<number>[], { maxGradNorm: s.maxGradNorm, mode: s.clipping, weightCount });
    const gradients = tidy(() => {
      const keep = rule.zeroedCount > 0 ? tensor1d(Float32Array.from(rule.kept)) : undefined;
      const coefficients = rule.coefficients.map((c) => tensor1d(c));
      const sums = perExample.map((g, i) => {
        const rows = keep === undefined ? g : keepRows(g, keep);
        return sum(scaleRows(rows, coefficients[groupIds.indexOf(groups[i]!)]!), 0);
      });
      return noisyAverage(sums, perExample.map((g) => g.shape.slice(1)), s);
    });
    return { gradients, clippedCount: rule.clippedCount, zeroedCount: rule.zeroedCount };
  } finally {
    dispose(squared);
  }
}

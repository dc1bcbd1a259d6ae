/** The completeness gap of path attributions (internal). */
import { concat, reshape, slice, sub, sum, tidy, type Tensor, type Tensor1D } from '../../core/tf.js';
import { inChunks, targetOutputs, type ExplainContext } from '../context.js';

/**
 * Captum's convergence delta (`attr/_utils/attribution.py:
 * GradientAttribution.compute_convergence_delta`): per row, the sum of the row's attributions
 * minus `f(end)[t] - f(start)[t]`, the change of the target output along the path the
 * attributions explain. `ends`, `starts` and `attributions` have the same `[rows, ...]` shape;
 * `targets` is int32 `[rows]`. The model runs on the `2·rows` end and start points in chunks of
 * `chunk` rows (forward passes only). Returns a caller-owned `[rows]` tensor.
 */
export function convergenceDelta(
  ctx: ExplainContext, attributions: Tensor, ends: Tensor, starts: Tensor, targets: Tensor1D, chunk: number,
): Tensor1D {
  return tidy(() => {
    const rows = ends.shape[0] as number;
    const points = concat([ends, starts], 0);
    const bothTargets = concat([targets, targets], 0) as Tensor1D;
    const outputs = inChunks(2 * rows, chunk, (start, size) =>
      targetOutputs(ctx, slice(points, start, size), slice(bothTargets, start, size) as Tensor1D));
    const change = sub(slice(outputs, 0, rows), slice(outputs, rows, rows));
    const attributionSums = sum(reshape(attributions, [rows, -1]), 1);
    return sub(attributionSums, change) as Tensor1D;
  });
}

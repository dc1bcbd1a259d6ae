/** Noisy clipped (or plain averaged) gradients from a capture, in the plan's weight order (internal). */
import type { Rng } from '../../core/rng.js';
import { add, cast, div, greater, keep, ones, scalar, sum, tidy, zeros, type Tensor, type Tensor1D } from '../../core/tf.js';
import type { Capture } from './capture.js';
import { groupCoefficients, type ClippingMode } from './clipping.js';
import { groupSquaredNorms, groupWeightedSum } from './layerGradients.js';
import type { ModelPlan } from './modelPlan.js';
import { gaussianNoise } from './noise.js';

/** Settings of the private aggregation. */
export interface PrivateSettings {
  readonly maxGradNorm: number;
  readonly noiseMultiplier: number;
  readonly expectedBatchSize: number;
  readonly clipping: ClippingMode;
  readonly rng: Rng;
}

/** Gradients (caller owns) and the number of clipped examples (a kept scalar, caller owns). */
export interface AggregatedGradients {
  readonly gradients: Tensor[];
  readonly clippedCount: Tensor | undefined;
}

/**
 * `(sum_i clip(g_i) + N(0, (sigma C)^2 I)) / expectedBatchSize` for every trainable weight. With
 * `cap` undefined (an empty Poisson batch) the sum is zero and only noise remains.
 */
export function privateGradients(plan: ModelPlan, cap: Capture | undefined, s: PrivateSettings): AggregatedGradients {
  let clippedCount: Tensor | undefined;
  const gradients = tidy(() => {
    let sums: Tensor[][];
    if (cap === undefined) {
      sums = plan.groups.map((g) => g.weights.map((w) => zeros([...w.shape])));
    } else {
      const norms = plan.groups.map((g) => groupSquaredNorms(plan, g, cap));
      const coefficients = groupCoefficients(norms.map((n) => n.norms), s.maxGradNorm, s.clipping);
      clippedCount = countClipped(coefficients);
      sums = plan.groups.map((g, i) => groupWeightedSum(plan, g, cap, coefficients[i]!, norms[i]!.materialised));
    }
    const std = s.noiseMultiplier * s.maxGradNorm;
    return plan.weights.map(({ weight, group, index }) => {
      const total = sums[group]![index]!;
      const noisy = std > 0 ? add(total, gaussianNoise(weight.shape, std, s.rng)) : total;
      return div(noisy, scalar(s.expectedBatchSize));
    });
  });
  return { gradients, clippedCount };
}

/** Mean (unclipped, noiseless) gradients over the batch: ordinary training. */
export function meanGradients(plan: ModelPlan, cap: Capture): Tensor[] {
  return tidy(() => {
    const batch = cap.losses.shape[0];
    const c = ones([batch]) as Tensor1D;
    const sums = plan.groups.map((g) => groupWeightedSum(plan, g, cap, c));
    return plan.weights.map(({ group, index }) => div(sums[group]![index]!, scalar(batch)));
  });
}

function countClipped(coefficients: readonly Tensor1D[]): Tensor {
  // An example is clipped when any of its coefficients is below 1.
  const anyClipped = coefficients.map((c) => cast(greater(scalar(1), c), 'float32')).reduce((a, b) => add(a, b));
  return keep(sum(cast(greater(anyClipped, scalar(0)), 'int32')));
}

/** Noisy clipped (or plain averaged) gradients from a capture, in the plan's weight order (internal). */
import type { Rng } from '../../core/rng.js';
import {
  add, div, dispose, greater, matMul, ones, reshape, scalar, tensor1d, tidy, where, zeros, zerosLike, type Tensor, type Tensor1D,
} from '../../core/tf.js';
import type { Capture } from './capture.js';
import { clippingRule, type ClippingMode } from './clipping.js';
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

/** Gradients (caller owns) and what clipping did to the batch (computed from private data). */
export interface AggregatedGradients {
  readonly gradients: Tensor[];
  /** Examples scaled down to the clipping bound. */
  readonly clippedCount: number;
  /** Examples whose norm was non-finite or overflowed: they contribute exactly zero. */
  readonly zeroedCount: number;
}

/**
 * `(sum_i clip(g_i) + N(0, (sigma C)^2 I)) / expectedBatchSize` for every trainable weight. With
 * `cap` undefined (an empty Poisson batch) the sum is zero and only noise remains. The squared
 * norms are read off the device and the coefficients decided by {@link clippingRule}; rows of
 * zeroed examples are replaced by zeros (a select, not a product) before any sum.
 */
export async function privateGradients(plan: ModelPlan, cap: Capture | undefined, s: PrivateSettings): Promise<AggregatedGradients> {
  if (cap === undefined) {
    const gradients = tidy(() => noisyAverage(plan.weights.map(({ weight }) => zeros([...weight.shape])), plan.weights.map((w) => w.weight.shape), s));
    return { gradients, clippedCount: 0, zeroedCount: 0 };
  }
  const norms = tidy(() => plan.groups.map((g) => groupSquaredNorms(plan, g, cap)));
  try {
    const values = await Promise.all(norms.map((n) => n.norms.data()));
    const rule = clippingRule(values as ArrayLike<number>[], { maxGradNorm: s.maxGradNorm, mode: s.clipping, weightCount: plan.weightCount });
    const gradients = tidy(() => {
      const keep = rule.zeroedCount > 0 ? tensor1d(Float32Array.from(rule.kept)) : undefined;
      const safe = keep === undefined ? cap : keepCapturedRows(cap, keep);
      const sums = plan.groups.map((g, i) => {
        const m = norms[i]!.materialised;
        const rows = m === undefined || keep === undefined ? m : m.map((t) => keepRows(t, keep));
        const c = tensor1d(rule.coefficients[i]!);
        return rows === undefined ? groupWeightedSum(plan, g, safe, c, rows) : rows.map((t) => weightedRowSum(t, c));
      });
      return noisyAverage(plan.weights.map(({ group, index }) => sums[group]![index]!), plan.weights.map((w) => w.weight.shape), s);
    });
    return { gradients, clippedCount: rule.clippedCount, zeroedCount: rule.zeroedCount };
  } finally {
    dispose(norms.flatMap((n) => [n.norms, ...(n.materialised ?? [])]));
  }
}

/**
 * `sum_i c_i t_i` of `t` `[batch, ...shape]` as one `[1, batch] x [batch, size]` matMul: a reduction
 * over the leading axis transposes first on wasm (20 ms for the digits CNN's second kernel).
 */
function weightedRowSum(t: Tensor, c: Tensor1D): Tensor {
  const batch = t.shape[0] as number;
  return reshape(matMul(reshape(c, [1, batch]), reshape(t, [batch, -1])), t.shape.slice(1));
}

/** Adds `N(0, (sigma C)^2)` to each sum and divides by the expected batch size. Call inside a tidy. */
export function noisyAverage(sums: readonly Tensor[], shapes: readonly (readonly number[])[], s: Omit<PrivateSettings, 'clipping'>): Tensor[] {
  const std = s.noiseMultiplier * s.maxGradNorm;
  return sums.map((total, i) => {
    const shaped = reshape(total, [...shapes[i]!]);
    const noisy = std > 0 ? add(shaped, gaussianNoise(shapes[i]!, std, s.rng)) : shaped;
    return div(noisy, scalar(s.expectedBatchSize));
  });
}

/**
 * `t` with the rows of dropped examples replaced by zeros: a select, never a product, so NaN and
 * Inf rows vanish on every backend. `keep` is `[batch]` float32 of 0 and 1. Call inside a tidy.
 */
export function keepRows(t: Tensor, keep: Tensor1D): Tensor {
  const shape = [t.shape[0] as number, ...t.shape.slice(1).map(() => 1)];
  // The condition is built at full shape from finite 0/1 values (no bool broadcasting kernels).
  const condition = greater(add(reshape(keep, shape), zeros(t.shape)), scalar(0.5));
  return where(condition, t, zerosLike(t));
}

function keepCapturedRows(cap: Capture, keep: Tensor1D): Capture {
  return {
    calls: cap.calls.map((c) => ({ input: keepRows(c.input, keep), outputGrad: keepRows(c.outputGrad, keep) })),
    losses: cap.losses,
    correct: cap.correct,
    dispose: () => undefined,
  };
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

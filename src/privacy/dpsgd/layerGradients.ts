/**
 * Per-layer gradient computations over a {@link Capture} (internal): per-example gradients, their
 * squared norms (ghost norms where cheaper) and clipping-weighted sums. Call inside a `tidy`.
 */
import { add, addN, sum, type Tensor, type Tensor1D } from '../../core/tf.js';
import type { Capture } from './capture.js';
import type { LayerGroup, ModelPlan } from './modelPlan.js';
import { scaleRows, squaredNormsPerExample } from './rules/common.js';

/** Per-example gradients `[batch, ...shape]` of one layer (summed over its calls). */
export function groupPerExample(plan: ModelPlan, group: LayerGroup, cap: Capture): Tensor[] {
  const perCall = group.sites.map((s) => {
    const site = plan.sites[s]!;
    return site.rule.perExample(site.layer, cap.calls[s]!);
  });
  if (perCall.length === 1) return perCall[0]!;
  return group.weights.map((_, w) => addN(perCall.map((c) => c[w]!)));
}

/** Squared per-example norms of one layer, and its per-example gradients if they had to be built. */
export function groupSquaredNorms(plan: ModelPlan, group: LayerGroup, cap: Capture): { norms: Tensor1D; materialised?: Tensor[] } {
  if (group.sites.length === 1) {
    const s = group.sites[0]!;
    const site = plan.sites[s]!;
    const ghost = site.rule.ghostSquaredNorms(site.layer, cap.calls[s]!);
    if (ghost !== undefined) return { norms: ghost };
  }
  const materialised = groupPerExample(plan, group, cap);
  const norms = materialised.map(squaredNormsPerExample);
  return { norms: norms.length === 1 ? norms[0]! : (addN(norms) as Tensor1D), materialised };
}

/** `sum_i c_i grad_i` of one layer, reusing materialised per-example gradients when given. */
export function groupWeightedSum(plan: ModelPlan, group: LayerGroup, cap: Capture, c: Tensor1D, materialised?: Tensor[]): Tensor[] {
  if (materialised !== undefined) return materialised.map((g) => sum(scaleRows(g, c), 0));
  const perCall = group.sites.map((s) => {
    const site = plan.sites[s]!;
    return site.rule.weightedSum(site.layer, cap.calls[s]!, c);
  });
  return group.weights.map((_, w) => perCall.slice(1).reduce((acc, c2) => add(acc, c2[w]!), perCall[0]![w]!));
}

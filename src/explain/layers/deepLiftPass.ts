/**
 * One batched DeepLift pass (internal), shared by {@link deepLift} and {@link deepLiftShap}.
 */
import { withTapeCleanup } from '../../core/tape.js';
import {
  concat, grad, keep, mul, reshape, slice, sub, sum, tidy, type Tensor, type Tensor1D,
} from '../../core/tf.js';
import type { ExplainContext } from '../context.js';
import { selectTargetOutputs } from '../targets.js';
import { internals, type HookSite } from '../model/modelLayers.js';
import { maxPoolRule, rescaleRule, softmaxRule } from './rules.js';
import { withSwappedOps, type LayerOp } from '../model/swap.js';

/** The softmax axis of a site: the Softmax layer's `axis`, or -1 for a softmax activation. */
function softmaxAxis(site: HookSite): number | number[] {
  return site.where === 'call' ? (internals(site.layer).axis ?? 1) : -1;
}

/**
 * The DeepLift rule of a site, wrapped around its op: the rescale rule for the elementwise
 * nonlinearities of Captum's `SUPPORTED_NON_LINEAR`, its softmax and maxpool rules, and the op
 * unchanged for the other activations.
 */
function deepLiftRule(op: LayerOp, site: HookSite, eps: number): LayerOp {
  if (site.kind === 'other') return op;
  if (site.kind === 'softmax') return softmaxRule(op, softmaxAxis(site), eps);
  if (site.kind === 'maxPool') return maxPoolRule(op, eps);
  return rescaleRule(op, eps);
}

/** How a pass computes (Captum's `DeepLift(model, multiply_by_inputs, eps)`). */
export interface DeepLiftPassSettings {
  /** Below this `|Δin|` the rules keep the normal gradient. */
  readonly eps: number;
  /** Return `(inputs - baselines) ⊙ multipliers` (true) or the multipliers themselves. */
  readonly multiplyByInputs: boolean;
  /** Also return the convergence delta. */
  readonly withDelta: boolean;
}

/** Attributions (and, when asked, the convergence delta) of one pass. */
export interface DeepLiftPassResult {
  readonly attributions: Tensor;
  readonly delta?: Tensor1D;
}

/**
 * DeepLift on `rows` (input, baseline) pairs in one batched pass, as Captum's `DeepLift.attribute`:
 * the model runs once on `[inputs; baselines]` with every hooked nonlinearity following its rule;
 * the gradient is that of the sum of the target outputs of **all** `2·rows` rows (Captum's
 * `_construct_forward_func` selects the targets on the stacked input and baseline outputs); the
 * multipliers are its part on the inputs; attributions are `(inputs - baselines) ⊙ multipliers`
 * (or the multipliers, without `multiplyByInputs`).
 * The delta, per row, is `Σ attributions - (f(input)[t] - f(baseline)[t])`, with the outputs of the
 * same forward pass (the rules do not change forward values). Every result is caller-owned.
 */
export function deepLiftPass(
  ctx: ExplainContext, sites: readonly HookSite[], inputs: Tensor, baselines: Tensor, targets: Tensor1D, s: DeepLiftPassSettings,
): DeepLiftPassResult {
  const rows = inputs.shape[0] as number;
  const withDelta = s.withDelta;
  const rule = (op: LayerOp, site: HookSite): LayerOp => deepLiftRule(op, site, s.eps);
  let selected: Tensor | undefined;
  try {
    const multipliers = withSwappedOps(sites, rule, () => withTapeCleanup(() => grad((xi: Tensor) => {
      const outputs = ctx.forward(concat([xi, baselines], 0));
      const both = selectTargetOutputs(outputs, concat([targets, targets], 0) as Tensor1D, ctx.kind);
      if (withDelta) selected = keep(both);
      return sum(both);
    })(inputs)));
    let attributions = multipliers;
    if (s.multiplyByInputs) {
      attributions = tidy(() => mul(sub(inputs, baselines), multipliers));
      multipliers.dispose();
    }
    if (!withDelta) return { attributions };
    const outputs = selected as Tensor;
    const delta = tidy(() => {
      const change = sub(slice(outputs, 0, rows), slice(outputs, rows, rows));
      return sub(sum(reshape(attributions, [rows, -1]), 1), change) as Tensor1D;
    });
    return { attributions, delta };
  } finally {
    selected?.dispose();
  }
}

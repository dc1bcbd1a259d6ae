/**
 * The explanations {@link sensitivityMax} re-computes on perturbed inputs: a caller's function or
 * an attribution method with its model and options, and how each is called on a repeated batch.
 */
import { isTensor } from '../../core/labels.js';
import type { ModelLike } from '../../core/model.js';
import type { Tensor } from '../../core/tf.js';
import { invalid, optionsObject } from '../../core/validate.js';
import { prepareExplanation } from '../context.js';
import { repeatRows } from '../rows.js';
import type { AttributionMethod, AttributionResult, TargetOptions } from '../types.js';

/**
 * What an {@link ExplanationFunction} learns about the batch it explains: the first call explains
 * the unperturbed inputs (`copies` 1); later calls explain perturbed copies, where row
 * `i·copies + k` is a perturbed copy of example `i`.
 */
export interface ExplanationBatch {
  /** Copies of each example in the batch (1 for the unperturbed inputs). */
  readonly copies: number;
}

/**
 * An explanation as {@link sensitivityMax} calls it: from a batch of inputs to one explanation per
 * row (a tensor whose first axis is the rows, e.g. attributions of the inputs' shape or a layer
 * map), or to an {@link AttributionResult} (its `attributions` are used). The metric owns and
 * disposes what it returns. For example
 * `(x) => saliency(model, x, { abs: false })`.
 */
export type ExplanationFunction = (x: Tensor, batch: ExplanationBatch) => Promise<Tensor | AttributionResult> | Tensor | AttributionResult;

/**
 * An attribution method with its model and options, for {@link sensitivityMax}. The metric expands
 * the per-example options to the perturbed copies as Captum's `sensitivity_max` expands its
 * `**kwargs`: `target` (`'predicted'` is resolved once, on the unperturbed inputs, so every copy
 * explains the class predicted for its example) and `baselines` (or `baseline`, the perturbation
 * methods' name) when it holds one baseline per example (a tensor of the inputs' shape). Other
 * options are passed unchanged: write an {@link ExplanationFunction} to expand others (a
 * per-example feature mask, say).
 */
export interface ExplanationSpec<O extends TargetOptions = TargetOptions> {
  /** The method, e.g. `saliency` or `integratedGradients`. */
  readonly method: AttributionMethod<O>;
  /** The model the method explains. */
  readonly model: ModelLike;
  /** The method's options (target, baselines, steps, ...). */
  readonly options?: O;
}

/** An explanation ready to call: the inputs and their number of copies per example to a caller-owned tensor (internal). */
export type Explainer = (x: Tensor, copies: number) => Promise<Tensor>;

/** The explanation tensor out of what an explanation returned; disposes the rest (a convergence delta). */
function explanationTensor(fn: string, out: unknown, input: Tensor, rows: number): Tensor {
  let t: unknown = out;
  if (!isTensor(out) && typeof out === 'object' && out !== null && 'attributions' in out) {
    const r = out as Partial<AttributionResult>;
    t = r.attributions;
    if (isTensor(r.convergenceDelta) && r.convergenceDelta !== t) r.convergenceDelta.dispose();
  }
  if (!isTensor(t) || t.isDisposed) {
    return invalid(fn, 'explanation', out, 'a function resolving to a tensor or to { attributions } (an AttributionResult)');
  }
  if (t.rank < 1 || t.shape[0] !== rows) {
    if (t !== input) t.dispose();
    invalid(fn, 'explanation', `an explanation of shape [${t.shape.join(', ')}]`, `one explanation per input row ([${rows}, ...])`);
  }
  return t;
}

/**
 * Turns the `explanation` argument into an {@link Explainer} (a spec's targets are resolved here,
 * with one forward pass on `x`). The returned tensor is always the explainer's own: when a
 * function returns its input unchanged, the input is cloned.
 */
export async function resolveExplainer(fn: string, explanation: unknown, x: Tensor): Promise<Explainer> {
  const call = async (run: () => unknown, input: Tensor, rows: number): Promise<Tensor> => {
    const t = explanationTensor(fn, await run(), input, rows);
    return t === input ? t.clone() : t;
  };
  if (typeof explanation === 'function') {
    const f = explanation as ExplanationFunction;
    return (input, copies) => call(() => f(input, { copies }), input, input.shape[0] as number);
  }
  if (typeof explanation !== 'object' || explanation === null || typeof (explanation as ExplanationSpec).method !== 'function') {
    return invalid(fn, 'explanation', explanation, 'a function (x, batch) => Promise<Tensor | AttributionResult>, or { method, model, options }');
  }
  const spec = explanation as ExplanationSpec;
  const options = optionsObject(fn, 'explanation.options', spec.options);
  // One forward pass for the targets; the method checks what else it needs (gradients) itself.
  const ctx = await prepareExplanation(fn, spec.model, x, options, { gradients: false });
  // Captum expands `baselines` when it holds one baseline per example (its shape is the inputs');
  // the perturbation methods of this library call the same option `baseline`.
  const perExample = (['baselines', 'baseline'] as const).filter((name) => {
    const b = (options as Record<string, unknown>)[name];
    return isTensor(b) && b.rank === x.rank && b.shape.every((d, i) => d === x.shape[i]);
  });
  return async (input, copies) => {
    const target = new Int32Array(ctx.batch * copies);
    for (let r = 0; r < target.length; r++) target[r] = ctx.targets[Math.floor(r / copies)] as number;
    const repeated: Record<string, Tensor> = {};
    try {
      if (copies > 1) for (const name of perExample) repeated[name] = repeatRows((options as Record<string, Tensor>)[name] as Tensor, copies);
      const opts = { ...options, target, ...repeated };
      return await call(() => spec.method(spec.model, input, opts), input, input.shape[0] as number);
    } finally {
      for (const t of Object.values(repeated)) t.dispose();
    }
  };
}

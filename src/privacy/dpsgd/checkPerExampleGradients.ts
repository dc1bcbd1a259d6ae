import { assertBackend } from '../../core/backend.js';
import { ResponsibleError } from '../../core/errors.js';
import type { LabelsLike } from '../../core/labels.js';
import {
  abs, div, dispose, gather, max, sum, scalar, sub, squeeze, tensor1d, tidy, variableGrads, maximum,
  type LayersModel, type Scalar, type Tensor, type Tensor2D, type Variable,
} from '../../core/tf.js';
import { optionsObject, positiveInteger, positiveNumber } from '../../core/validate.js';
import { crossEntropy } from './capture.js';
import { checkInputs, checkLabels } from './inputs.js';
import { modelPlan } from './modelPlan.js';
import { perExampleGradients } from './perExampleGradients.js';

/**
 * Options of {@link checkPerExampleGradients}.
 */
export interface CheckPerExampleOptions {
  /** Check at most this many examples (the first ones), default 8. */
  readonly maxExamples?: number;
  /** Largest accepted error, relative to `max(1, |reference|)` per weight, default 1e-5. */
  readonly tolerance?: number;
}

/**
 * Outcome of {@link checkPerExampleGradients}.
 */
export interface PerExampleCheck {
  /** True when every error is within the tolerance. */
  readonly ok: boolean;
  /** Largest error: max |vectorised − reference| / max(1, max |reference|) over weights and examples. */
  readonly maxError: number;
  /** The weight where it occurred. */
  readonly worstWeight: string;
  /** The example where it occurred. */
  readonly worstExample: number;
  /** Number of examples compared. */
  readonly examples: number;
}

/**
 * Compares the vectorised per-example gradients with a loop that differentiates each example
 * alone with tfjs's own autodiff (`variableGrads` on `model.apply`), so a model can be verified
 * before it is trusted. The loop needs the backend's weight-gradient kernels: on wasm,
 * `Conv2DBackpropFilter` is missing, so check convolutional models on the cpu backend (the
 * vectorised engine itself does not need that kernel).
 *
 * @param model - A supported `LayersModel`.
 * @param x - A small batch of inputs.
 * @param y - Class indices or one-hot rows.
 * @param options - {@link CheckPerExampleOptions}.
 * @returns The largest relative error and where it occurred.
 * @example
 * ```ts
 * import { checkPerExampleGradients } from 'responsible-tfjs/privacy';
 * const check = await checkPerExampleGradients(model, xSmall, ySmall);
 * if (!check.ok) console.warn(check);
 * ```
 */
export async function checkPerExampleGradients(model: LayersModel, x: Tensor, y: LabelsLike, options?: CheckPerExampleOptions): Promise<PerExampleCheck> {
  const fn = 'checkPerExampleGradients';
  assertBackend(fn);
  const o = optionsObject(fn, 'options', options);
  const maxExamples = positiveInteger(fn, 'options.maxExamples', o.maxExamples ?? 8);
  const tolerance = positiveNumber(fn, 'options.tolerance', o.tolerance ?? 1e-5);
  const plan = modelPlan(fn, model);
  checkInputs(fn, plan, x);
  const count = Math.min(maxExamples, x.shape[0] as number);
  const labels = checkLabels(fn, plan, y, x.shape[0] as number);
  const { xs, ys } = tidy(() => {
    const idx = tensor1d(Array.from({ length: count }, (_, i) => i), 'int32');
    return { xs: gather(x, idx), ys: gather(labels, idx) as Tensor2D };
  });
  dispose(labels);
  const vectorised = perExampleGradients(model, xs, ys);
  const variables = plan.weights.map((w) => w.weight.read() as Variable);
  let worst = { error: 0, weight: vectorised.names[0] ?? '', example: 0 };
  try {
    for (let i = 0; i < count; i++) {
      const errors = tidy(() => {
        const idx = tensor1d([i], 'int32');
        const xi = gather(xs, idx);
        const yi = gather(ys, idx) as Tensor2D;
        const { value, grads } = referenceGrads(fn, () => {
          const out = model.apply(xi, { training: false }) as Tensor;
          return sum(crossEntropy(yi, out, !plan.finalSoftmax)) as Scalar;
        }, variables);
        value.dispose();
        return variables.map((v, k) => {
          const mine = squeeze(gather(vectorised.gradients[k]!, idx), [0]);
          const ref = grads[v.name]!;
          return div(max(abs(sub(mine, ref))), maximum(scalar(1), max(abs(ref))));
        });
      });
      const values = await Promise.all(errors.map((e) => e.data()));
      dispose(errors);
      values.forEach((v, k) => {
        if ((v[0] as number) > worst.error) worst = { error: v[0] as number, weight: vectorised.names[k]!, example: i };
      });
    }
  } finally {
    dispose([xs, ys, ...vectorised.gradients, vectorised.losses]);
  }
  return { ok: worst.error <= tolerance, maxError: worst.error, worstWeight: worst.weight, worstExample: worst.example, examples: count };
}

function referenceGrads(fn: string, f: () => Scalar, variables: Variable[]): { value: Scalar; grads: Record<string, Tensor> } {
  try {
    return variableGrads(f, variables);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new ResponsibleError(
      'MISSING_GRADIENTS',
      `${fn}: the reference loop (tfjs autodiff, one example at a time) cannot run on this backend: ${message}. ` +
        'Run the check on the cpu backend; the vectorised engine does not need the missing kernel.',
    );
  }
}

import { assertBackend } from '../../core/backend.js';
import type { LabelsLike } from '../../core/labels.js';
import { addN, dispose, sqrt, stack, tidy, type LayersModel, type Tensor, type Tensor1D, type Tensor2D } from '../../core/tf.js';
import { optionsObject } from '../../core/validate.js';
import { capture } from './capture.js';
import { checkInputs, checkLabels } from './inputs.js';
import { groupSquaredNorms } from './layerGradients.js';
import { synchronousReadsSupported } from '../../core/backend.js';
import { assertFiniteTensorSync } from '../../core/tensorArgument.js';
import { modelPlan } from './modelPlan.js';
import type { PerExampleOptions } from './perExampleGradients.js';

/**
 * Per-example gradient norms, overall and per layer.
 */
export interface PerExampleNorms {
  /** Norm of each example's whole gradient, `[batch]`. */
  readonly norms: Tensor1D;
  /** Norm of each example's gradient restricted to each layer, `[batch, layers]`. */
  readonly layerNorms: Tensor2D;
  /** Paths of the layers (columns of `layerNorms`). */
  readonly layers: readonly string[];
}

/**
 * Per-example gradient norms without materialising per-example gradients where a cheaper form
 * exists (the "ghost norm" trick): for a Dense layer on `[batch, features]` inputs
 * `||g_i||^2 = ||a_i||^2 ||d_i||^2`; for sequences and convolutions the Gram form
 * `sum (A A^T) * (D D^T)` when it is smaller than the gradient, else the gradient itself.
 * Enough for clipping, which is all DP-SGD needs of them.
 *
 * @param model - A supported `LayersModel`.
 * @param x - Inputs `[batch, ...]`.
 * @param y - Class indices or one-hot rows.
 * @param options - {@link PerExampleOptions}.
 * @returns Norms the caller owns.
 * @example
 * ```ts
 * import { perExampleGradientNorms } from 'responsible-tfjs/privacy';
 * const { norms, layerNorms } = perExampleGradientNorms(model, x, y);
 * console.log(await norms.data());
 * tf.dispose([norms, layerNorms]);
 * ```
 */
export function perExampleGradientNorms(model: LayersModel, x: Tensor, y: LabelsLike, options?: PerExampleOptions): PerExampleNorms {
  const fn = 'perExampleGradientNorms';
  assertBackend(fn);
  const o = optionsObject(fn, 'options', options);
  const plan = modelPlan(fn, model);
  checkInputs(fn, plan, x);
  // A synchronous API: NaN or infinite inputs are refused with a synchronous read at the boundary
  // (it stalls GPU backends once per call; the asynchronous training entry points read asynchronously).
  // webgpu's synchronous reads are unreliable: there NaN inputs give NaN gradients, which clipAndNoise
  // refuses and the training paths' clipping rule zeroes.
  if (synchronousReadsSupported()) assertFiniteTensorSync(fn, 'x', x);
  const labels = checkLabels(fn, plan, y, x.shape[0] as number);
  try {
    const cap = capture(plan, x, labels, o.training ?? false);
    try {
      const { norms, layerNorms } = tidy(() => {
        const squared = plan.groups.map((g) => groupSquaredNorms(plan, g, cap).norms);
        const total = squared.length === 1 ? squared[0]! : (addN(squared) as Tensor1D);
        return { norms: sqrt(total) as Tensor1D, layerNorms: sqrt(stack(squared, 1)) as Tensor2D };
      });
      return { norms, layerNorms, layers: plan.groups.map((g) => g.path) };
    } finally {
      cap.dispose();
    }
  } finally {
    dispose(labels);
  }
}

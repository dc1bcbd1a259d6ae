import { assertBackend } from '../../core/backend.js';
import type { LabelsLike } from '../../core/labels.js';
import { clone, dispose, tidy, type LayersModel, type Tensor, type Tensor1D } from '../../core/tf.js';
import { optionsObject } from '../../core/validate.js';
import { capture } from './capture.js';
import { checkInputs, checkLabels } from './inputs.js';
import { groupPerExample } from './layerGradients.js';
import { synchronousReadsSupported } from '../../core/backend.js';
import { assertFiniteTensorSync } from '../../core/tensorArgument.js';
import { modelPlan } from './modelPlan.js';

/**
 * Options of {@link perExampleGradients} and {@link perExampleGradientNorms}.
 */
export interface PerExampleOptions {
  /** Run dropout and noise layers in training mode (default false). */
  readonly training?: boolean;
}

/**
 * Per-example gradients of a model, one tensor per trainable weight.
 */
export interface PerExampleGradients {
  /** Names of the trainable weights, in the order of `model.trainableWeights`. */
  readonly names: readonly string[];
  /** `[batch, ...weightShape]` per weight: row i is the gradient of example i's loss alone. */
  readonly gradients: readonly Tensor[];
  /** Per-example losses `[batch]`. */
  readonly losses: Tensor1D;
}

/**
 * Per-example gradients of the softmax cross-entropy of a classifier, for every trainable weight,
 * computed in one forward and one backward pass (no loop over examples): from each layer's input
 * and the gradient at its pre-activation output (outer products for Dense, im2col patches for
 * convolutions, scatters for Embedding). The model is validated first: an
 * {@link UnsupportedLayerError} lists every layer that cannot be handled.
 *
 * A final softmax (fused in the last layer or as its own layer) is folded into the loss as a
 * log-softmax; a model without one is taken to output logits.
 *
 * @param model - A Sequential or functional `LayersModel` with one input and one output.
 * @param x - Inputs `[batch, ...inputShape]`.
 * @param y - Integer class indices or one-hot rows.
 * @param options - {@link PerExampleOptions}.
 * @returns Names, per-example gradients and losses; the caller owns (and disposes) the tensors.
 * @example
 * ```ts
 * import { perExampleGradients } from 'responsible-tfjs/privacy';
 * const { names, gradients, losses } = perExampleGradients(model, x, [3, 1, 4]);
 * tf.dispose([...gradients, losses]);
 * ```
 */
export function perExampleGradients(model: LayersModel, x: Tensor, y: LabelsLike, options?: PerExampleOptions): PerExampleGradients {
  const fn = 'perExampleGradients';
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
      const gradients = tidy(() => {
        const byGroup = plan.groups.map((g) => groupPerExample(plan, g, cap));
        return plan.weights.map((w) => byGroup[w.group]![w.index]!);
      });
      const losses = tidy(() => clone(cap.losses));
      return { names: plan.weights.map((w) => w.weight.name), gradients, losses };
    } finally {
      cap.dispose();
    }
  } finally {
    dispose(labels);
  }
}

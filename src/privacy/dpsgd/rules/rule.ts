/** The contract of a per-layer gradient rule (internal): one file per layer type, as Opacus does. */
import type { Tensor, Tensor1D } from '../../../core/tf.js';
import type { LayerLike, WeightLike } from '../types.js';

/** One call of a layer during a forward pass: its input and the gradient at its pre-activation output. */
export interface LayerCall {
  /** The layer's input activation, `[batch, ...]`. */
  readonly input: Tensor;
  /** Gradient of the summed loss with respect to the layer's pre-activation output, `[batch, ...]`. */
  readonly outputGrad: Tensor;
}

/**
 * How to differentiate one layer type example by example. Every method is called inside a
 * `tidy` by the engine; tensors returned are owned by that scope.
 */
export interface LayerRule {
  /** Why this particular layer cannot be handled (an unsupported option), or undefined. */
  check(layer: LayerLike): string | undefined;
  /** The trainable weights the rule produces gradients for, in the order of its results. */
  weights(layer: LayerLike): WeightLike[];
  /** The layer's output before its fused activation (differentiable with respect to `input`). */
  preActivation(layer: LayerLike, input: Tensor): Tensor;
  /** The fused activation (identity when the layer has none). */
  activate(layer: LayerLike, z: Tensor): Tensor;
  /** Per-example gradients, one `[batch, ...weightShape]` tensor per weight. */
  perExample(layer: LayerLike, call: LayerCall): Tensor[];
  /** Squared per-example gradient norms `[batch]` without materialising them, when cheaper. */
  ghostSquaredNorms(layer: LayerLike, call: LayerCall): Tensor1D | undefined;
  /** `sum_i c_i * grad_i` for each weight, without materialising per-example gradients when possible. */
  weightedSum(layer: LayerLike, call: LayerCall, coefficients: Tensor1D): Tensor[];
}

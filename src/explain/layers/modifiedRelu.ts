import type { ModelLike } from '../../core/model.js';
import type { Tensor } from '../../core/tf.js';
import { optionsObject } from '../../core/validate.js';
import { prepareExplanation, targetGradientsAsIs, targetsTensor } from '../context.js';
import type { AttributionResult, TargetOptions } from '../types.js';
import { hookSites, layersModelOf, type HookSite } from '../model/modelLayers.js';
import { deconvolutionReluRule, guidedReluRule } from './rules.js';
import { withSwappedOps, type LayerOp } from '../model/swap.js';

/** Options of {@link guidedBackprop} and {@link deconvolution}: the target and the output kind. */
export type ModifiedReluOptions = TargetOptions;

/** Why these methods need a LayersModel (for the error naming 'model'). */
const NEEDS_LAYERS = 'the method changes the backward pass of its ReLU layers, which a plain function (x) => Tensor does not expose';

/**
 * The gradient of the target outputs with every ReLU's backward pass replaced by `rule`, in one
 * batched pass (Captum's `ModifiedReluGradientAttribution.attribute`).
 */
async function modifiedReluGradient(
  fn: string, model: ModelLike, x: Tensor, options: ModifiedReluOptions | undefined, rule: (op: LayerOp) => LayerOp,
): Promise<AttributionResult> {
  const opts = optionsObject(fn, 'options', options);
  const layersModel = layersModelOf(fn, model, NEEDS_LAYERS);
  const ctx = await prepareExplanation(fn, model, x, opts);
  const sites = hookSites(layersModel);
  const targets = targetsTensor(ctx, ctx.batch, (r) => r);
  try {
    const wrap = (op: LayerOp, site: HookSite): LayerOp => (site.kind === 'relu' ? rule(op) : op);
    return { attributions: withSwappedOps(sites, wrap, () => targetGradientsAsIs(ctx, ctx.x, targets)) };
  } finally {
    targets.dispose();
  }
}

/**
 * Guided backpropagation (Springenberg et al. 2015, https://arxiv.org/abs/1412.6806), as Captum's
 * `GuidedBackprop` (`captum/attr/_core/guided_backprop_deconvnet.py`): the gradient of the target
 * output with respect to the input, except that every ReLU passes back `relu(g ⊙ 1[z > 0])`: its
 * normal gradient with the negative values dropped, so only evidence *for* the target flows back.
 * The maps are sharper than plain gradients, but they depend little on the class explained.
 *
 * The ReLUs changed are those Captum changes (`nn.ReLU` modules), in their tfjs forms: ReLU
 * activation layers (`tf.layers.activation({ activation: 'relu' })`, `tf.layers.reLU()` without
 * `maxValue`) **and** ReLUs fused into Dense and convolution layers (`activation: 'relu'`), which
 * are treated as the activation layer they stand for. Other activations (LeakyReLU, ELU, ...) and
 * all other layers keep their normal gradient. The model is changed only during one synchronous
 * gradient computation and restored right after, also when it throws.
 *
 * @param model - A `tf.LayersModel` returning logits or probabilities (a plain function cannot be
 *   hooked and is refused).
 * @param x - A float32 batch `[batch, ...features]` of finite values.
 * @param options - The target (default `'predicted'`) and the output kind.
 * @returns `{ attributions }` of `x`'s shape, owned by the caller.
 * @throws {@link InvalidArgumentError} for a model that is not a LayersModel, a bad model output,
 *   target or `x`.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { guidedBackprop } from 'responsible-tfjs/explain';
 * const model = await tf.loadLayersModel('/models/digits/model.json');
 * const x = tf.tensor4d(pixels, [8, 8, 8, 1]);
 * // The strokes that speak for each digit's predicted class.
 * const { attributions } = await guidedBackprop(model, x);
 * attributions.dispose();
 * ```
 */
export async function guidedBackprop(model: ModelLike, x: Tensor, options?: ModifiedReluOptions): Promise<AttributionResult> {
  return modifiedReluGradient('guidedBackprop', model, x, options, guidedReluRule);
}

/**
 * Deconvolution (Zeiler & Fergus 2014, https://arxiv.org/abs/1311.2901), as Captum's
 * `Deconvolution` (`captum/attr/_core/guided_backprop_deconvnet.py`): the gradient of the target
 * output with respect to the input, except that every ReLU passes back `relu(g)`, ignoring which
 * units were active in the forward pass. Same ReLUs as {@link guidedBackprop} (activation layers
 * and fused `activation: 'relu'`); every other layer keeps its normal gradient.
 *
 * @param model - A `tf.LayersModel` returning logits or probabilities (a plain function cannot be
 *   hooked and is refused).
 * @param x - A float32 batch `[batch, ...features]` of finite values.
 * @param options - The target (default `'predicted'`) and the output kind.
 * @returns `{ attributions }` of `x`'s shape, owned by the caller.
 * @throws {@link InvalidArgumentError} for a model that is not a LayersModel, a bad model output,
 *   target or `x`.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { deconvolution } from 'responsible-tfjs/explain';
 * const model = await tf.loadLayersModel('/models/digits/model.json');
 * const x = tf.tensor4d(pixels, [8, 8, 8, 1]);
 * // What the network's filters reconstruct of the evidence for class 7.
 * const { attributions } = await deconvolution(model, x, { target: new Array(8).fill(7) });
 * attributions.dispose();
 * ```
 */
export async function deconvolution(model: ModelLike, x: Tensor, options?: ModifiedReluOptions): Promise<AttributionResult> {
  return modifiedReluGradient('deconvolution', model, x, options, deconvolutionReluRule);
}

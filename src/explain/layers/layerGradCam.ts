import type { ModelLike } from '../../core/model.js';
import { withTapeCleanup } from '../../core/tape.js';
import {
  add, grad, keep, mean, mul, relu, sum, tidy, zeros, type LayersModel, type Tensor,
} from '../../core/tf.js';
import { booleanValue, invalid, optionsObject } from '../../core/validate.js';
import { prepareExplanation, targetsTensor, type ExplainContext } from '../context.js';
import { selectTargetOutputs } from '../targets.js';
import type { TargetOptions } from '../types.js';
import { findLayer, probeLayer } from './findLayer.js';
import { hookSites, internals, layersModelOf, type ModelLayer } from '../model/modelLayers.js';
import { withSwappedOps } from '../model/swap.js';
import { swapCall, type LayerCall } from '../model/swapCall.js';

/** Options of {@link layerGradCam}. */
export interface LayerGradCamOptions extends TargetOptions {
  /**
   * The layer whose map is explained: its name (searched in nested models too) or the layer
   * itself (`model.getLayer('conv2')`). It must output a feature map `[batch, ...spatial,
   * channels]` of rank 3 to 5 (a convolution, or a pooling, activation or normalization layer over
   * one) and be called once per forward pass. Required.
   */
  readonly layer: string | LayersModel['layers'][number];
  /**
   * Apply a ReLU to the map, keeping only the regions that speak for the target (the usual
   * Grad-CAM definition). Default `false`, Captum's default (`relu_attributions=False`).
   */
  readonly reluAttributions?: boolean;
  /**
   * Use the layer's input instead of its output (gradient and activations), as Captum's
   * `attribute_to_layer_input`. Default `false`.
   */
  readonly attributeToLayerInput?: boolean;
  /**
   * Sum the weighted channels into one map (Captum's `attr_dim_summation`). Default `true`; with
   * `false` the map keeps one channel per layer channel, `α_c·A_c`.
   */
  readonly attrDimSummation?: boolean;
}

/** The result of {@link layerGradCam}. */
export interface LayerGradCamResult {
  /**
   * The Grad-CAM map of every example at the layer's resolution, owned by the caller:
   * `[batch, ...spatial, 1]` for a channels-last layer (`[batch, h, w, 1]` for Conv2D), one channel
   * per layer channel with `attrDimSummation: false`. {@link interpolateAttribution} resizes it.
   */
  readonly attributions: Tensor;
}

/** The layer's channel axis (1 for a `channelsFirst` layer, else the last axis). */
function channelAxisOf(layer: ModelLayer, rank: number): number {
  return internals(layer).dataFormat === 'channelsFirst' ? 1 : rank - 1;
}

/**
 * The gradient of the target outputs with respect to the layer's output (or input) and that
 * output itself, in one forward and backward pass: the layer's `call` is wrapped so that its
 * output becomes `output + e` for a zero tensor `e`, and the gradient is taken with respect to `e`
 * (so the backward pass stops at the layer).
 */
function layerGradientAndValue(ctx: ExplainContext, model: LayersModel, layer: ModelLayer, shape: readonly number[], toInput: boolean): [Tensor, Tensor] {
  const e = zeros([ctx.batch, ...shape.slice(1)]);
  const targets = targetsTensor(ctx, ctx.batch, (r) => r);
  let value: Tensor | undefined;
  const one = (t: Tensor | Tensor[]): Tensor => (Array.isArray(t) ? (t[0] as Tensor) : t);
  // The value is cloned: tfjs-layers disposes a layer's input once its last consumer has run.
  const watch = (original: LayerCall): LayerCall => (inputs, kwargs) => {
    if (toInput) {
      const z = one(inputs);
      value = keep(z.clone());
      return original(add(z, e), kwargs);
    }
    const out = one(original(inputs, kwargs));
    value = keep(out.clone());
    return add(out, e);
  };
  try {
    // The activations are swapped for unchanged copies only to keep tfjs off its fused kernels
    // (see hookSites); the layer's call is watched on top of that.
    const gradient = withSwappedOps(hookSites(model), (op) => op, () => {
      const restore = swapCall(layer, watch);
      try {
        return withTapeCleanup(() => grad(() => sum(selectTargetOutputs(ctx.forward(ctx.x), targets, ctx.kind)))(e));
      } finally {
        restore();
      }
    });
    return [gradient, value as Tensor];
  } catch (error) {
    value?.dispose();
    throw error;
  } finally {
    e.dispose();
    targets.dispose();
  }
}

/**
 * Grad-CAM (Selvaraju et al. 2017, https://arxiv.org/abs/1610.02391) of one layer, as Captum's
 * `LayerGradCam` (`captum/attr/_core/layer/grad_cam.py`): with `A` the layer's output as the model
 * computes it and `∂f_t/∂A` the gradient of the target output with respect to it, each channel's
 * weight is the spatial **mean** of its gradient, `α_c = mean_{h,w} ∂f_t/∂A_c`, and the map is
 * `Σ_c α_c A_c`, keeping a channel axis of 1: `[batch, h, w, 1]` for a channels-last 2-D layer
 * (`[batch, 1, h, w]` for a channels-first one, `[batch, l, 1]` for Conv1D). It is in the layer's
 * resolution; {@link interpolateAttribution} brings it to the input's.
 *
 * Which map: the layer's output **as the model computes it**. A convolution followed by a separate
 * ReLU layer gives the pre-ReLU map (as Captum's `Conv2d` module, whose ReLU is another module);
 * a convolution with a fused activation (`activation: 'relu'`) gives the post-activation map; to
 * get the post-ReLU map of a separate ReLU, name the ReLU layer. Captum's default is kept: no ReLU
 * on the map unless `reluAttributions: true` (the paper's definition applies one).
 *
 * One batched forward and backward pass (the backward pass stops at the layer), plus a forward
 * pass on one example that checks the layer. The model is changed only during the synchronous
 * gradient computation and restored right after, also when it throws.
 *
 * @param model - A `tf.LayersModel` (Sequential or functional, nested models included) returning
 *   logits or probabilities; a plain function has no layers and is refused.
 * @param x - A float32 batch `[batch, ...features]` of finite values.
 * @param options - The layer (required), target, `reluAttributions`, `attributeToLayerInput`,
 *   `attrDimSummation`.
 * @returns `{ attributions }`: the map, `[batch, ...spatial, 1]` (layer resolution), owned by the
 *   caller.
 * @throws {@link InvalidArgumentError} naming `options.layer` for a name that is not in the model,
 *   a layer whose output is not a feature map (Dense, Flatten: rank below 3), a layer not run or
 *   run more than once per forward pass; naming `model` for a model that is not a LayersModel;
 *   and for a bad target, `x` or option.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { interpolateAttribution, layerGradCam } from 'responsible-tfjs/explain';
 * const model = await tf.loadLayersModel('/models/digits/model.json');
 * const x = tf.tensor4d(pixels, [8, 8, 8, 1]);
 * // Where the last convolution looks when it votes for the predicted digit.
 * const { attributions: map } = await layerGradCam(model, x, { layer: 'conv2', reluAttributions: true });
 * // [8, h, w, 1] at the layer's resolution, upsampled to the 8×8 input for an overlay.
 * const overlay = interpolateAttribution(map, [8, 8], 'bilinear');
 * tf.dispose([map, overlay]);
 * ```
 */
export async function layerGradCam(model: ModelLike, x: Tensor, options: LayerGradCamOptions): Promise<LayerGradCamResult> {
  const fn = 'layerGradCam';
  const opts = optionsObject(fn, 'options', options);
  const layersModel = layersModelOf(fn, model, 'Grad-CAM reads one of its layers, and a plain function (x) => Tensor has none');
  const layer = findLayer(fn, 'options.layer', layersModel, opts.layer);
  const reluAttributions = booleanValue(fn, 'options.reluAttributions', opts.reluAttributions ?? false);
  const toInput = booleanValue(fn, 'options.attributeToLayerInput', opts.attributeToLayerInput ?? false);
  const summation = booleanValue(fn, 'options.attrDimSummation', opts.attrDimSummation ?? true);
  const ctx = await prepareExplanation(fn, model, x, opts);
  const { shape } = probeLayer(fn, 'options.layer', ctx, layer, toInput);
  if (shape.length < 3 || shape.length > 5 || shape[0] !== 1) {
    invalid(fn, 'options.layer', `'${layer.name}' (${toInput ? 'input' : 'output'} of shape [${shape.slice(1).join(', ')}] per example)`,
      'a layer whose output is a feature map [batch, ...spatial, channels] of rank 3 to 5 (a convolution, or a pooling or activation layer over one); Dense and Flatten outputs have no spatial axes');
  }
  const [gradient, value] = layerGradientAndValue(ctx, layersModel, layer, shape, toInput);
  try {
    const attributions = tidy(() => {
      const rank = value.rank;
      const channelAxis = channelAxisOf(layer, rank);
      const spatial = Array.from({ length: rank }, (_, i) => i).filter((a) => a !== 0 && a !== channelAxis);
      // Captum: mean of the gradient over the spatial axes, times the activations, summed over channels.
      const alpha = mean(gradient, spatial, true);
      const weighted = mul(alpha, value);
      const map = summation ? sum(weighted, channelAxis, true) : weighted;
      return reluAttributions ? relu(map) : map;
    });
    return { attributions };
  } finally {
    gradient.dispose();
    value.dispose();
  }
}

/**
 * The layers of a tfjs LayersModel as the layer methods see them (internal): every layer, nested
 * models and wrapped layers included, the nonlinearities DeepLift and the modified-ReLU methods
 * hook, and the refusal of models that are plain functions.
 */
import type { LayersModel, Tensor } from '../../core/tf.js';
import { invalid } from '../../core/validate.js';

/** A layer of a LayersModel (the type tfjs-layers does not export by name). */
export type ModelLayer = LayersModel['layers'][number];

/** The activation object tfjs-layers stores in `layer.activation` and calls as `apply(x)`. */
export interface ActivationObject {
  getClassName(): string;
  apply(x: Tensor, ...rest: unknown[]): Tensor;
  getConfig(): unknown;
}

/** The parts of a layer the hooks read or swap (tfjs-layers' own fields, untyped in its API). */
export interface LayerInternals {
  activation?: ActivationObject | null;
  call(inputs: Tensor | Tensor[], kwargs: Record<string, unknown>): Tensor | Tensor[];
  readonly layers?: readonly ModelLayer[];
  readonly layer?: ModelLayer;
  readonly maxValue?: number | null;
  readonly axis?: number | number[];
  readonly dataFormat?: string;
}

/** A layer seen through its internals. */
export function internals(layer: ModelLayer): LayerInternals {
  return layer as unknown as LayerInternals;
}

/**
 * `model` as a LayersModel, or a typed error naming 'model': these methods change how the
 * model's layers are differentiated (or read one layer), which a plain function does not expose.
 * `why` completes "a tf.LayersModel: ...".
 */
export function layersModelOf(fn: string, model: unknown, why: string): LayersModel {
  const m = model as Partial<LayersModel> | null;
  if (typeof m === 'object' && m !== null && typeof m.apply === 'function' && Array.isArray(m.layers)) return m as LayersModel;
  return invalid(fn, 'model', model, `a tf.LayersModel: ${why}`);
}

/**
 * Every layer of `model` in depth-first order: the layers of nested models (a Sequential inside a
 * functional model, say) and the inner layer of wrappers (TimeDistributed, Bidirectional), each
 * once. Containers themselves are listed too.
 */
export function allLayers(model: LayersModel): ModelLayer[] {
  const out: ModelLayer[] = [];
  const seen = new Set<ModelLayer>();
  const visit = (layer: ModelLayer): void => {
    if (seen.has(layer)) return;
    seen.add(layer);
    out.push(layer);
    const inner = internals(layer);
    if (Array.isArray(inner.layers)) for (const l of inner.layers) visit(l);
    if (inner.layer !== undefined && inner.layer !== null && typeof inner.layer === 'object') visit(inner.layer);
  };
  for (const l of model.layers) visit(l);
  return out;
}

/**
 * The nonlinearities the methods change, named after the torch modules Captum hooks
 * (`SUPPORTED_NON_LINEAR` in `captum/attr/_core/deep_lift.py`), and `'other'` for the activation
 * of a Dense or convolution layer that no method changes (`linear`, `selu`, ...).
 */
export type NonlinearityKind = 'relu' | 'elu' | 'leakyRelu' | 'sigmoid' | 'tanh' | 'softplus' | 'softmax' | 'maxPool' | 'other';

/** Where a nonlinearity lives: the layer's activation object, or the layer's own `call`. */
export interface HookSite {
  readonly layer: ModelLayer;
  readonly kind: NonlinearityKind;
  readonly where: 'activation' | 'call';
}

/** Activation names (tfjs `activation: '...'`) that correspond to a module Captum hooks. */
const ACTIVATION_KINDS: Readonly<Record<string, NonlinearityKind>> = {
  relu: 'relu', elu: 'elu', sigmoid: 'sigmoid', tanh: 'tanh', softplus: 'softplus', softmax: 'softmax',
};

/**
 * Layers whose `activation` is applied to their whole output (a fused activation, the tfjs form of
 * `nn.Linear` + `nn.ReLU`): on their unfused path each calls `this.activation.apply(output)`.
 */
const ACTIVATION_HOLDERS = new Set([
  'Activation', 'Dense', 'Conv1D', 'Conv2D', 'Conv3D', 'Conv2DTranspose', 'Conv3DTranspose', 'SeparableConv2D', 'DepthwiseConv2D',
]);

/** Standalone activation and pooling layers and the Captum rule they take. */
const LAYER_KINDS: Readonly<Record<string, NonlinearityKind>> = {
  ReLU: 'relu', ELU: 'elu', LeakyReLU: 'leakyRelu', Softmax: 'softmax',
  MaxPooling1D: 'maxPool', MaxPooling2D: 'maxPool', MaxPooling3D: 'maxPool',
};

/** The nonlinearity a layer holds, if any. */
function siteOf(layer: ModelLayer): HookSite | undefined {
  const className = layer.getClassName();
  const inner = internals(layer);
  if (ACTIVATION_HOLDERS.has(className) && inner.activation != null) {
    return { layer, kind: ACTIVATION_KINDS[inner.activation.getClassName()] ?? 'other', where: 'activation' };
  }
  const kind = LAYER_KINDS[className];
  if (kind === undefined) return undefined;
  // A ReLU layer with maxValue is a clipped ReLU (torch's ReLU6 family), which Captum does not hook.
  if (className === 'ReLU' && inner.maxValue != null) return undefined;
  return { layer, kind, where: 'call' };
}

/**
 * Every nonlinearity of `model`: the activation of every Dense, convolution and Activation layer
 * (kind `'other'` when no method changes it) and the standalone activation and max-pooling layers.
 *
 * The methods swap all the activations, the unchanged ones for a wrapper that computes the same
 * thing: a swapped activation does not take tfjs's fused kernels (`fused.conv2d`,
 * `fused.matMul`), whose gradient also differentiates the weights. Only input gradients are then
 * computed, and the wasm backend, which has no `Conv2DBackpropFilter` kernel in tfjs 4.22, can
 * differentiate Conv2D layers with a linear activation.
 */
export function hookSites(model: LayersModel): HookSite[] {
  const sites: HookSite[] = [];
  for (const layer of allLayers(model)) {
    const site = siteOf(layer);
    if (site !== undefined) sites.push(site);
  }
  return sites;
}

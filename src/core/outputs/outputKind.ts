/** What a model's outputs are, logits or probabilities, from an option or the model itself (internal). */
import type { ModelLike } from '../model.js';
import { oneOf } from '../validate.js';
import type { OutputKind } from './logProbabilities.js';

interface LayerLike {
  getClassName(): string;
  getConfig?(): { readonly axis?: unknown };
  readonly activation?: { getClassName(): string };
  readonly outputs?: readonly { readonly sourceLayer?: LayerLike }[];
}

/**
 * Whether a layer's output is a softmax over the last axis: its fused activation, or a `Softmax`
 * layer over the class axis (tfjs-layers' `Softmax` defaults to axis 1, the class axis of a rank-2
 * output).
 */
export function endsWithSoftmax(layer: LayerLike): boolean {
  if (layer.getClassName() === 'Softmax') {
    const raw = layer.getConfig?.().axis;
    const axis = Array.isArray(raw) ? (raw.length === 1 ? raw[0] : undefined) : raw;
    const shape = (layer as unknown as { outputShape?: readonly unknown[] }).outputShape;
    const last = Array.isArray(shape) && !Array.isArray(shape[0]) ? shape.length - 1 : undefined;
    return axis === undefined || axis === -1 || (last !== undefined && axis === last);
  }
  return layer.activation?.getClassName() === 'softmax';
}

/** The layer that produces a LayersModel's (first) output, looking inside nested models. */
function outputLayer(model: LayerLike): LayerLike | undefined {
  let layer: LayerLike | undefined = model;
  for (let depth = 0; layer?.outputs !== undefined && depth < 64; depth++) layer = layer.outputs[0]?.sourceLayer;
  return layer;
}

/**
 * The output kind a model declares: `'probabilities'` for a `LayersModel` whose last layer ends
 * in a softmax (a fused `activation: 'softmax'`, a `Softmax` or `Activation('softmax')` layer), or
 * in a sigmoid with a single output unit (a binary model, e.g. a logistic regression
 * `Dense(1, 'sigmoid')`); `'logits'` otherwise, and for plain functions.
 */
export function declaredOutputKind(model: ModelLike): OutputKind {
  if (typeof model === 'function' || typeof model !== 'object' || model === null) return 'logits';
  const layer = outputLayer(model as unknown as LayerLike);
  if (layer === undefined || typeof layer.getClassName !== 'function') return 'logits';
  if (endsWithSoftmax(layer)) return 'probabilities';
  const activation = typeof layer.activation?.getClassName === 'function' ? layer.activation.getClassName() : undefined;
  const shape = model.outputs?.[0]?.shape;
  if (activation === 'sigmoid' && shape?.[shape.length - 1] === 1) return 'probabilities';
  return 'logits';
}

/**
 * The output kind to use: the option when given (validated, named `argument`), else what the model
 * declares ({@link declaredOutputKind}).
 */
export function resolveOutputKind(fn: string, model: ModelLike, option: unknown, argument = 'options.modelOutput'): OutputKind {
  if (option !== undefined) return oneOf(fn, argument, option, ['logits', 'probabilities'] as const);
  return declaredOutputKind(model);
}

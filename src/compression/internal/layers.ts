import type { LayersModel } from '../../core/tf.js';
import { invalid } from '../../core/validate.js';

/** A layer of a tfjs-layers model (the type is not exported by tfjs-layers' root). */
export type ModelLayer = LayersModel['layers'][number];
/** One weight variable of a layer. */
export type LayerVar = ModelLayer['weights'][number];

/** A weight of a model with what the compression functions need to know about it. */
export interface WeightRef {
  readonly layer: ModelLayer;
  readonly layerName: string;
  readonly className: string;
  readonly variable: LayerVar;
  /** The weight's scoped name, e.g. `fc1/kernel`. */
  readonly name: string;
  readonly role: 'kernel' | 'bias' | 'other';
}

/** Layer classes whose kernel's last axis is the output channel (units or filters). */
export const CHANNEL_LAST_CLASSES: readonly string[] = ['Dense', 'Conv1D', 'Conv2D', 'Conv3D'];

/** True when `value` looks like a tfjs-layers model. */
export function isLayersModel(value: unknown): value is LayersModel {
  return typeof value === 'object' && value !== null && Array.isArray((value as LayersModel).layers) &&
    typeof (value as LayersModel).getWeights === 'function';
}

/** Every float32 weight of a model in layer order, tagged kernel / bias / other. */
export function modelWeights(fn: string, model: LayersModel): WeightRef[] {
  if (!isLayersModel(model)) invalid(fn, 'model', model, 'a tf.LayersModel');
  const out: WeightRef[] = [];
  for (const layer of model.layers) {
    for (const variable of layer.weights) {
      if (variable.dtype !== 'float32') continue;
      const last = variable.originalName.split('/').pop() ?? '';
      const role = last.endsWith('kernel') ? 'kernel' : last === 'bias' ? 'bias' : 'other';
      out.push({ layer, layerName: layer.name, className: layer.getClassName(), variable, name: variable.originalName, role });
    }
  }
  return out;
}

/** Restricts weights to the named layers, rejecting unknown names. */
export function selectLayers(fn: string, weights: WeightRef[], layers: readonly string[] | undefined, model: LayersModel): WeightRef[] {
  if (layers === undefined) return weights;
  if (!Array.isArray(layers)) invalid(fn, 'options.layers', layers, 'an array of layer names');
  const names = new Set(model.layers.map((l) => l.name));
  for (const n of layers) if (!names.has(n)) invalid(fn, 'options.layers', n, `a layer name of the model (${[...names].join(', ')})`);
  return weights.filter((w) => layers.includes(w.layerName));
}

/** The layer a layer method reads, found by name or identity and probed once (internal). */
import { slice, tidy, type LayersModel, type Tensor } from '../../core/tf.js';
import { invalid } from '../../core/validate.js';
import type { ExplainContext } from '../context.js';
import { allLayers, type ModelLayer } from '../model/modelLayers.js';
import { swapCall } from '../model/swapCall.js';

/** The layer named or given by `value`, searched in `model` and its nested models. */
export function findLayer(fn: string, argument: string, model: LayersModel, value: unknown): ModelLayer {
  const layers = allLayers(model);
  if (typeof value === 'string') {
    const matches = layers.filter((l) => l.name === value);
    if (matches.length === 1) return matches[0] as ModelLayer;
    if (matches.length > 1) invalid(fn, argument, value, `a layer name used once in the model (${matches.length} layers are named so; pass the layer object)`);
    return invalid(fn, argument, value, `the name of a layer of the model: ${layers.map((l) => `'${l.name}'`).join(', ')}`);
  }
  if (typeof value === 'object' && value !== null && layers.includes(value as ModelLayer)) return value as ModelLayer;
  return invalid(fn, argument, value, 'a layer name or a layer of the model (model.getLayer(name))');
}

/** What one call of the layer takes or returns, read on a one-example forward pass. */
export interface LayerProbe {
  /** Shape of the tensor read (the layer's output, or its input), for one example. */
  readonly shape: readonly number[];
}

function singleTensor(fn: string, argument: string, name: string, value: Tensor | Tensor[], what: string): Tensor {
  if (!Array.isArray(value)) return value;
  if (value.length === 1) return value[0] as Tensor;
  return invalid(fn, argument, name, `a layer with a single ${what} (this one has ${value.length})`);
}

/**
 * Runs the model on the first example with the layer's `call` watched, and checks that the model
 * calls the layer exactly once per forward pass, with one input or output tensor (`toInput`
 * chooses which is read) of one row per example. The model is restored before returning.
 */
export function probeLayer(fn: string, argument: string, ctx: ExplainContext, layer: ModelLayer, toInput: boolean): LayerProbe {
  let calls = 0;
  let shape: number[] | undefined;
  let problem: (() => never) | undefined;
  const restore = swapCall(layer, (original) => (inputs, kwargs) => {
    calls++;
    const out = original(inputs, kwargs);
    try {
      shape = singleTensor(fn, argument, layer.name, toInput ? inputs : out, toInput ? 'input' : 'output').shape.slice();
    } catch (e) {
      problem ??= () => {
        throw e;
      };
    }
    return out;
  });
  try {
    tidy(() => {
      ctx.forward(slice(ctx.x, 0, 1));
    });
  } finally {
    restore();
  }
  if (problem !== undefined) problem();
  if (calls === 0) invalid(fn, argument, layer.name, 'a layer the model runs on its way to the output');
  if (calls > 1) invalid(fn, argument, layer.name, `a layer the model calls once per forward pass (this one is shared: called ${calls} times)`);
  return { shape: shape as number[] };
}

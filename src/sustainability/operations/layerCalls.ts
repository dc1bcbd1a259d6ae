/**
 * Walks a tfjs-layers model into the calls of its layers, with the per-example shapes of each call,
 * expanding nested models in place.
 */
import type { LayersModel } from '../../core/tf.js';
import type { UncountableLayer } from './errors.js';

/** A tfjs-layers layer, typed through the model so that only `src/core/tf.ts` imports tfjs. */
export type Layer = LayersModel['layers'][number];

/** One call of one layer in a model. */
export interface LayerCall {
  /** The layer called. */
  readonly layer: Layer;
  /** Its path through nested models, e.g. `outer/inner/dense_1`. */
  readonly path: string;
  /** Input shapes of one example (batch dimension removed); `null` marks an unknown dimension. */
  readonly inputs: ReadonlyArray<ReadonlyArray<number | null>>;
  /** Output shape of one example. */
  readonly output: ReadonlyArray<number | null>;
  /** Which call of the layer this is in the model (1-based). */
  readonly call: number;
  /** How many calls of the layer the model has. */
  readonly calls: number;
}

type Shape = ReadonlyArray<number | null>;

/** A model used as a layer: it has layers of its own and the node bookkeeping of a container. */
export function isModel(layer: unknown): layer is LayersModel {
  const m = layer as LayersModel | null;
  return typeof m === 'object' && m !== null && Array.isArray(m.layers) && m.containerNodes instanceof Set;
}

/** A single shape or a list of shapes, as tfjs's `Node.inputShapes` holds them, as a list. */
function shapeList(shapes: unknown): Shape[] {
  const list = shapes as Shape | Shape[];
  return list.length > 0 && Array.isArray(list[0]) ? (list as Shape[]) : [list as Shape];
}

/**
 * The layer calls of `model` (in its layer order) and the layers that cannot be walked. A call
 * belongs to the model when its node is one of the model's own (tfjs keys them `name_ib-index`),
 * so calls of a layer in other models are not counted here.
 */
export function layerCalls(model: LayersModel, prefix = '', calls: LayerCall[] = [], unsupported: UncountableLayer[] = []): { calls: LayerCall[]; unsupported: UncountableLayer[] } {
  for (const layer of model.layers) {
    const className = layer.getClassName();
    if (className === 'InputLayer') continue;
    const path = `${prefix}${layer.name}`;
    const own = layer.inboundNodes.filter((_, i) => model.containerNodes.has(`${layer.name}_ib-${i}`));
    own.forEach((node, k) => {
      const inputs = shapeList(node.inputShapes).map((s) => s.slice(1));
      const outputs = shapeList(node.outputShapes).map((s) => s.slice(1));
      if (isModel(layer)) {
        // The inner layers' shapes come from the nested model's own graph: valid only when it is called on that shape.
        const built = layer.inputs.map((t) => t.shape.slice(1));
        if (JSON.stringify(built) !== JSON.stringify(inputs)) {
          unsupported.push({ name: layer.name, path, className, reason: `nested model called on inputs ${JSON.stringify(inputs)} but built for ${JSON.stringify(built)}` });
        } else layerCalls(layer, `${path}/`, calls, unsupported);
        return;
      }
      if (outputs.length !== 1) {
        unsupported.push({ name: layer.name, path, className, reason: `${outputs.length} outputs (counting rules cover single-output layers)` });
        return;
      }
      calls.push({ layer, path, inputs, output: outputs[0] as Shape, call: k + 1, calls: own.length });
    });
  }
  return { calls, unsupported };
}

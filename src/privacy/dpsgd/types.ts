/**
 * Structural views of the tfjs-layers objects the per-example engine reads (internal). The
 * library imports no tfjs-layers code at run time; it walks the objects a model already holds.
 */
import type { Tensor, Variable } from '../../core/tf.js';

/** A weight of a layer (tfjs-layers `LayerVariable`). */
export interface WeightLike {
  readonly name: string;
  readonly shape: readonly number[];
  read(): Variable;
}

/** A symbolic tensor of the layer graph. */
export interface SymbolicLike {
  readonly id: number;
  readonly name: string;
  readonly shape: readonly (number | null)[];
  readonly sourceLayer: LayerLike;
  readonly nodeIndex: number;
  readonly tensorIndex: number;
}

/** One call of a layer in the graph. */
export interface NodeLike {
  readonly inputTensors: readonly SymbolicLike[];
  readonly outputTensors: readonly SymbolicLike[];
}

/** An activation function object (`layer.activation`). */
export interface ActivationLike {
  apply(x: Tensor): Tensor;
  getClassName(): string;
}

/** A layer (tfjs-layers `Layer`); containers (models) also have `layers`, `inputs` and `outputs`. */
export interface LayerLike {
  readonly name: string;
  readonly trainable: boolean;
  readonly trainableWeights: readonly WeightLike[];
  readonly inboundNodes: readonly NodeLike[];
  getClassName(): string;
  getConfig(): Record<string, unknown>;
  apply(inputs: Tensor | Tensor[], kwargs?: Record<string, unknown>): Tensor | Tensor[];
  readonly activation?: ActivationLike;
  readonly layers?: readonly LayerLike[];
  readonly inputs?: readonly SymbolicLike[];
  readonly outputs?: readonly SymbolicLike[];
  readonly [field: string]: unknown;
}

/** A model as the engine sees it: a container layer. */
export interface ContainerLike extends LayerLike {
  readonly layers: readonly LayerLike[];
  readonly inputs: readonly SymbolicLike[];
  readonly outputs: readonly SymbolicLike[];
}

/** True when a layer is itself a model (Sequential or functional) nested in another. */
export function isContainer(layer: LayerLike): layer is ContainerLike {
  return Array.isArray(layer.layers) && Array.isArray(layer.inputs) && Array.isArray(layer.outputs);
}

/**
 * Walks the layer graph of a Sequential or functional model (nested models included) and runs it
 * on concrete tensors, adding a zero "probe" to the pre-activation output of every layer with
 * trainable weights (internal). The gradient of the summed loss with respect to the probes is
 * each example's output gradient: examples do not interact, so row i depends on example i only.
 */
import { add, type Tensor } from '../../core/tf.js';
import { endsWithSoftmax } from '../../core/outputs/outputKind.js';
import { layerSupport } from './support.js';
import { LAYER_RULES, type LayerRule } from './rules/index.js';
import type { UnsupportedLayer } from './errors.js';
import { isContainer, type ContainerLike, type LayerLike, type NodeLike, type SymbolicLike } from './types.js';

/** One call of a layer with trainable weights, in execution order. */
export interface Site {
  readonly layer: LayerLike;
  readonly rule: LayerRule;
  readonly path: string;
  /** Symbolic output shape (batch first, possibly null entries). */
  readonly shape: readonly (number | null)[];
}

/** Evaluates one node given its input values; returns the node's output values. */
type NodeEvaluator<V> = (layer: LayerLike, node: NodeLike, inputs: V[], path: string, isOutput: boolean) => V[];

/** Depth-first evaluation of a container's outputs, memoised by symbolic tensor. */
export function walk<V>(container: ContainerLike, inputs: readonly V[], evaluate: NodeEvaluator<V>, prefix: string, outputIsModelOutput: boolean): V[] {
  const memo = new Map<number, V>();
  container.inputs.forEach((s, i) => memo.set(s.id, inputs[i] as V));
  const outputIds = new Set(outputIsModelOutput ? container.outputs.map((s) => s.id) : []);
  const compute = (s: SymbolicLike): V => {
    const known = memo.get(s.id);
    if (known !== undefined || memo.has(s.id)) return known as V;
    const layer = s.sourceLayer;
    const node = layer.inboundNodes[s.nodeIndex] as NodeLike;
    const values = node.inputTensors.map(compute);
    const isOutput = node.outputTensors.some((o) => outputIds.has(o.id));
    const outs = evaluate(layer, node, values, `${prefix}${layer.name}`, isOutput);
    node.outputTensors.forEach((o, k) => memo.set(o.id, outs[k] as V));
    return memo.get(s.id) as V;
  };
  return container.outputs.map(compute);
}

/** True when a layer with rule has trainable weights to differentiate. */
function isTrainableRuleLayer(layer: LayerLike): boolean {
  return layer.trainable && layer.trainableWeights.length > 0 && LAYER_RULES[layer.getClassName()] !== undefined;
}

/** The sites (in execution order) and the unsupported layers of a model. */
export function planModel(model: ContainerLike): { sites: Site[]; unsupported: UnsupportedLayer[]; finalSoftmax: boolean } {
  const sites: Site[] = [];
  const unsupported: UnsupportedLayer[] = [];
  const seen = new Set<LayerLike>();
  let finalSoftmax = false;
  const evaluate: NodeEvaluator<null> = (layer, node, inputs, path, isOutput) => {
    if (isContainer(layer)) return walk(layer, inputs, evaluate, `${path}/`, isOutput);
    const support = layerSupport(layer);
    if (support.kind === 'unsupported') {
      if (!seen.has(layer)) unsupported.push({ name: layer.name, path, className: layer.getClassName(), reason: support.reason, suggestion: support.suggestion });
    } else if (support.kind === 'rule' && isTrainableRuleLayer(layer)) {
      sites.push({ layer, rule: LAYER_RULES[layer.getClassName()] as LayerRule, path, shape: node.outputTensors[0]?.shape ?? [] });
    }
    seen.add(layer);
    if (isOutput) finalSoftmax = endsWithSoftmax(layer);
    return node.outputTensors.map(() => null);
  };
  walk(model, model.inputs.map(() => null), evaluate, `${model.name}/`, true);
  return { sites, unsupported, finalSoftmax };
}

/** Options of one concrete forward pass. */
export interface RunOptions {
  /** Dropout and noise layers active. */
  readonly training: boolean;
  /** Added to the pre-activation output of each site, in order. */
  readonly probes?: readonly Tensor[];
  /** Called with each site's index and its input. */
  readonly record?: (site: number, input: Tensor) => void;
  /** Return the final softmax's input (logits) instead of probabilities. */
  readonly logits: boolean;
}

/** Runs the model on `x`; must be called inside a tidy (or a gradient function). */
export function runModel(model: ContainerLike, x: Tensor, options: RunOptions): Tensor {
  let site = 0;
  const evaluate: NodeEvaluator<Tensor> = (layer, node, inputs, path, isOutput) => {
    if (isContainer(layer)) return walk(layer, inputs, evaluate, `${path}/`, isOutput);
    const stripSoftmax = isOutput && options.logits;
    const rule = LAYER_RULES[layer.getClassName()];
    const trainable = isTrainableRuleLayer(layer);
    const softmaxToStrip = stripSoftmax && endsWithSoftmax(layer);
    if (rule !== undefined && (trainable || softmaxToStrip)) {
      const input = inputs[0] as Tensor;
      let z = rule.preActivation(layer, input);
      if (trainable) {
        if (options.probes !== undefined) z = add(z, options.probes[site] as Tensor);
        options.record?.(site, input);
        site++;
      }
      return [softmaxToStrip ? z : rule.activate(layer, z)];
    }
    // A Softmax or Activation('softmax') layer: its input is the logits.
    if (softmaxToStrip) return [inputs[0] as Tensor];
    const out = layer.apply(inputs.length === 1 ? (inputs[0] as Tensor) : inputs, { training: options.training });
    return Array.isArray(out) ? out : [out];
  };
  const outs = walk(model, [x], evaluate, `${model.name}/`, true);
  return outs[0] as Tensor;
}

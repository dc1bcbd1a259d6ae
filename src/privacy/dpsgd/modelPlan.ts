/**
 * A validated plan of a model for the per-example engine (internal), cached per model object.
 * Validation covers the whole model at once and throws one {@link UnsupportedLayerError}.
 */
import { invalid } from '../../core/validate.js';
import type { LayersModel } from '../../core/tf.js';
import { UnsupportedLayerError } from './errors.js';
import { planModel, type Site } from './graph.js';
import type { ContainerLike, WeightLike } from './types.js';
import { isContainer } from './types.js';

/** A layer with trainable weights: all its calls and the weights it produces gradients for. */
export interface LayerGroup {
  readonly path: string;
  /** Indices into the plan's sites (one per call of the layer). */
  readonly sites: readonly number[];
  readonly weights: readonly WeightLike[];
}

/** What the engine needs to know about a model. */
export interface ModelPlan {
  readonly model: ContainerLike;
  readonly sites: readonly Site[];
  readonly groups: readonly LayerGroup[];
  /** Every trainable weight, in the order of `model.trainableWeights`, with its group. */
  readonly weights: readonly { readonly weight: WeightLike; readonly group: number; readonly index: number }[];
  /** The model ends in a softmax, which the engine replaces by a log-softmax in the loss. */
  readonly finalSoftmax: boolean;
  /** Number of classes (the last dimension of the output). */
  readonly numClasses: number;
  /** Number of trainable scalars (sizes the clipping rule's rounding margin). */
  readonly weightCount: number;
}

const cache = new WeakMap<object, { key: string; plan: ModelPlan }>();

/**
 * The layer check every DP entry point shares (internal): a LayersModel whose every layer the
 * engine supports (no batch-mixing layer such as BatchNormalization, no unverifiable one), whatever
 * its output. Throws {@link UnsupportedLayerError} listing every offending layer.
 */
export function checkPrivateLayers(fn: string, model: LayersModel): void {
  if (typeof model !== 'object' || model === null || !isContainer(model as unknown as ContainerLike)) {
    invalid(fn, 'model', model, 'a tf.LayersModel (Sequential or functional)');
  }
  const { unsupported } = planModel(model as unknown as ContainerLike);
  if (unsupported.length > 0) throw new UnsupportedLayerError(fn, unsupported);
}

/** Plans (or returns the cached plan of) a model; throws on unsupported layers. */
export function modelPlan(fn: string, model: LayersModel): ModelPlan {
  if (typeof model !== 'object' || model === null || !isContainer(model as unknown as ContainerLike)) {
    invalid(fn, 'model', model, 'a tf.LayersModel (Sequential or functional)');
  }
  const container = model as unknown as ContainerLike;
  if (container.inputs.length !== 1 || container.outputs.length !== 1) {
    invalid(fn, 'model', `a model with ${container.inputs.length} inputs and ${container.outputs.length} outputs`, 'a model with one input and one output');
  }
  const key = container.trainableWeights.map((w) => w.name).join('|');
  const hit = cache.get(model);
  if (hit !== undefined && hit.key === key) return hit.plan;
  const { sites, unsupported, finalSoftmax } = planModel(container);
  if (unsupported.length > 0) throw new UnsupportedLayerError(fn, unsupported);
  const groups: LayerGroup[] = [];
  sites.forEach((site, i) => {
    const existing = groups.find((g) => sites[g.sites[0] as number]?.layer === site.layer);
    if (existing !== undefined) (existing.sites as number[]).push(i);
    else {
      const trainable = new Set(site.layer.trainableWeights);
      groups.push({ path: site.path, sites: [i], weights: site.rule.weights(site.layer).filter((w) => trainable.has(w)) });
    }
  });
  const weights = container.trainableWeights.map((weight) => {
    const group = groups.findIndex((g) => g.weights.includes(weight));
    if (group < 0) invalid(fn, 'model', `trainable weight ${weight.name}`, 'weights that belong to supported layers');
    return { weight, group, index: (groups[group] as LayerGroup).weights.indexOf(weight) };
  });
  const outShape = container.outputs[0]?.shape ?? [];
  const numClasses = outShape[outShape.length - 1];
  if (typeof numClasses !== 'number' || numClasses < 2 || outShape.length !== 2) {
    invalid(fn, 'model', `output shape [${outShape.join(', ')}]`, 'a classifier with output shape [batch, numClasses], numClasses >= 2');
  }
  const weightCount = weights.reduce((a, w) => a + w.weight.shape.reduce((x, y) => x * y, 1), 0);
  const plan: ModelPlan = { model: container, sites, groups, weights, finalSoftmax, numClasses, weightCount };
  cache.set(model, { key, plan });
  return plan;
}

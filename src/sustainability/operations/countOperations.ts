/** The public entry point of the operation counts: validation, the walk, the rules and the sums. */
import type { LayersModel } from '../../core/tf.js';
import { booleanValue, invalid, optionsObject, positiveInteger } from '../../core/validate.js';
import { COUNTING_CONVENTIONS } from './conventions.js';
import { UnsupportedLayerForCountingError, type UncountableLayer } from './errors.js';
import { isModel, layerCalls, type Layer, type LayerCall } from './layerCalls.js';
import { COUNT_RULES } from './rules/index.js';
import { elements, type CallShapes, type CountRule } from './rules/types.js';
import { weightNamed } from './rules/weighted.js';
import type { CountOperationsOptions, LayerCount, OperationCounts, OperationTotals } from './types.js';

const FN = 'countOperations';
/** tfjs stores every layer output as float32. */
const FLOAT32_BYTES = 4;

interface Planned { readonly call: LayerCall; readonly rule: CountRule; readonly shapes: CallShapes }

function known(shape: ReadonlyArray<number | null>): shape is readonly number[] {
  return shape.every((d) => typeof d === 'number');
}

/** Matches every call to its rule; collects every layer that has none (or unknown shapes). */
function plan(calls: readonly LayerCall[], unsupported: UncountableLayer[]): Planned[] {
  const planned: Planned[] = [];
  for (const call of calls) {
    const className = call.layer.getClassName();
    const rule = COUNT_RULES[className];
    const where = { name: call.layer.name, path: call.path, className };
    if (rule === undefined) unsupported.push({ ...where, reason: 'no counting rule for this layer class' });
    else if (!known(call.output) || !call.inputs.every(known)) {
      unsupported.push({ ...where, reason: `shapes with unknown dimensions (inputs ${JSON.stringify(call.inputs)}, output ${JSON.stringify(call.output)}); give the model fixed input shapes` });
    } else planned.push({ call, rule, shapes: { inputs: call.inputs as number[][], output: call.output } });
  }
  return planned;
}

/** Non-zero entries of a layer's weight, read once per weight (shared layers reuse it). */
async function nonZero(layer: Layer, suffix: string, cache: Map<number, number>): Promise<number> {
  const w = weightNamed(layer, suffix);
  if (w === undefined) throw new Error(`${FN}: layer ${layer.name} has no '${suffix}' weight`);
  const cached = cache.get(w.id);
  if (cached !== undefined) return cached;
  // read() returns the variable itself (no new tensor); data() copies its values off the device.
  const values = await w.read().data();
  let count = 0;
  for (let i = 0; i < values.length; i++) if (values[i] !== 0) count++;
  cache.set(w.id, count);
  return count;
}

function sum(rows: readonly LayerCount[], key: 'parameters' | 'trainableParameters' | 'macs' | 'flops' | 'lookups' | 'activationElements' | 'activationBytes'): number {
  return rows.reduce((s, r) => s + r[key], 0);
}

/**
 * Counts the operations, parameters and activation memory of a tfjs-layers model, per layer call
 * and in total, for one batch, without running it. MACs are the kernel products of Dense and
 * convolution layers (the "mult-adds" of the MobileNet paper, Howard et al. 2017); FLOPs are
 * 2 per MAC plus bias adds, batch normalization (2 per element), activations (1 per element),
 * pooling and merges; `conventions` in the report states every rule. With `sparse` (the default)
 * it reads the kernels to count the MACs whose kernel entry is non-zero: what a sparse kernel
 * could skip to after pruning, next to the dense count tfjs actually runs.
 *
 * Nested models (a Sequential inside a functional model) are expanded into their layers; a layer
 * called at several places is counted at each call, its parameters once. Input layers are not rows.
 * A Sequential whose input shape is known but whose graph tfjs has not built yet (it builds it
 * lazily, on the first predict, fit or summary) is built here the same way.
 *
 * @param model - A built Sequential or functional `LayersModel` with fixed input shapes.
 * @param options - `batchSize` (default 1) and `sparse` (default true).
 * @returns The report; it holds no tensors.
 * @throws InvalidArgumentError for a non-model, an unbuilt model, a bad batch size or `sparse` flag.
 * @throws UnsupportedLayerForCountingError naming every layer that has no counting rule (e.g. LSTM) or unknown shapes.
 * @example
 * ```ts
 * import * as tfl from '@tensorflow/tfjs-layers';
 * import { countOperations } from 'responsible-tfjs/sustainability';
 * const model = tfl.sequential({ layers: [
 *   tfl.layers.dense({ inputShape: [64], units: 64, activation: 'relu' }),
 *   tfl.layers.dense({ units: 10 }),
 * ] });
 * const counts = await countOperations(model, { batchSize: 32 });
 * // 32 × (64·64 + 64·10) = 151,552 MACs; FLOPs add 2 per MAC, biases (74) and ReLUs (64) per example
 * console.log(counts.total.macs, counts.total.flops, counts.total.parameters); // 151552 307520 4810
 * ```
 */
export async function countOperations(model: LayersModel, options?: CountOperationsOptions): Promise<OperationCounts> {
  const m = model as Partial<LayersModel> | null;
  if (typeof m !== 'object' || m === null || !Array.isArray(m.layers) || typeof m.getClassName !== 'function') {
    invalid(FN, 'model', model, 'a tf.LayersModel (Sequential or functional)');
  }
  // A Sequential builds its graph lazily (on predict, fit or summary); with known inputs, build it the same way.
  const lazy = model as LayersModel & { built: boolean; inputs: unknown[]; build?: () => void };
  if (model.getClassName() === 'Sequential' && !lazy.built && lazy.inputs.length > 0 && typeof lazy.build === 'function') lazy.build();
  if (!isModel(model) || model.containerNodes.size === 0) {
    invalid(FN, 'model', model, 'a built model', 'Give its first layer an inputShape (or build it) before counting');
  }
  const opts = optionsObject(FN, 'options', options);
  const batchSize = opts.batchSize === undefined ? 1 : positiveInteger(FN, 'options.batchSize', opts.batchSize);
  const sparse = opts.sparse === undefined ? true : booleanValue(FN, 'options.sparse', opts.sparse);

  const { calls, unsupported } = layerCalls(model);
  const planned = plan(calls, unsupported);
  if (unsupported.length > 0) throw new UnsupportedLayerForCountingError(FN, unsupported);

  const seen = new Set<Layer>();
  const cache = new Map<number, number>();
  const rows: LayerCount[] = [];
  for (const { call, rule, shapes } of planned) {
    const { layer } = call;
    const counts = rule(layer, shapes);
    const first = !seen.has(layer);
    seen.add(layer);
    let sparseMacs: number | null = null;
    if (sparse) {
      sparseMacs = 0;
      for (const s of counts.sparse) sparseMacs += (await nonZero(layer, s.weight, cache)) * s.positions * batchSize;
    }
    const outputElements = elements(shapes.output) * batchSize;
    rows.push({
      name: layer.name,
      path: call.path,
      className: layer.getClassName(),
      outputShape: [...shapes.output],
      parameters: first ? layer.countParams() : 0,
      trainableParameters: first ? layer.trainableWeights.reduce((s, w) => s + elements(w.shape as number[]), 0) : 0,
      macs: counts.macs * batchSize,
      sparseMacs,
      flops: (2 * counts.macs + counts.otherFlops) * batchSize,
      lookups: counts.lookups * batchSize,
      activationElements: outputElements,
      activationBytes: outputElements * FLOAT32_BYTES,
      ...(call.calls > 1 ? { note: `call ${call.call} of ${call.calls} of a shared layer${first ? '' : '; parameters counted at its first call'}` } : {}),
    });
  }
  const total: OperationTotals = {
    parameters: sum(rows, 'parameters'),
    trainableParameters: sum(rows, 'trainableParameters'),
    macs: sum(rows, 'macs'),
    sparseMacs: sparse ? rows.reduce((s, r) => s + (r.sparseMacs as number), 0) : null,
    flops: sum(rows, 'flops'),
    lookups: sum(rows, 'lookups'),
    activationElements: sum(rows, 'activationElements'),
    activationBytes: sum(rows, 'activationBytes'),
  };
  return { batchSize, layers: rows, total, conventions: COUNTING_CONVENTIONS };
}

import { assertBackend } from '../../core/backend.js';
import { tensor, type LayersModel, type Tensor } from '../../core/tf.js';
import { booleanValue, finiteArray, invalid, oneOf, optionsObject } from '../../core/validate.js';
import { CHANNEL_LAST_CLASSES, isLayersModel, modelWeights, selectLayers, type WeightRef } from '../internal/layers.js';
import { checkSparsity } from './counts.js';
import { computeMasks, type MaskSpec, type PruneTarget } from './masks.js';
import type { PruneOptions, PrunedTensorReport, PruningMask, PruningReport } from './types.js';

/**
 * Result of {@link pruneByMagnitude} on a model (its weights were zeroed in place).
 */
export interface ModelPruneResult {
  /** One mask per pruned weight. */
  readonly masks: readonly PruningMask[];
  /** Zeros per tensor and in total. */
  readonly report: PruningReport;
}

/**
 * Result of {@link pruneByMagnitude} on a list of tensors.
 */
export interface WeightsPruneResult extends ModelPruneResult {
  /** Pruned copies of the input tensors, in order; the caller owns (and disposes) them. */
  readonly weights: readonly Tensor[];
}

/** Validated {@link PruneOptions}. */
export function resolvePruneOptions(fn: string, options: PruneOptions): MaskSpec & { includeBias: boolean; layers: readonly string[] | undefined } {
  const opts = optionsObject(fn, 'options', options);
  const sparsity = checkSparsity(fn, 'options.sparsity', opts.sparsity);
  const scope = oneOf(fn, 'options.scope', opts.scope ?? 'layer', ['global', 'layer'] as const);
  const structured = booleanValue(fn, 'options.structured', opts.structured ?? false);
  const norm = oneOf(fn, 'options.norm', opts.norm ?? 'l1', ['l1', 'l2'] as const);
  const rule = oneOf(fn, 'options.rule', opts.rule ?? 'torch', ['torch', 'tfmot'] as const);
  const includeBias = booleanValue(fn, 'options.includeBias', opts.includeBias ?? false);
  if (structured && scope === 'global') {
    invalid(fn, 'options.scope', scope, "'layer' when structured is true", 'Channel norms of different layers are not comparable');
  }
  return { sparsity, scope, structured, norm, rule, includeBias, layers: opts.layers };
}

/**
 * Magnitude pruning of a `tf.LayersModel`'s kernels or of a list of tensors.
 *
 * Unstructured pruning removes exactly `round(sparsity * n)` weights of smallest |w| (Python's
 * round, half to even), per layer or over all kernels at once (`scope: 'global'`), as
 * `torch.nn.utils.prune.l1_unstructured` / `global_unstructured` do. **Ties:** where several
 * weights share the threshold magnitude, the ones with the lowest index are pruned first, index
 * meaning row-major position in tfjs layout, kernels concatenated in layer order (torch leaves
 * this order to `topk`). With `rule: 'tfmot'` every weight tied with the k-th largest is kept
 * instead, as TensorFlow Model Optimization does. Structured pruning removes whole Dense units or
 * Conv filters by L1/L2 norm. Biases are left alone unless `includeBias` is set.
 *
 * @param target - A model (its kernels are overwritten in place) or a list of float32 tensors
 *   (left untouched; pruned copies are returned).
 * @param options - Sparsity, scope, structured, norm, includeBias, rule, layers.
 * @returns Masks and a report; for a tensor list also the pruned copies, which the caller owns.
 * @throws {@link InvalidArgumentError} for a sparsity outside [0, 1), non-finite weights, unknown
 *   layer names or inconsistent options.
 * @example
 * ```ts
 * import { pruneByMagnitude } from 'responsible-tfjs/compression';
 * const { report } = await pruneByMagnitude(model, { sparsity: 0.8, scope: 'global' });
 * console.log(report.tensors.map((t) => `${t.name}: ${(100 * t.sparsity).toFixed(1)} %`));
 * ```
 */
export async function pruneByMagnitude(target: LayersModel, options: PruneOptions): Promise<ModelPruneResult>;
export async function pruneByMagnitude(target: readonly Tensor[], options: PruneOptions): Promise<WeightsPruneResult>;
export async function pruneByMagnitude(
  target: LayersModel | readonly Tensor[],
  options: PruneOptions,
): Promise<ModelPruneResult | WeightsPruneResult> {
  const fn = 'pruneByMagnitude';
  assertBackend(fn);
  const spec = resolvePruneOptions(fn, options);
  if (Array.isArray(target)) return pruneTensors(fn, target as readonly Tensor[], spec);
  if (!isLayersModel(target)) invalid(fn, 'target', target, 'a tf.LayersModel or an array of float32 tensors');
  const model = target as LayersModel;
  const { refs, skipped } = pruneTargetsOfModel(fn, model, spec, spec.layers);
  const targets = await readTargets(fn, refs);
  const masks = computeMasks(targets, spec);
  refs.forEach((ref, i) => {
    const t = tensor(zeroOut(targets[i]!.values, masks[i]!), [...targets[i]!.shape], 'float32');
    ref.variable.write(t);
    t.dispose();
  });
  return { masks: toMasks(targets, masks), report: pruningReport(targets, masks, skipped) };
}

/** The model weights a pruning pass touches (kernels, plus biases when asked) and the ones it skips. */
export function pruneTargetsOfModel(fn: string, model: LayersModel, spec: MaskSpec & { includeBias: boolean }, layers?: readonly string[]): {
  refs: WeightRef[]; skipped: { name: string; reason: string }[];
} {
  const all = selectLayers(fn, modelWeights(fn, model), layers, model);
  const skipped: { name: string; reason: string }[] = [];
  const refs = all.filter((w) => {
    if (w.role === 'other') return false;
    if (spec.structured && !CHANNEL_LAST_CLASSES.includes(w.className)) {
      if (w.role === 'kernel') skipped.push({ name: w.name, reason: `structured pruning supports ${CHANNEL_LAST_CLASSES.join(', ')}, not ${w.className}` });
      return false;
    }
    return w.role === 'kernel' || spec.includeBias;
  });
  if (!spec.includeBias) {
    for (const w of all) if (w.role === 'bias') skipped.push({ name: w.name, reason: 'bias (includeBias is false)' });
  }
  return { refs, skipped };
}

/** Reads the weights' values and checks they are finite. */
export async function readTargets(fn: string, refs: readonly WeightRef[]): Promise<PruneTarget[]> {
  const data = await Promise.all(refs.map((r) => r.variable.read().data() as Promise<Float32Array>));
  return refs.map((r, i) => {
    finiteArray(fn, `weights of ${r.name}`, data[i]!);
    const kernelIndex = r.role === 'bias' ? refs.findIndex((k) => k.role === 'kernel' && k.layer === r.layer) : undefined;
    return { name: r.name, shape: [...r.variable.shape] as number[], values: Float32Array.from(data[i]!), role: r.role as 'kernel' | 'bias', ...(kernelIndex !== undefined ? { kernelIndex } : {}) };
  });
}

async function pruneTensors(fn: string, weights: readonly Tensor[], spec: MaskSpec): Promise<WeightsPruneResult> {
  weights.forEach((w, i) => {
    if (typeof w !== 'object' || w === null || (w as Tensor).dtype !== 'float32') invalid(fn, `target[${i}]`, w, 'a float32 tensor');
  });
  const data = await Promise.all(weights.map((w) => w.data() as Promise<Float32Array>));
  const targets: PruneTarget[] = weights.map((w, i) => {
    finiteArray(fn, `target[${i}]`, data[i]!);
    return { name: `weights[${i}]`, shape: [...w.shape], values: data[i]!, role: 'kernel' };
  });
  const masks = computeMasks(targets, spec);
  const pruned = targets.map((t, i) => tensor(zeroOut(t.values, masks[i]!), [...t.shape], 'float32'));
  return { masks: toMasks(targets, masks), weights: pruned, report: pruningReport(targets, masks, []) };
}

/** values * mask as a new array. */
export function zeroOut(values: Float32Array, mask: Uint8Array): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = mask[i] === 1 ? (values[i] as number) : 0;
  return out;
}

/** Masks as public plain data. */
export function toMasks(targets: readonly PruneTarget[], masks: readonly Uint8Array[]): PruningMask[] {
  return targets.map((t, i) => ({ name: t.name, shape: [...t.shape], kept: masks[i]! }));
}

/** Zeros after masking, per tensor and in total. */
export function pruningReport(targets: readonly PruneTarget[], masks: readonly Uint8Array[], skipped: { name: string; reason: string }[]): PruningReport {
  const tensors: PrunedTensorReport[] = targets.map((t, i) => {
    const m = masks[i]!;
    let zeros = 0;
    for (let j = 0; j < m.length; j++) if (m[j] === 0 || t.values[j] === 0) zeros++;
    return { name: t.name, size: m.length, zeros, sparsity: m.length === 0 ? 0 : zeros / m.length };
  });
  const size = tensors.reduce((s, t) => s + t.size, 0);
  const zeros = tensors.reduce((s, t) => s + t.zeros, 0);
  return { tensors, size, zeros, sparsity: size === 0 ? 0 : zeros / size, skipped };
}

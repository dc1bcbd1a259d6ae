import { assertBackend } from '../../core/backend.js';
import { mul, tensor, tidy, type LayersModel, type Tensor } from '../../core/tf.js';
import { invalid, oneOf, optionsObject } from '../../core/validate.js';
import { modelWeights, selectLayers, isLayersModel, type WeightRef } from '../internal/layers.js';
import type { PruningCountRule } from './counts.js';
import { computeMasks } from './masks.js';
import { readTargets, toMasks } from './pruneByMagnitude.js';
import type { PruningSchedule } from './schedules.js';
import type { PruningMask } from './types.js';

/**
 * Options of {@link pruningCallback}.
 */
export interface PruningCallbackOptions {
  /** When and how much to prune ({@link constantSparsity}, {@link polynomialDecay}). */
  readonly schedule: PruningSchedule;
  /** `'layer'` (default, as tfmot) or `'global'` (one threshold over all kernels). */
  readonly scope?: 'global' | 'layer';
  /** Count rule: `'tfmot'` (default: ties at the threshold kept) or `'torch'` (exact counts). */
  readonly rule?: PruningCountRule;
  /** Prune only these layers (by name); all kernels by default. */
  readonly layers?: readonly string[];
}

/**
 * Pruning during training: pass it to `model.fit` (`callbacks: [controller]`) or call its hooks
 * around each step of a custom loop. Holds the masks as tensors until {@link PruningController.dispose}.
 *
 * @example
 * ```ts
 * const pruning = pruningCallback(model, { schedule });
 * for (const batch of batches) {
 *   await pruning.onBatchBegin();
 *   optimizer.minimize(() => loss(model, batch));
 *   await pruning.onBatchEnd();
 * }
 * pruning.dispose();
 * ```
 */
export interface PruningController {
  /** Starts the step count at 0 the first time (later calls keep counting, as tfmot's callback). */
  onTrainBegin(): Promise<void>;
  /**
   * Advances the step, updates the masks when the schedule says so, then multiplies the kernels by
   * their masks (tfmot's order: the first batch sees step 1).
   */
  onBatchBegin(): Promise<void>;
  /** Multiplies the kernels by their masks again, so pruned weights stay zero after the optimizer update. */
  onBatchEnd(): Promise<void>;
  /** The training step last seen (-1 before training starts). */
  readonly step: number;
  /** Sparsity of the most recent mask update (0 before the first). */
  readonly sparsity: number;
  /** Current masks (all ones before the first update). */
  masks(): PruningMask[];
  /** Releases the mask tensors. */
  dispose(): void;
}

/**
 * Creates a pruning controller for a `tf.LayersModel`: a tfjs-layers custom callback (its hooks are
 * closures, so `model.fit(x, y, { callbacks: [controller] })` works) and a step hook for custom
 * loops. Semantics follow tfmot's `UpdatePruningStep` + `PruneLowMagnitude`: the step starts at 0
 * on the first `onTrainBegin` and is incremented before each batch; when
 * `schedule.shouldPrune(step)` the masks are recomputed from the current kernel magnitudes (per layer
 * with tfmot's count rule by default) at `schedule.sparsityAt(step)`. Kernels are multiplied by
 * their masks before each batch and, going beyond tfmot, after it, so pruned weights read as zero
 * at all times between steps.
 *
 * @param model - The model being trained; its kernels are overwritten in place.
 * @param options - Schedule, scope, count rule, layers.
 * @returns A controller; call `dispose()` when training is over.
 * @throws {@link InvalidArgumentError} for a missing schedule or a bad option.
 * @example
 * ```ts
 * import { pruningCallback, polynomialDecay } from 'responsible-tfjs/compression';
 * const schedule = polynomialDecay({ initialSparsity: 0, finalSparsity: 0.8, beginStep: 0, endStep: 420, frequency: 21 });
 * const pruning = pruningCallback(model, { schedule });
 * await model.fit(x, y, { epochs: 20, batchSize: 64, callbacks: [pruning] });
 * pruning.dispose();
 * ```
 */
export function pruningCallback(model: LayersModel, options: PruningCallbackOptions): PruningController {
  const fn = 'pruningCallback';
  assertBackend(fn);
  if (!isLayersModel(model)) invalid(fn, 'model', model, 'a tf.LayersModel');
  const opts = optionsObject(fn, 'options', options);
  const schedule = opts.schedule;
  if (typeof schedule !== 'object' || schedule === null || typeof schedule.sparsityAt !== 'function' || typeof schedule.shouldPrune !== 'function') {
    invalid(fn, 'options.schedule', schedule, 'a PruningSchedule (constantSparsity or polynomialDecay)');
  }
  const scope = oneOf(fn, 'options.scope', opts.scope ?? 'layer', ['global', 'layer'] as const);
  const rule = oneOf(fn, 'options.rule', opts.rule ?? 'tfmot', ['torch', 'tfmot'] as const);
  if (firstPruningStep(schedule) === undefined) {
    invalid(
      fn, 'options.schedule', `beginStep ${schedule.beginStep}, endStep ${schedule.endStep}, frequency ${schedule.frequency}`,
      'a schedule that updates the masks at some training step >= 1',
      'The first batch is step 1, so a schedule whose only pruning step is 0 would never prune (and fine-tuning would silently refill the weights); use beginStep >= 1 or a later endStep',
    );
  }
  const refs: WeightRef[] = selectLayers(fn, modelWeights(fn, model), opts.layers, model).filter((w) => w.role === 'kernel');

  let step = -1;
  let sparsity = 0;
  let current: PruningMask[] = refs.map((r) => {
    const shape = [...r.variable.shape] as number[];
    return { name: r.name, shape, kept: new Uint8Array(shape.reduce((a, b) => a * b, 1)).fill(1) };
  });
  let maskTensors: Tensor[] | null = null;

  const apply = (): void => {
    if (maskTensors === null) return;
    refs.forEach((r, i) => {
      const v = tidy(() => mul(r.variable.read(), maskTensors![i]!));
      r.variable.write(v);
      v.dispose();
    });
  };
  const update = async (s: number): Promise<void> => {
    const targets = await readTargets(fn, refs);
    const masks = computeMasks(targets, { sparsity: s, scope, structured: false, norm: 'l1', rule });
    current = toMasks(targets, masks);
    const next = current.map((m) => tensor(Float32Array.from(m.kept), [...m.shape], 'float32'));
    if (maskTensors !== null) for (const t of maskTensors) t.dispose();
    maskTensors = next;
    sparsity = s;
  };

  return {
    onTrainBegin: async () => {
      if (step < 0) step = 0;
    },
    onBatchBegin: async () => {
      if (step < 0) step = 0;
      step += 1;
      if (schedule.shouldPrune(step)) await update(schedule.sparsityAt(step));
      apply();
    },
    onBatchEnd: async () => {
      apply();
    },
    get step() {
      return step;
    },
    get sparsity() {
      return sparsity;
    },
    masks: () => current.map((m) => ({ ...m, kept: m.kept.slice() })),
    dispose: () => {
      if (maskTensors !== null) for (const t of maskTensors) t.dispose();
      maskTensors = null;
    },
  };
}

/**
 * The first step >= 1 (the first batch's) at which `schedule` updates the masks, or undefined when
 * there is none. A schedule without integer step fields (a custom one) is taken as reachable.
 */
function firstPruningStep(schedule: PruningSchedule): number | undefined {
  const { beginStep, endStep, frequency } = schedule;
  if (!Number.isInteger(beginStep) || !Number.isInteger(endStep) || !Number.isInteger(frequency) || frequency < 1) return 1;
  const first = beginStep >= 1 ? beginStep : beginStep + frequency * Math.ceil((1 - beginStep) / frequency);
  return endStep < 0 || first <= endStep ? first : undefined;
}

import { assertBackend } from '../../core/backend.js';
import { isTensor, type LabelsLike } from '../../core/labels.js';
import type { ModelLike } from '../../core/model.js';
import { resolveRng, shuffledIndices, statisticalRng, type Rng } from '../../core/rng.js';
import { tensorArgument } from '../../core/tensorArgument.js';
import { gather, tensor1d, tidy, type LayersModel, type Tensor } from '../../core/tf.js';
import { invalid, numberInRange, oneOf, optionsObject, positiveInteger } from '../../core/validate.js';
import { checkInputs } from './inputs.js';

/** What a {@link ShadowTrainer} receives besides its data. */
export interface ShadowTrainerContext {
  /** Which shadow model this is, 0-based. */
  readonly index: number;
  /** The rng given to {@link trainShadowModels}: draw initial weights and shuffles from it for reproducible shadows. */
  readonly rng: Rng;
}

/**
 * Trains one shadow model on a subset, the same way the target model was trained (same
 * architecture, optimiser, epochs): LiRA's Gaussians are only as good as this imitation.
 * `x` and `y` are disposed (tensors) after the returned promise settles: clone them to keep them.
 */
export type ShadowTrainer = (x: Tensor, y: LabelsLike, context: ShadowTrainerContext) => Promise<ModelLike>;

/** Options of {@link trainShadowModels}. */
export interface TrainShadowModelsOptions {
  /** Number of shadow models (an integer >= 1). Carlini et al. use 16 to 256; online LiRA with per-example variances needs dozens. */
  readonly count: number;
  /** Draws the subsets, and is handed to the trainer. Default `Math.random`. */
  readonly rng?: Rng;
  /** Probability that a row is in a shadow's training subset, in (0, 1). Default 0.5 (the paper's choice). */
  readonly inclusionProbability?: number;
  /**
   * `'balanced'` (default, as in the LiRA authors' code): each row is in exactly
   * `round(inclusionProbability * count)` shadows (at least 1 and at most `count - 1`), chosen at
   * random, so every row has IN and OUT observations. `'independent'`: each row joins each shadow
   * independently with the probability, and with few shadows some rows end up on one side only.
   * With `count` 1 both draw independently.
   */
  readonly design?: 'balanced' | 'independent';
}

/** Result of {@link trainShadowModels}. */
export interface ShadowModels {
  /** The trained shadow models. The caller owns them: dispose each `LayersModel` (`model.dispose()`) when done. */
  readonly models: ModelLike[];
  /** `included[k][i]` is 1 when row `i` was in shadow `k`'s training subset, else 0. */
  readonly included: Uint8Array[];
}

/**
 * Trains shadow models for LiRA (Carlini et al. 2022, "Membership Inference Attacks From First
 * Principles"): each on a random subset of `(x, y)`, recording which rows it held. By default the
 * subsets are balanced: every row is IN exactly `round(inclusionProbability * count)` shadows and
 * OUT of the others, which is what {@link liraScores} needs (see `options.design`). All subsets are drawn from
 * `rng` before the first model is trained, so a deterministic trainer fed from the same seeded
 * rng reproduces the shadows. Models are trained one after the other. If the trainer fails, the
 * `LayersModel`s trained so far are disposed and the error is rethrown.
 *
 * @param trainer - Trains one model on a subset ({@link ShadowTrainer}).
 * @param x - The attacker's data pool `[N, ...]` (it should contain the examples to be attacked).
 * @param y - Its labels (class indices or one-hot rows; a subset is passed on in the same form).
 * @param options - {@link TrainShadowModelsOptions}; `count` is required.
 * @returns The models and their inclusion masks; the caller owns the models.
 * @example
 * ```ts
 * import { liraScores, seededRng, trainShadowModels } from 'responsible-tfjs/audit';
 * const shadows = await trainShadowModels(async (xs, ys, { rng }) => {
 *   const m = buildModel(rng);          // same architecture as the target, seeded from rng
 *   await m.fit(xs, tf.oneHot(ys as tf.Tensor1D, 10), { epochs: 20, verbose: 0 });
 *   return m;
 * }, xPool, yPool, { count: 16, rng: seededRng('shadows') });
 * const { scores } = await liraScores(target, xPool, yPool, { shadows, mode: 'online' });
 * shadows.models.forEach((m) => (m as tf.LayersModel).dispose());
 * ```
 */
export async function trainShadowModels(trainer: ShadowTrainer, x: Tensor, y: LabelsLike, options: TrainShadowModelsOptions): Promise<ShadowModels> {
  const fn = 'trainShadowModels';
  assertBackend(fn);
  if (typeof trainer !== 'function') invalid(fn, 'trainer', trainer, 'a function (x, y, { index, rng }) => Promise<model>');
  const o = optionsObject(fn, 'options', options);
  const count = positiveInteger(fn, 'options.count', o.count);
  const p = numberInRange(fn, 'options.inclusionProbability', o.inclusionProbability ?? 0.5, { min: 0, max: 1, minInclusive: false, maxInclusive: false });
  const rng = resolveRng(fn, o.rng, statisticalRng);
  checkInputs(fn, x);
  const n = x.shape[0] as number;
  checkLabelCount(fn, y, n);
  const design = oneOf(fn, 'options.design', o.design ?? 'balanced', ['balanced', 'independent'] as const);
  const included = Array.from({ length: count }, () => new Uint8Array(n));
  if (design === 'balanced' && count >= 2) {
    const inCount = Math.min(count - 1, Math.max(1, Math.round(p * count)));
    for (let i = 0; i < n; i++) {
      for (const k of shuffledIndices(count, rng).subarray(0, inCount)) included[k]![i] = 1;
    }
  } else {
    for (const mask of included) for (let i = 0; i < n; i++) mask[i] = rng.next() < p ? 1 : 0;
  }
  const models: ModelLike[] = [];
  try {
    for (let k = 0; k < count; k++) {
      const rows = indicesOf(included[k]!);
      const xs = tidy(() => gather(x, tensor1d(rows, 'int32')));
      const ys = subsetLabels(y, rows);
      try {
        const model = await trainer(xs, ys, { index: k, rng });
        if (!isModelLike(model)) invalid(fn, 'trainer', describeResult(model), `a trainer resolving to a model (shadow ${k} got something else)`);
        models.push(model);
      } finally {
        xs.dispose();
        if (isTensor(ys)) ys.dispose();
      }
    }
  } catch (e) {
    for (const m of models) if (typeof m !== 'function') (m as LayersModel).dispose();
    throw e;
  }
  return { models, included };
}

function checkLabelCount(fn: string, y: LabelsLike, n: number): void {
  if (isTensor(y)) {
    tensorArgument(fn, 'y', y, 'class indices or one-hot rows');
    if (y.rank < 1 || y.rank > 2 || y.shape[0] !== n) invalid(fn, 'y', y, `${n} labels (one per row of x): class indices or one-hot rows`);
  } else if (Array.isArray(y) || ArrayBuffer.isView(y)) {
    if ((y as ArrayLike<number>).length !== n) invalid(fn, 'y', `length ${(y as ArrayLike<number>).length}`, `${n} labels (one per row of x)`);
  } else {
    invalid(fn, 'y', y, 'class indices (array or tensor) or one-hot rows (2-D tensor)');
  }
}

function indicesOf(mask: Uint8Array): Int32Array {
  const rows: number[] = [];
  mask.forEach((m, i) => { if (m === 1) rows.push(i); });
  return Int32Array.from(rows);
}

/** The labels of `rows`, in the form they were given (a new tensor the caller disposes, or an array). */
function subsetLabels(y: LabelsLike, rows: Int32Array): LabelsLike {
  if (isTensor(y)) return tidy(() => gather(y, tensor1d(rows, 'int32')));
  if (Array.isArray(y)) return Array.from(rows, (i) => y[i] as number);
  const typed = y as Int32Array | Float32Array | Uint8Array;
  const out = new (typed.constructor as Int32ArrayConstructor)(rows.length);
  rows.forEach((i, j) => { out[j] = typed[i] as number; });
  return out;
}

function isModelLike(m: unknown): m is ModelLike {
  return typeof m === 'function' || (typeof m === 'object' && m !== null && typeof (m as LayersModel).apply === 'function');
}

function describeResult(m: unknown): unknown {
  return m === null || typeof m !== 'object' ? m : Object.prototype.toString.call(m);
}

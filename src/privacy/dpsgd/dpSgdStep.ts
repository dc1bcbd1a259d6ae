import { assertBackend } from '../../core/backend.js';
import type { LabelsLike } from '../../core/labels.js';
import { resolveRng, secureRng, type Rng } from '../../core/rng.js';
import { dispose, type LayersModel, type Optimizer, type Tensor, type Tensor2D } from '../../core/tf.js';
import { invalid, nonNegativeNumber, oneOf, optionsObject, positiveNumber } from '../../core/validate.js';
import { capture } from './capture.js';
import type { ClippingMode } from './clipping.js';
import { checkFinite, checkInputs, checkLabels } from './inputs.js';
import { modelPlan, type ModelPlan } from './modelPlan.js';
import { privateGradients, type AggregatedGradients, type PrivateSettings } from './privateGradients.js';

/**
 * Options of {@link dpSgdStep}.
 */
export interface DpSgdStepOptions {
  /** Any tfjs optimizer; the step calls its `applyGradients`. */
  readonly optimizer: Optimizer;
  /** Clipping bound C on each example's gradient norm, > 0. */
  readonly maxGradNorm: number;
  /** Noise standard deviation over C, >= 0 (0 turns noise off: not private). */
  readonly noiseMultiplier: number;
  /** The divisor, `sampleRate * N` under Poisson sampling (not the realised batch size). */
  readonly expectedBatchSize: number;
  /** `'flat'` (default) or `'perLayer'`. */
  readonly clipping?: ClippingMode;
  /** Source of the noise (default {@link secureRng}; a seeded rng is for testing only). */
  readonly rng?: Rng;
  /** Run dropout and noise layers in training mode (default true). */
  readonly training?: boolean;
}

/**
 * What one DP-SGD step saw. Every field is computed from the private batch and is **not**
 * protected by the noise: use them to debug, not to publish.
 */
export interface DpSgdStepResult {
  /** Realised batch size (Poisson batches vary; 0 is possible). */
  readonly batchSize: number;
  /** Mean loss over the batch before the update (NaN for an empty batch). */
  readonly loss: number;
  /** Training-mode accuracy on the batch before the update (NaN for an empty batch). */
  readonly accuracy: number;
  /** Fraction of examples whose gradient was clipped (NaN for an empty batch). */
  readonly clippedFraction: number;
  /** Examples whose gradient was scaled down to `maxGradNorm`. */
  readonly clippedCount: number;
  /**
   * Examples whose gradient norm was NaN or overflowed float32 (e.g. an input of 1e19): they
   * contributed exactly zero to the update, on every backend.
   */
  readonly zeroedCount: number;
}

/**
 * One DP-SGD step (Abadi et al. 2016) on a batch: per-example gradients (vectorised, with ghost
 * norms where cheaper), clipping to `maxGradNorm`, sum, Gaussian noise of standard deviation
 * `noiseMultiplier * maxGradNorm` (from a secure source by default), division by the expected
 * batch size, then `optimizer.applyGradients`. An empty batch (possible under Poisson sampling)
 * applies noise only, as the analysis requires. The caller accounts for the step.
 *
 * @param model - A supported `LayersModel` (see {@link checkModelSupport}).
 * @param x - The batch's inputs `[batch, ...]` (batch may be 0).
 * @param y - Class indices or one-hot rows.
 * @param options - {@link DpSgdStepOptions}.
 * @returns Statistics of the batch; the model's weights are updated in place.
 * @example
 * ```ts
 * import { dpSgdStep } from 'responsible-tfjs/privacy';
 * const r = await dpSgdStep(model, xb, yb, { optimizer, maxGradNorm: 1, noiseMultiplier: 1.1, expectedBatchSize: 64 });
 * ```
 */
export async function dpSgdStep(model: LayersModel, x: Tensor, y: LabelsLike, options: DpSgdStepOptions): Promise<DpSgdStepResult> {
  const fn = 'dpSgdStep';
  assertBackend(fn);
  const o = optionsObject(fn, 'options', options);
  const plan = modelPlan(fn, model);
  checkInputs(fn, plan, x);
  const settings = stepSettings(fn, o);
  const optimizer = checkOptimizer(fn, o.optimizer);
  await checkFinite(fn, x);
  const labels = checkLabels(fn, plan, y, x.shape[0] as number);
  try {
    return await runPrivateStep(plan, x, labels, settings, optimizer, o.training ?? true);
  } finally {
    dispose(labels);
  }
}

/** Validated private settings from step options. */
export function stepSettings(fn: string, o: { maxGradNorm: number; noiseMultiplier: number; expectedBatchSize: number; clipping?: ClippingMode; rng?: Rng }): PrivateSettings {
  return {
    maxGradNorm: positiveNumber(fn, 'options.maxGradNorm', o.maxGradNorm),
    noiseMultiplier: nonNegativeNumber(fn, 'options.noiseMultiplier', o.noiseMultiplier),
    expectedBatchSize: positiveNumber(fn, 'options.expectedBatchSize', o.expectedBatchSize),
    clipping: oneOf(fn, 'options.clipping', o.clipping ?? 'flat', ['flat', 'perLayer'] as const),
    rng: resolveRng(fn, o.rng, secureRng),
  };
}

/** Checks that `optimizer` looks like a tfjs optimizer. */
export function checkOptimizer(fn: string, optimizer: unknown): Optimizer {
  if (typeof optimizer !== 'object' || optimizer === null || typeof (optimizer as Optimizer).applyGradients !== 'function') {
    invalid(fn, 'options.optimizer', optimizer, 'a tf.Optimizer (e.g. tf.train.sgd(0.1))');
  }
  return optimizer as Optimizer;
}

/** The step on validated inputs (labels one-hot); shared with the training loop. */
export async function runPrivateStep(
  plan: ModelPlan, x: Tensor, labels: Tensor2D, settings: PrivateSettings, optimizer: Optimizer, training: boolean,
): Promise<DpSgdStepResult & { lossSum: number; correctCount: number }> {
  const batch = x.shape[0] as number;
  const { gradients, clippedCount, zeroedCount, lossSum, correctCount } = await privateBatchGradients(plan, x, labels, settings, training);
  applyGradients(plan, optimizer, gradients);
  return {
    batchSize: batch,
    loss: batch === 0 ? Number.NaN : lossSum / batch,
    accuracy: batch === 0 ? Number.NaN : correctCount / batch,
    clippedFraction: batch === 0 ? Number.NaN : clippedCount / batch,
    clippedCount,
    zeroedCount,
    lossSum,
    correctCount,
  };
}

/**
 * The noisy clipped gradients of one batch through the vectorised engine, not applied (internal:
 * the one private aggregation that every DP entry point uses). `labels` are one-hot.
 */
export async function privateBatchGradients(
  plan: ModelPlan, x: Tensor, labels: Tensor2D, settings: PrivateSettings, training: boolean,
): Promise<AggregatedGradients & { lossSum: number; correctCount: number }> {
  const cap = (x.shape[0] as number) === 0 ? undefined : capture(plan, x, labels, training);
  try {
    const aggregated = await privateGradients(plan, cap, settings);
    const [lossSum, correctCount] = await readStats(cap);
    return { ...aggregated, lossSum, correctCount };
  } finally {
    cap?.dispose();
  }
}

/** Applies gradients (in the plan's weight order) and disposes them. */
export function applyGradients(plan: ModelPlan, optimizer: Optimizer, gradients: Tensor[]): void {
  try {
    optimizer.applyGradients(plan.weights.map((w, i) => ({ name: w.weight.read().name, tensor: gradients[i]! })));
  } finally {
    dispose(gradients);
  }
}

async function readStats(cap: { losses: Tensor; correct: Tensor } | undefined): Promise<[number, number]> {
  if (cap === undefined) return [0, 0];
  const [l, c] = await Promise.all([cap.losses.data(), cap.correct.data()]);
  let lossSum = 0;
  let correct = 0;
  for (let i = 0; i < l.length; i++) lossSum += l[i] as number;
  for (let i = 0; i < c.length; i++) correct += c[i] as number;
  return [lossSum, correct];
}

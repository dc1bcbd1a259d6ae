import { createAccountant, getNoiseMultiplier, type AccountantKind, type PrivacyAccountant } from '../accounting/index.js';
import { PrivacyBudgetExceededError } from '../errors.js';
import type { LabelsLike } from '../../core/labels.js';
import { resolveRng, secureRng, type Rng } from '../../core/rng.js';
import { dispose, gather, tensor1d, tidy, type LayersModel, type Optimizer, type Tensor, type Tensor2D } from '../../core/tf.js';
import { invalid, numberInRange, oneOf, optionsObject, positiveNumber } from '../../core/validate.js';
import { affordableSteps } from './budget.js';
import { callbackList, fire, type TrainingCallbacks } from './callbacks.js';
import type { ClippingMode } from './clipping.js';
import { checkOptimizer, runPrivateStep, stepSettings } from './dpSgdStep.js';
import { checkFinite, checkLabels, checkTrainingSetup } from './inputs.js';
import { poissonBatches } from './poissonBatches.js';

/**
 * Options of {@link fitPrivately}. Give `targetEpsilon` (the noise is calibrated to it) or
 * `noiseMultiplier` (then `targetEpsilon`, if also given, is a budget that stops training).
 *
 * @example
 * ```ts
 * import type { FitPrivatelyOptions } from 'responsible-tfjs/privacy';
 * const o: FitPrivatelyOptions = {
 *   epochs: 10, batchSize: 64, maxGradNorm: 1, targetEpsilon: 3, delta: 1e-5, optimizer: tf.train.adam(1e-3),
 * };
 * ```
 */
export interface FitPrivatelyOptions {
  /** Number of epochs, an integer >= 1; an epoch is `round(N / batchSize)` steps. */
  readonly epochs: number;
  /** Expected batch size; each example joins each batch with probability `batchSize / N`. */
  readonly batchSize: number;
  /** Clipping bound C on each example's gradient norm, > 0. */
  readonly maxGradNorm: number;
  /** Noise standard deviation over C, > 0; computed from `targetEpsilon` when omitted. */
  readonly noiseMultiplier?: number;
  /** The epsilon not to exceed at `delta`. */
  readonly targetEpsilon?: number;
  /** The delta of the guarantee, in (0, 1); usually below 1/N. */
  readonly delta: number;
  /** `'rdp'` (default), `'pld'`, or an accountant instance (its history is kept and extended). */
  readonly accountant?: AccountantKind | PrivacyAccountant;
  /** Any tfjs optimizer. */
  readonly optimizer: Optimizer;
  /** `'flat'` (default) or `'perLayer'` clipping. */
  readonly clipping?: ClippingMode;
  /** tfjs-style callbacks, one object or a list. */
  readonly callbacks?: TrainingCallbacks | readonly TrainingCallbacks[];
  /** Source of the noise and of the batch sampling (default {@link secureRng}; seeded: for testing only). */
  readonly rng?: Rng;
  /** When the budget would be exceeded: stop and report (`'stop'`, default) or throw the error. */
  readonly onBudgetExceeded?: 'stop' | 'throw';
}

/**
 * Per-epoch history of {@link fitPrivately}.
 *
 * @example
 * ```ts
 * import type { PrivateHistory } from 'responsible-tfjs/privacy';
 * const h: PrivateHistory = { loss: [1.2, 0.6], accuracy: [0.7, 0.85], epsilon: [0.9, 1.3] };
 * ```
 */
export interface PrivateHistory {
  /** Mean training loss of each epoch (over the examples sampled in it). */
  readonly loss: number[];
  /** Training accuracy of each epoch (before each step's update). */
  readonly accuracy: number[];
  /** Epsilon spent at the end of each epoch, at `delta`. */
  readonly epsilon: number[];
}

/**
 * Result of {@link fitPrivately}.
 *
 * @example
 * ```ts
 * import type { FitPrivatelyResult } from 'responsible-tfjs/privacy';
 * declare const r: FitPrivatelyResult;
 * console.log(r.epsilon, r.noiseMultiplier, r.history.accuracy.at(-1));
 * ```
 */
export interface FitPrivatelyResult {
  /** Per-epoch loss, accuracy and epsilon. */
  readonly history: PrivateHistory;
  /** The noise multiplier used. */
  readonly noiseMultiplier: number;
  /** Poisson sample rate `batchSize / N`. */
  readonly sampleRate: number;
  /** Steps taken. */
  readonly steps: number;
  /** Final epsilon at `delta`. */
  readonly epsilon: number;
  /** The delta of the guarantee. */
  readonly delta: number;
  /** The accountant holding the history (pass it to a later call to continue). */
  readonly accountant: PrivacyAccountant;
  /** Set when training stopped early because the next step would exceed `targetEpsilon`. */
  readonly budgetExceeded?: PrivacyBudgetExceededError;
  /** The noise source; a result from an insecure (seeded) source is for testing only. */
  readonly rng: { readonly secure: boolean; readonly label: string };
}

/**
 * Trains a classifier with DP-SGD: Poisson-sampled batches, per-example clipping, Gaussian noise,
 * and privacy accounting after every step. With `targetEpsilon` the noise multiplier comes from
 * {@link getNoiseMultiplier}; training never takes a step that would exceed the budget (checked
 * on a clone of the accountant before training, so a stop happens before, never after).
 * Everything is validated before the first step: the model (an {@link UnsupportedLayerError}
 * lists every unsupported layer), the shapes, labels in range, finite inputs, the options.
 *
 * @param model - A supported `LayersModel` whose output is a softmax or logits.
 * @param x - All training inputs `[N, ...]`.
 * @param y - Integer class indices or one-hot rows (N of them).
 * @param options - {@link FitPrivatelyOptions}.
 * @returns The history and the privacy spent; the model's weights are trained in place.
 * @example
 * ```ts
 * import { fitPrivately } from 'responsible-tfjs/privacy';
 * const { history, epsilon } = await fitPrivately(model, x, labels, {
 *   epochs: 10, batchSize: 64, maxGradNorm: 1, targetEpsilon: 3, delta: 1e-5, optimizer: tf.train.adam(1e-3),
 *   callbacks: { onEpochEnd: (e, logs) => console.log(e, logs?.acc, logs?.epsilon) },
 * });
 * ```
 */
export async function fitPrivately(model: LayersModel, x: Tensor, y: LabelsLike, options: FitPrivatelyOptions): Promise<FitPrivatelyResult> {
  const fn = 'fitPrivately';
  const o = optionsObject(fn, 'options', options);
  const { plan, n, epochs, batchSize } = checkTrainingSetup(fn, model, x, o);
  positiveNumber(fn, 'maxGradNorm', o.maxGradNorm);
  const delta = numberInRange(fn, 'delta', o.delta, { min: 0, max: 1, minInclusive: false, maxInclusive: false });
  if (o.noiseMultiplier === undefined && o.targetEpsilon === undefined) {
    invalid(fn, 'options', o, 'options with targetEpsilon or noiseMultiplier');
  }
  const targetEpsilon = o.targetEpsilon === undefined ? undefined : positiveNumber(fn, 'targetEpsilon', o.targetEpsilon);
  if (o.noiseMultiplier !== undefined) positiveNumber(fn, 'noiseMultiplier', o.noiseMultiplier);
  const onExceeded = oneOf(fn, 'onBudgetExceeded', o.onBudgetExceeded ?? 'stop', ['stop', 'throw'] as const);
  const optimizer = checkOptimizer(fn, o.optimizer);
  const accountant = resolveAccountant(fn, o.accountant);
  const rng = resolveRng(fn, o.rng, secureRng);
  const callbacks = callbackList(o.callbacks);
  const sampleRate = batchSize / n;
  const stepsPerEpoch = Math.max(1, Math.round(n / batchSize));
  const planned = epochs * stepsPerEpoch;
  const noiseMultiplier =
    o.noiseMultiplier ??
    getNoiseMultiplier({ targetEpsilon: targetEpsilon as number, targetDelta: delta, sampleRate, steps: planned, accountant: accountant.kind });
  const settings = stepSettings(fn, { ...o, noiseMultiplier, expectedBatchSize: sampleRate * n, rng });
  const labels = checkLabels(fn, plan, y, n);
  try {
    await checkFinite(fn, x);
    const step = { noiseMultiplier, sampleRate };
    const allowed = targetEpsilon === undefined ? planned : affordableSteps(accountant, step, planned, delta, targetEpsilon);
    const history: PrivateHistory = { loss: [], accuracy: [], epsilon: [] };
    const batches = poissonBatches({ numExamples: n, sampleRate, steps: planned, rng });
    let taken = 0;
    let budgetExceeded: PrivacyBudgetExceededError | undefined;
    const stopRequested = stopFlag(model);
    await fire(callbacks, 'onTrainBegin', {});
    for (let epoch = 0; epoch < epochs && budgetExceeded === undefined && !stopRequested(); epoch++) {
      await fire(callbacks, 'onEpochBegin', epoch, {});
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      for (let b = 0; b < stepsPerEpoch; b++) {
        if (taken >= allowed) {
          budgetExceeded = exceeded(fn, accountant, step, delta, targetEpsilon as number);
          break;
        }
        const indices = batches.next().value as Int32Array;
        await fire(callbacks, 'onBatchBegin', b, { size: indices.length });
        const { xb, yb } = tidy(() => {
          const idx = tensor1d(indices, 'int32');
          return { xb: gather(x, idx), yb: gather(labels, idx) as Tensor2D };
        });
        try {
          const r = await runPrivateStep(plan, xb, yb, settings, optimizer, true);
          accountant.step(step);
          taken++;
          lossSum += r.lossSum;
          correct += r.correctCount;
          seen += r.batchSize;
          await fire(callbacks, 'onBatchEnd', b, { size: r.batchSize, loss: r.loss, acc: r.accuracy });
        } finally {
          dispose([xb, yb]);
        }
      }
      if (seen === 0 && budgetExceeded !== undefined) break;
      const eps = accountant.getEpsilon(delta);
      history.loss.push(seen > 0 ? lossSum / seen : Number.NaN);
      history.accuracy.push(seen > 0 ? correct / seen : Number.NaN);
      history.epsilon.push(eps);
      await fire(callbacks, 'onEpochEnd', epoch, { loss: history.loss.at(-1)!, acc: history.accuracy.at(-1)!, epsilon: eps });
    }
    const epsilon = taken > 0 ? accountant.getEpsilon(delta) : 0;
    await fire(callbacks, 'onTrainEnd', { epsilon });
    if (budgetExceeded !== undefined && onExceeded === 'throw') throw budgetExceeded;
    return {
      history, noiseMultiplier, sampleRate, steps: taken, epsilon, delta, accountant,
      ...(budgetExceeded !== undefined ? { budgetExceeded } : {}),
      rng: { secure: rng.secure, label: rng.label },
    };
  } finally {
    dispose(labels);
  }
}

function resolveAccountant(fn: string, value: AccountantKind | PrivacyAccountant | undefined): PrivacyAccountant {
  if (value === undefined || typeof value === 'string') return createAccountant(oneOf(fn, 'accountant', value ?? 'rdp', ['rdp', 'pld'] as const));
  const a = value as Partial<PrivacyAccountant>;
  if (typeof a !== 'object' || typeof a.step !== 'function' || typeof a.getEpsilon !== 'function' || typeof a.clone !== 'function') {
    invalid(fn, 'accountant', value, "'rdp', 'pld' or a PrivacyAccountant");
  }
  return value;
}

function exceeded(fn: string, accountant: PrivacyAccountant, step: { noiseMultiplier: number; sampleRate: number }, delta: number, budget: number): PrivacyBudgetExceededError {
  return new PrivacyBudgetExceededError({
    fn,
    budgetEpsilon: budget,
    delta,
    spentEpsilon: accountant.getEpsilon(delta),
    requestedEpsilon: accountant.clone().step(step).getEpsilon(delta),
  });
}

/**
 * Resets `model.stopTraining` and returns a reader of it (internal). An uncompiled Sequential
 * throws on access to the property, so such a model simply never requests a stop.
 */
export function stopFlag(model: LayersModel): () => boolean {
  const m = model as unknown as { stopTraining?: boolean };
  try {
    m.stopTraining = false;
  } catch {
    return () => false;
  }
  return () => {
    try {
      return m.stopTraining === true;
    } catch {
      return false;
    }
  };
}

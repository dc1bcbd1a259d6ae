import { assertBackend } from '../../core/backend.js';
import { getNoiseMultiplier, type AccountantKind, type PrivacyAccountant } from '../accounting/index.js';
import { accountantFactory } from '../accounting/getNoiseMultiplier.js';
import { PrivacyBudgetExceededError } from '../errors.js';
import { checkSignal, throwIfAborted } from '../../core/eventLoop.js';
import { stopFlag } from '../../core/training/stopFlag.js';
import { runTrainingLoop, type StepOutcome } from '../../core/training/trainingLoop.js';
import type { LabelsLike } from '../../core/labels.js';
import { resolveRng, secureRng, type Rng } from '../../core/rng.js';
import { dispose, gather, tensor1d, tidy, type LayersModel, type Optimizer, type Tensor, type Tensor2D } from '../../core/tf.js';
import { booleanValue, invalid, numberInRange, oneOf, optionsObject, positiveNumber } from '../../core/validate.js';
import { callbackList, type TrainingCallbacks } from '../../core/training/callbacks.js';
import type { ClippingMode } from './clipping.js';
import { checkOptimizer, runPrivateStep, stepSettings } from './dpSgdStep.js';
import { checkFinite, checkLabels, checkTrainingSetup } from './inputs.js';
import { poissonBatches } from './poissonBatches.js';
import { PrivacyBudget } from '../budget/index.js';
import { budgetReserver, stepReserver } from './stepReservation.js';

/**
 * Options of {@link fitPrivately}. Give `targetEpsilon` (the noise is calibrated to it) or
 * `noiseMultiplier` (then `targetEpsilon`, if also given, is a budget that stops training).
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
  /** The epsilon not to exceed at `delta`, counting what `accountant`'s history already spent. */
  readonly targetEpsilon?: number;
  /** The delta of the guarantee, in (0, 1); usually below 1/N. Required unless `budget` is given. */
  readonly delta?: number;
  /**
   * Spend through a {@link PrivacyBudget} instead of an accountant: its limit is the target epsilon,
   * its delta the delta, every step goes through `budget.spend` (check and record in one step, so a
   * budget shared with other spending is never exceeded). Exclusive with `accountant`,
   * `targetEpsilon` and `delta`.
   */
  readonly budget?: PrivacyBudget;
  /**
   * `'rdp'` (default), `'pld'`, or an accountant instance: the noise is calibrated on clones of it
   * (its orders, settings and history) and every step is reserved on it, so it may be shared.
   */
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
  /**
   * Also report statistics computed from the private training batches, which the noise does
   * **not** protect: training loss and accuracy, realised Poisson batch sizes (they depend on the
   * data set's size, not its content), and the numbers of clipped and zeroed examples. Default
   * false: callbacks and history then carry only epsilon, steps and epochs. Publishing these
   * numbers can reveal individual records (one changed record can move a batch loss by orders of
   * magnitude).
   */
  readonly exposeNonPrivateMetrics?: boolean;
  /** Calibration tolerance: with `targetEpsilon` and no `noiseMultiplier`, the planned run's epsilon is in [target − tolerance, target] (default 1e-6). */
  readonly epsilonTolerance?: number;
  /** Stops training between two steps (rejecting with {@link AbortedError}); steps already taken stay spent. */
  readonly signal?: AbortSignal;
}

/**
 * Per-epoch history of {@link fitPrivately}. Only `epsilon` (and the epoch count, its length) is
 * covered by the guarantee; the other fields exist only with `exposeNonPrivateMetrics: true`.
 */
export interface PrivateHistory {
  /** Epsilon spent at the end of each epoch, at `delta`. */
  readonly epsilon: number[];
  /** Steps taken by the end of each epoch (public: it follows from the options and the budget). */
  readonly steps: number[];
  /** Not private. Mean training loss of each epoch (over the examples sampled in it). */
  readonly loss?: number[];
  /** Not private. Training accuracy of each epoch (before each step's update). */
  readonly accuracy?: number[];
  /** Not private. Examples whose gradient norm overflowed and were zeroed, per epoch. */
  readonly zeroed?: number[];
}

/**
 * Result of {@link fitPrivately}.
 */
export interface FitPrivatelyResult {
  /** Per-epoch epsilon and steps (and, only when asked for, non-private metrics). */
  readonly history: PrivateHistory;
  /** The noise multiplier used. */
  readonly noiseMultiplier: number;
  /** Poisson sample rate `batchSize / N`. */
  readonly sampleRate: number;
  /** Steps taken. */
  readonly steps: number;
  /** Final epsilon at `delta` of the accountant (its whole history). */
  readonly epsilon: number;
  /** The delta of the guarantee. */
  readonly delta: number;
  /** The accountant holding the history (pass it to a later call to continue). */
  readonly accountant: PrivacyAccountant;
  /** Set when training stopped early because the next step would exceed `targetEpsilon`. */
  readonly budgetExceeded?: PrivacyBudgetExceededError;
  /** Whether the noise came from a cryptographically secure source (a seeded run is for testing only). */
  readonly secure: boolean;
  /** The noise source's label (the library's one provenance shape: `{ secure, rngLabel }`). */
  readonly rngLabel: string;
  /** @deprecated Use `secure` and `rngLabel`; kept for one minor version. */
  readonly rng: { readonly secure: boolean; readonly label: string };
}

/**
 * Trains a classifier with DP-SGD: Poisson-sampled batches, per-example clipping, Gaussian noise,
 * and privacy accounting of every step. With `targetEpsilon` the noise multiplier comes from
 * {@link getNoiseMultiplier} run on the very accountant that will be spent on. Each step is
 * reserved on the live accountant (checked against `targetEpsilon` and recorded in one
 * synchronous section) before its noise is drawn, so a stop happens before, never after, the
 * budget, even when several fits share one accountant. The loop yields to the event loop between
 * steps and stops on `signal`. Everything is validated before the first step: the model (an
 * {@link UnsupportedLayerError} lists every unsupported layer), the shapes, labels in range, finite
 * inputs, the options. By default callbacks and history expose only epsilon, step and epoch
 * counts; see `exposeNonPrivateMetrics`.
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
 *   callbacks: { onEpochEnd: (epoch, logs) => console.log(epoch, logs?.epsilon) },
 * });
 * // Evaluate on held-out data: training loss and accuracy are not private and not reported by default.
 * ```
 */
export async function fitPrivately(model: LayersModel, x: Tensor, y: LabelsLike, options: FitPrivatelyOptions): Promise<FitPrivatelyResult> {
  const fn = 'fitPrivately';
  assertBackend(fn);
  const o = optionsObject(fn, 'options', options);
  const { plan, n, epochs, batchSize } = checkTrainingSetup(fn, model, x, o);
  positiveNumber(fn, 'options.maxGradNorm', o.maxGradNorm);
  const budget = o.budget === undefined ? undefined : checkBudget(fn, o);
  const delta = budget?.delta ?? numberInRange(fn, 'options.delta', o.delta, { min: 0, max: 1, minInclusive: false, maxInclusive: false });
  if (o.noiseMultiplier === undefined && o.targetEpsilon === undefined && budget === undefined) {
    invalid(fn, 'options', o, 'options with targetEpsilon, budget or noiseMultiplier');
  }
  const targetEpsilon = budget?.epsilon ?? (o.targetEpsilon === undefined ? undefined : positiveNumber(fn, 'options.targetEpsilon', o.targetEpsilon));
  if (o.noiseMultiplier !== undefined) positiveNumber(fn, 'options.noiseMultiplier', o.noiseMultiplier);
  const onExceeded = oneOf(fn, 'options.onBudgetExceeded', o.onBudgetExceeded ?? 'stop', ['stop', 'throw'] as const);
  const expose = booleanValue(fn, 'options.exposeNonPrivateMetrics', o.exposeNonPrivateMetrics ?? false);
  const epsilonTolerance = positiveNumber(fn, 'options.epsilonTolerance', o.epsilonTolerance ?? 1e-6);
  const signal = checkSignal(fn, 'options.signal', o.signal);
  const optimizer = checkOptimizer(fn, o.optimizer);
  const accountant = accountantFactory(fn, 'options.accountant', o.accountant);
  // With a budget, calibration runs on a copy of its history; spending goes through the budget.
  const live = budget !== undefined ? budget.accountant : typeof o.accountant === 'object' ? o.accountant : accountant();
  const rng = resolveRng(fn, o.rng, secureRng);
  const callbacks = callbackList(o.callbacks);
  const sampleRate = batchSize / n;
  const stepsPerEpoch = Math.max(1, Math.round(n / batchSize));
  const planned = epochs * stepsPerEpoch;
  const noiseMultiplier =
    o.noiseMultiplier ??
    getNoiseMultiplier({ targetEpsilon: targetEpsilon as number, delta, sampleRate, steps: planned, accountant: live, epsilonTolerance });
  const settings = stepSettings(fn, { ...o, noiseMultiplier, expectedBatchSize: sampleRate * n, rng });
  const labels = checkLabels(fn, plan, y, n);
  let taken = 0;
  try {
    await checkFinite(fn, x);
    throwIfAborted(fn, signal);
    const step = { noiseMultiplier, sampleRate };
    const reserver = budget !== undefined ? budgetReserver(budget, step, planned) : stepReserver(live, step, delta, targetEpsilon, planned);
    const spentEpsilon = (): number => (budget !== undefined ? budget.spentEpsilon : live.getEpsilon(delta));
    const poisson = poissonBatches({ numExamples: n, sampleRate, steps: planned, rng });
    let budgetExceeded: PrivacyBudgetExceededError | undefined;
    let epochStats = { lossSum: 0, correct: 0, seen: 0, zeroed: 0 };
    const loop = await runTrainingLoop({
      fn, epochs, signal, callbacks, stopRequested: stopFlag(model),
      batches: { stepsPerEpoch, rows: () => poisson.next().value as Int32Array },
      async step(rows): Promise<StepOutcome> {
        // Reserved before the batch is used and the noise drawn: check and record with no await between.
        if (!reserver.reserve()) {
          budgetExceeded = exceeded(fn, budget !== undefined ? budget.accountant : live, step, delta, targetEpsilon as number);
          return { stop: true };
        }
        const { xb, yb } = tidy(() => {
          const idx = tensor1d(rows, 'int32');
          return { xb: gather(x, idx), yb: gather(labels, idx) as Tensor2D };
        });
        try {
          const r = await runPrivateStep(plan, xb, yb, settings, optimizer, true);
          epochStats = {
            lossSum: epochStats.lossSum + r.lossSum, correct: epochStats.correct + r.correctCount,
            seen: epochStats.seen + r.batchSize, zeroed: epochStats.zeroed + r.zeroedCount,
          };
          taken++;
          return {
            logs: expose
              ? { step: taken, size: r.batchSize, loss: r.loss, accuracy: r.accuracy, clipped: r.clippedCount, zeroed: r.zeroedCount }
              : { step: taken },
          };
        } finally {
          dispose([xb, yb]);
        }
      },
      endEpoch() {
        const { lossSum, correct, seen, zeroed } = epochStats;
        epochStats = { lossSum: 0, correct: 0, seen: 0, zeroed: 0 };
        const logs: Record<string, number> = { epsilon: spentEpsilon(), steps: taken };
        // Non-private statistics only on request (see exposeNonPrivateMetrics).
        if (expose) Object.assign(logs, { loss: seen > 0 ? lossSum / seen : Number.NaN, accuracy: seen > 0 ? correct / seen : Number.NaN, zeroed });
        return logs;
      },
      endTraining: () => ({ epsilon: spentEpsilon(), steps: taken }),
    });
    if (budgetExceeded !== undefined && onExceeded === 'throw') throw budgetExceeded;
    const h = loop.history;
    const history: PrivateHistory = {
      epsilon: h.epsilon ?? [], steps: h.steps ?? [],
      ...(expose ? { loss: h.loss ?? [], accuracy: h.accuracy ?? [], zeroed: h.zeroed ?? [] } : {}),
    };
    return {
      history, noiseMultiplier, sampleRate, steps: taken, epsilon: spentEpsilon(), delta,
      accountant: budget !== undefined ? budget.accountant : live,
      ...(budgetExceeded !== undefined ? { budgetExceeded } : {}),
      secure: rng.secure, rngLabel: rng.label, rng: { secure: rng.secure, label: rng.label },
    };
  } finally {
    dispose(labels);
  }
}

/** Validates the `budget` option and its exclusivity. */
function checkBudget(fn: string, o: FitPrivatelyOptions): PrivacyBudget {
  const b = o.budget as Partial<PrivacyBudget>;
  if (!(b instanceof PrivacyBudget)) invalid(fn, 'options.budget', o.budget, 'a PrivacyBudget');
  for (const key of ['accountant', 'targetEpsilon', 'delta'] as const) {
    if (o[key] !== undefined) invalid(fn, `options.${key}`, o[key], 'undefined when options.budget is given (the budget holds it)');
  }
  return b;
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

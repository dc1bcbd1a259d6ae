import { toOneHot, type LabelsLike } from '../core/labels.js';
import { toForwardFn, type ModelLike } from '../core/model.js';
import { resolveRng, rngFromFunction, shuffledIndices, type Rng } from '../core/rng.js';
import { gather, slice, tensor1d, tidy, train, type Optimizer, type Tensor, type Variable } from '../core/tf.js';
import { booleanValue, invalid, oneOf, optionsObject, positiveInteger } from '../core/validate.js';
import { adversarialTrainingStep } from './adversarialTrainingStep.js';
import type { PgdNorm } from './pgd.js';
import { tradesTrainingStep } from './tradesTrainingStep.js';
import type { TrainingStepResult } from './training.js';
import type { ModelOutput, PerExampleLoss } from './types.js';

/**
 * Per-batch and per-epoch numbers handed to {@link FitAdversariallyCallbacks}.
 *
 * @example
 * ```ts
 * import type { AdversarialLogs } from 'responsible-tfjs/robustness';
 * const logs: AdversarialLogs = { loss: 0.52, adversarialAccuracy: 0.81 };
 * ```
 */
export interface AdversarialLogs {
  /** Mean minimised loss (over the batch, or over the epoch's batches). */
  readonly loss: number;
  /** Accuracy on the adversarial training examples (batch, or epoch mean). */
  readonly adversarialAccuracy: number;
}

/**
 * Callbacks in the style of tfjs's `CustomCallbackArgs`; each may be async. Set
 * `model.stopTraining = true` in one to stop after the current batch.
 *
 * @example
 * ```ts
 * import type { FitAdversariallyCallbacks } from 'responsible-tfjs/robustness';
 * const callbacks: FitAdversariallyCallbacks = {
 *   onEpochEnd: (epoch, logs) => console.log(epoch, logs.loss, logs.adversarialAccuracy),
 * };
 * ```
 */
export interface FitAdversariallyCallbacks {
  /** Before the first epoch. */
  readonly onTrainBegin?: () => void | Promise<void>;
  /** After the last epoch, with the last epoch's logs (undefined if no epoch ran). */
  readonly onTrainEnd?: (logs: AdversarialLogs | undefined) => void | Promise<void>;
  /** Before each epoch. */
  readonly onEpochBegin?: (epoch: number) => void | Promise<void>;
  /** After each epoch, with means over its batches. */
  readonly onEpochEnd?: (epoch: number, logs: AdversarialLogs) => void | Promise<void>;
  /** After each batch; `batch` counts from 0 within the epoch. */
  readonly onBatchEnd?: (batch: number, logs: AdversarialLogs) => void | Promise<void>;
}

/**
 * The attack that crafts the training examples. Distances are in input units.
 *
 * @example
 * ```ts
 * import type { TrainingAttackOptions } from 'responsible-tfjs/robustness';
 * const attack: TrainingAttackOptions = { epsilon: 0.1, stepSize: 0.025, steps: 7 };
 * ```
 */
export interface TrainingAttackOptions {
  /** Radius of the perturbation ball (>= 0). */
  readonly epsilon: number;
  /** Step size (> 0). */
  readonly stepSize: number;
  /** Steps per attack (an integer >= 1). */
  readonly steps: number;
  /** Ball norm for `method: 'pgd'` (TRADES is L-inf only). Default `'linf'`. */
  readonly norm?: PgdNorm;
  /** Random start for `method: 'pgd'`. Default true. */
  readonly randomStart?: boolean;
  /** Smallest valid input value. Default 0. */
  readonly clipMin?: number;
  /** Largest valid input value. Default 1. */
  readonly clipMax?: number;
}

/**
 * Adversarial training method: `'pgd'` (Madry et al. 2018) or `'trades'` (Zhang et al. 2019).
 *
 * @example
 * ```ts
 * import type { AdversarialTrainingMethod } from 'responsible-tfjs/robustness';
 * const method: AdversarialTrainingMethod = 'trades';
 * ```
 */
export type AdversarialTrainingMethod = 'pgd' | 'trades';

/**
 * Options of {@link fitAdversarially}.
 *
 * @example
 * ```ts
 * import { seededRng } from 'responsible-tfjs';
 * import type { FitAdversariallyOptions } from 'responsible-tfjs/robustness';
 * const options: FitAdversariallyOptions = {
 *   epochs: 10, batchSize: 64, method: 'pgd', attack: { epsilon: 0.1, stepSize: 0.025, steps: 7 }, rng: seededRng(0),
 * };
 * ```
 */
export interface FitAdversariallyOptions {
  /** Passes over the data (an integer >= 1). */
  readonly epochs: number;
  /** Examples per step. Default 32. */
  readonly batchSize?: number;
  /** Training method. Default `'pgd'`. */
  readonly method?: AdversarialTrainingMethod;
  /** The attack crafting the training examples. */
  readonly attack: TrainingAttackOptions;
  /** TRADES trade-off weight. Default 6. */
  readonly beta?: number;
  /** PGD training: weight of the clean loss in [0, 1]. Default 0. */
  readonly cleanWeight?: number;
  /** Optimizer. Default: the model's compiled optimizer, else `tf.train.adam(1e-3)` (disposed at the end). */
  readonly optimizer?: Optimizer;
  /** Shuffle the examples every epoch. Default true. */
  readonly shuffle?: boolean;
  /** Source of shuffling and random starts. Default `Math.random`. */
  readonly rng?: Rng;
  /** Whether the model returns logits (default) or probabilities. */
  readonly modelOutput?: ModelOutput;
  /** PGD training: per-example loss (default softmax cross-entropy). */
  readonly loss?: PerExampleLoss;
  /** Variables to update (default: the LayersModel's trainable weights). */
  readonly variables?: readonly Variable[];
  /** Progress callbacks. */
  readonly callbacks?: FitAdversariallyCallbacks;
}

/**
 * What {@link fitAdversarially} returns, shaped like tfjs's `History`.
 *
 * @example
 * ```ts
 * import type { AdversarialHistory } from 'responsible-tfjs/robustness';
 * const h: AdversarialHistory = { epoch: [0], history: { loss: [0.9], adversarialAccuracy: [0.6] } };
 * ```
 */
export interface AdversarialHistory {
  /** Epoch indices that ran. */
  readonly epoch: number[];
  /** Per-epoch means. */
  readonly history: { readonly loss: number[]; readonly adversarialAccuracy: number[] };
}

/**
 * Trains a model adversarially: every batch goes through {@link adversarialTrainingStep} (PGD,
 * Madry et al.) or {@link tradesTrainingStep} (TRADES), with tfjs-style callbacks for progress.
 * Note: on the wasm backend, tfjs 4.22 cannot train Conv2D layers (its `Conv2DBackpropFilter`
 * kernel is missing there); train convolutional models on cpu, webgl or webgpu.
 *
 * @param model - A `tf.LayersModel`, or a function with `options.variables`.
 * @param x - Training inputs `[n, ...]` with values in the attack's `[clipMin, clipMax]`.
 * @param y - Training classes as indices or one-hot rows.
 * @returns Per-epoch mean loss and adversarial accuracy.
 * @example
 * ```ts
 * import { fitAdversarially } from 'responsible-tfjs/robustness';
 * const history = await fitAdversarially(model, xTrain, yTrain, {
 *   epochs: 20, batchSize: 64, method: 'trades', beta: 6,
 *   attack: { epsilon: 0.1, stepSize: 0.025, steps: 7 },
 *   callbacks: { onEpochEnd: (e, logs) => console.log(e, logs) },
 * });
 * ```
 */
export async function fitAdversarially(model: ModelLike, x: Tensor, y: LabelsLike, options: FitAdversariallyOptions): Promise<AdversarialHistory> {
  const fn = 'fitAdversarially';
  const opts = optionsObject(fn, 'options', options);
  const epochs = positiveInteger(fn, 'options.epochs', opts.epochs);
  const batchSize = positiveInteger(fn, 'options.batchSize', opts.batchSize ?? 32);
  const method = oneOf(fn, 'options.method', opts.method ?? 'pgd', ['pgd', 'trades'] as const);
  const attack = optionsObject(fn, 'options.attack', opts.attack);
  if (opts.attack === undefined) invalid(fn, 'options.attack', undefined, 'the training attack ({ epsilon, stepSize, steps })');
  if (method === 'trades' && (attack.norm ?? 'linf') !== 'linf') invalid(fn, 'options.attack.norm', attack.norm, "'linf' with method 'trades'");
  const shuffle = booleanValue(fn, 'options.shuffle', opts.shuffle ?? true);
  const rng = resolveRng(fn, opts.rng, () => rngFromFunction(Math.random, 'Math.random'));
  const callbacks = optionsObject(fn, 'options.callbacks', opts.callbacks);
  const forward = toForwardFn(fn, model);
  const n = x.shape[0] as number;
  const classes = tidy(() => forward(slice(x, 0, 1)).shape[1]);
  if (typeof classes !== 'number') invalid(fn, 'model', model, 'a model returning [batch, classes]');
  const labels = toOneHot(fn, y, classes, n);
  const layers = typeof model === 'function' ? undefined : model;
  const ownOptimizer = opts.optimizer === undefined && layers?.optimizer === undefined;
  const optimizer = opts.optimizer ?? layers?.optimizer ?? train.adam(1e-3);
  const common = { ...attack, rng, modelOutput: opts.modelOutput, variables: opts.variables };
  const step = (xb: Tensor, yb: Tensor): Promise<TrainingStepResult> =>
    method === 'pgd'
      ? adversarialTrainingStep(model, optimizer, xb, yb, { ...common, loss: opts.loss, cleanWeight: opts.cleanWeight })
      : tradesTrainingStep(model, optimizer, xb, yb, { ...common, beta: opts.beta });
  const result: AdversarialHistory = { epoch: [], history: { loss: [], adversarialAccuracy: [] } };
  let last: AdversarialLogs | undefined;
  const stopped = (): boolean => layers?.stopTraining === true;
  if (layers !== undefined) layers.stopTraining = false;
  try {
    await callbacks.onTrainBegin?.();
    for (let epoch = 0; epoch < epochs && !stopped(); epoch++) {
      await callbacks.onEpochBegin?.(epoch);
      const order = shuffle ? shuffledIndices(n, rng) : Int32Array.from({ length: n }, (_, i) => i);
      let lossSum = 0;
      let accSum = 0;
      let seen = 0;
      for (let start = 0, batch = 0; start < n; start += batchSize, batch++) {
        const idx = tensor1d(order.subarray(start, Math.min(n, start + batchSize)), 'int32');
        const xb = gather(x, idx);
        const yb = gather(labels, idx);
        idx.dispose();
        let logs: TrainingStepResult;
        try {
          logs = await step(xb, yb);
        } finally {
          xb.dispose();
          yb.dispose();
        }
        const size = Math.min(batchSize, n - start);
        lossSum += logs.loss * size;
        accSum += logs.adversarialAccuracy * size;
        seen += size;
        await callbacks.onBatchEnd?.(batch, { loss: logs.loss, adversarialAccuracy: logs.adversarialAccuracy });
        if (stopped()) break;
      }
      last = { loss: lossSum / seen, adversarialAccuracy: accSum / seen };
      result.epoch.push(epoch);
      result.history.loss.push(last.loss);
      result.history.adversarialAccuracy.push(last.adversarialAccuracy);
      await callbacks.onEpochEnd?.(epoch, last);
    }
    await callbacks.onTrainEnd?.(last);
  } finally {
    labels.dispose();
    if (ownOptimizer) optimizer.dispose();
  }
  return result;
}

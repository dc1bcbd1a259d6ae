import type { Rng } from '../core/rng.js';
import type { Optimizer, Variable } from '../core/tf.js';
import type { PgdNorm } from './pgd.js';
import type { ModelOutput, PerExampleLoss } from './types.js';

/** Per-batch and per-epoch numbers handed to {@link FitAdversariallyCallbacks}. */
export interface AdversarialLogs {
  /** Mean minimised loss (over the batch, or over the epoch's batches). */
  readonly loss: number;
  /** Accuracy on the adversarial training examples (batch, or epoch mean). */
  readonly adversarialAccuracy: number;
}

/**
 * Callbacks in the style of tfjs's `CustomCallbackArgs`; each may be async. Set
 * `model.stopTraining = true` in one to stop after the current batch.
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

/** The attack that crafts the training examples. Distances are in input units. */
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

/** Adversarial training method: `'pgd'` (Madry et al. 2018) or `'trades'` (Zhang et al. 2019). */
export type AdversarialTrainingMethod = 'pgd' | 'trades';

/** Options of {@link fitAdversarially}. */
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
  /** Whether the model returns logits or probabilities. Default: what the model declares (see {@link ModelOutput}). */
  readonly modelOutput?: ModelOutput;
  /** PGD training: per-example loss (default: the cross-entropy, see {@link AttackCommonOptions.loss}). */
  readonly loss?: PerExampleLoss;
  /** Variables to update (default: the LayersModel's trainable weights). */
  readonly variables?: readonly Variable[];
  /** Progress callbacks. */
  readonly callbacks?: FitAdversariallyCallbacks;
  /**
   * Stops training when aborted: the call rejects with {@link AbortedError} at the next step
   * boundary (between two attack steps or two batches), disposing every tensor it created. Batches
   * already trained stay applied to the weights; the interrupted batch makes no update. Training
   * yields to the event loop between steps either way. Default: none.
   */
  readonly signal?: AbortSignal;
}

/** What {@link fitAdversarially} returns, shaped like tfjs's `History`. */
export interface AdversarialHistory {
  /** Epoch indices that ran. */
  readonly epoch: number[];
  /** Per-epoch means. */
  readonly history: { readonly loss: number[]; readonly adversarialAccuracy: number[] };
}

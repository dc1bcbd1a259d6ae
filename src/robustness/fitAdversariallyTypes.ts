import type { TrainingCallbacks, TrainingLogs } from '../core/training/callbacks.js';
import type { Rng } from '../core/rng.js';
import type { Optimizer, Variable } from '../core/tf.js';
import type { PgdNorm } from './pgd.js';
import type { ModelOutput, PerExampleLoss } from './types.js';

/**
 * Per-batch and per-epoch numbers handed to the callbacks of {@link fitAdversarially}, under the
 * keys its `history` uses: `loss` (mean minimised loss over the batch, or over the epoch's
 * batches) and `adversarialAccuracy` (accuracy on the adversarial training examples); batch logs
 * also carry `size`.
 */
export type AdversarialLogs = TrainingLogs & {
  /** Mean minimised loss (over the batch, or over the epoch's batches). */
  readonly loss: number;
  /** Accuracy on the adversarial training examples (batch, or epoch mean). */
  readonly adversarialAccuracy: number;
};

/**
 * The callbacks of {@link fitAdversarially}: the library's one {@link TrainingCallbacks} type with
 * its logs.
 * @deprecated Use `TrainingCallbacks<AdversarialLogs>`; this alias goes in the next minor version.
 */
export type FitAdversariallyCallbacks = TrainingCallbacks<AdversarialLogs>;

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
  /** Progress callbacks, one object or a list (the library's one {@link TrainingCallbacks} type). */
  readonly callbacks?: TrainingCallbacks<AdversarialLogs> | readonly TrainingCallbacks<AdversarialLogs>[];
  /**
   * Stops training when aborted: the call rejects with {@link AbortedError} at the next step
   * boundary (between two attack steps or two batches), disposing every tensor it created. Batches
   * already trained stay applied to the weights; the interrupted batch makes no update. Training
   * yields to the event loop between steps either way. Default: none.
   */
  readonly signal?: AbortSignal;
}

/** What {@link fitAdversarially} resolves to: per-epoch means under the callbacks' keys. */
export interface AdversarialHistory {
  /** Per-epoch means, one entry per finished epoch. */
  readonly history: { readonly loss: number[]; readonly adversarialAccuracy: number[] };
  /**
   * Indices of the epochs that ran (0, 1, ...).
   * @deprecated Every fit's result is `{ history, ... }`: use `history.loss.length`. Not
   * enumerable; removed in the next minor version.
   */
  readonly epoch: number[];
}

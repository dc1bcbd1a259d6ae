import type { SensitiveFeatures } from '../../fairness/inputs.js';
import type { LabelsLike } from '../../core/labels.js';
import type { Rng } from '../../core/rng.js';
import type { Optimizer, Tensor } from '../../core/tf.js';
import type { AccountantKind } from '../../privacy/index.js';
import type { EthicalLoss } from '../ethicalLoss.js';
import type { TrainingCallbacks, TrainingLogs } from '../../core/training/callbacks.js';

/**
 * A whole training set for {@link trainMultiObjective}; batches are gathered from it.
 */
export interface ObjectiveData {
  /** Inputs `[n, ...features]`. */
  readonly x: Tensor;
  /** Labels for all `n` rows (class indices or one-hot rows). */
  readonly y: LabelsLike;
  /**
   * Per-example values with first dimension `n` (groups, sample weights, masks): tensors, or for
   * groups also label arrays and named columns as the fairness module takes them (encoded once over
   * the whole data set). The caller keeps ownership.
   */
  readonly extras?: Readonly<Record<string, Tensor | SensitiveFeatures>>;
}

/**
 * DP-SGD settings of {@link trainMultiObjective}. Batches are Poisson-sampled (each example kept with
 * probability `batchSize / n`), each example's gradient is clipped to `maxGradNorm`, Gaussian noise
 * of standard deviation `noiseMultiplier * maxGradNorm` is added to the sum, which is divided by the
 * expected batch size; the accountant records every step.
 */
export interface ObjectivePrivacyOptions {
  /** Per-example L2 clipping norm (> 0). */
  readonly maxGradNorm: number;
  /** Noise standard deviation over the clipping norm (> 0). */
  readonly noiseMultiplier: number;
  /** Delta at which epsilon is reported, in (0, 1). Default 1e-5. */
  readonly delta?: number;
  /** Accountant: `'rdp'` (default) or `'pld'`. */
  readonly accountant?: AccountantKind;
  /** Source of the noise and of the Poisson sampling. Default `secureRng()`; a seeded rng is for tests only. */
  readonly rng?: Rng;
  /**
   * Also report the term values, the total and the realised batch sizes, all computed from the
   * private batches and **not** protected by the noise (one changed record can move them
   * arbitrarily). Default false: under DP-SGD they are then NaN in logs and history, and only
   * epsilon, the fixed weights and the step counts are reported.
   */
  readonly exposeNonPrivateMetrics?: boolean;
}

/**
 * What one step of {@link trainMultiObjective} computed, in the nested form of earlier versions.
 * @deprecated The callbacks now receive flat {@link TrainingLogs} (see
 * {@link TrainMultiObjectiveOptions.callbacks}); these fields stay readable on them as hidden
 * aliases until the next minor version.
 */
export interface ObjectiveStepLogs {
  /** Epoch (from 0). */
  readonly epoch: number;
  /** The weighted objective before the step. */
  readonly total: number;
  /** Each term's value before the step. */
  readonly values: Readonly<Record<string, number>>;
  /** The weights used (multipliers, MGDA weights). */
  readonly weights: Readonly<Record<string, number>>;
  /** Examples in the batch (varies under Poisson sampling). */
  readonly batchSize: number;
}

/**
 * The epoch summary of {@link trainMultiObjective} in the nested form of earlier versions.
 * @deprecated The callbacks now receive flat {@link TrainingLogs}; these fields stay readable on
 * them as hidden aliases until the next minor version.
 */
export interface ObjectiveEpochLogs {
  /** Mean weighted objective over the epoch's steps. */
  readonly total: number;
  /** Mean value of each term over the epoch's steps. */
  readonly values: Readonly<Record<string, number>>;
  /** Weights at the end of the epoch. */
  readonly weights: Readonly<Record<string, number>>;
  /** Privacy spent so far (DP-SGD only). */
  readonly epsilon?: number;
}

/**
 * The callbacks of {@link trainMultiObjective}: the library's one {@link TrainingCallbacks} type.
 * @deprecated Use `TrainingCallbacks`; this alias goes in the next minor version.
 */
export type ObjectiveCallbacks = TrainingCallbacks;

/**
 * Options of {@link trainMultiObjective}.
 */
export interface TrainMultiObjectiveOptions {
  /** The objective, built by {@link ethicalLoss} for the same model. */
  readonly loss: EthicalLoss;
  /** Any tfjs optimizer. */
  readonly optimizer: Optimizer;
  /** Passes over the data (integer >= 1). */
  readonly epochs: number;
  /** Examples per step (integer >= 1, at most n); under DP-SGD the expected batch size. */
  readonly batchSize: number;
  /** Shuffle every epoch (ignored under DP-SGD, which samples). Default true. */
  readonly shuffle?: boolean;
  /** Source of the shuffling. Default `Math.random`; seed it for reproducible runs. */
  readonly rng?: Rng;
  /**
   * Progress hooks, one object or a list (the library's one {@link TrainingCallbacks} type). Their
   * logs are flat numbers: `loss` (the weighted objective), each term's value under its name
   * (e.g. `task`, `demographicParity`), each weight under `<name>Weight`, `epsilon` under DP-SGD,
   * and per batch `size` (the examples in it). The epoch logs are the means the history records.
   */
  readonly callbacks?: TrainingCallbacks | readonly TrainingCallbacks[];
  /** Train with DP-SGD (fixed weights only; no terms that couple examples). */
  readonly privacy?: ObjectivePrivacyOptions;
  /** Stops training between two steps (rejecting with `AbortedError`); steps already taken stay applied (and spent). */
  readonly signal?: AbortSignal;
}

/**
 * Per-epoch history of {@link trainMultiObjective}, under the keys of the callbacks' epoch logs:
 * `loss` (mean weighted objective), each term's mean value under its name, each weight at the end
 * of the epoch under `<name>Weight`, and `epsilon` under DP-SGD. The nested fields of earlier
 * versions remain as non-enumerable, deprecated aliases.
 */
export type MultiObjectiveHistory = Readonly<Record<string, number[]>> & {
  /** @deprecated Use `history.loss`. */
  readonly total: number[];
  /** @deprecated Use `history[termName]`. */
  readonly values: Readonly<Record<string, number[]>>;
  /** @deprecated Use `history[termName + 'Weight']`. */
  readonly weights: Readonly<Record<string, number[]>>;
};

/**
 * What {@link trainMultiObjective} resolves to.
 */
export interface TrainMultiObjectiveResult {
  /** Per-epoch histories. */
  readonly history: MultiObjectiveHistory;
  /** Privacy spent and how (DP-SGD only). */
  readonly privacy?: {
    /** Final epsilon at `delta`. */
    readonly epsilon: number;
    /** The delta epsilon is reported at. */
    readonly delta: number;
    /** DP-SGD steps taken. */
    readonly steps: number;
    /** Poisson sampling rate `batchSize / n`. */
    readonly sampleRate: number;
    /** Whether the noise came from a secure source. */
    readonly secure: boolean;
    /** The noise source's label. */
    readonly rngLabel: string;
  };
}

/** tfjs-style training callbacks, shared by every training loop of the library. */

/**
 * Values reported to callbacks, and recorded per epoch in the fit's `history` under the same
 * keys: `loss` and `accuracy` where the fit computes them, plus each module's own (`epsilon` and
 * `steps` in private training, `adversarialAccuracy` in adversarial training, one key per term and
 * per weight in multi-objective training). Batch logs also carry `size`, the examples in the batch.
 * Until the next minor version, logs that carry `accuracy` also carry it as `acc` (tfjs's key), a
 * deprecated alias that histories do not record.
 */
export interface TrainingLogs {
  readonly [key: string]: number;
}

/**
 * Callbacks in the shape of tfjs's `CustomCallbackArgs`, the one callback type of every fit in the
 * library (`fitPrivately`, `fitWithPerExampleEngine`, `fitAdversarially`, `trainMultiObjective`).
 * Each may return a promise, which the loop awaits. Setting `model.stopTraining = true` in a
 * callback stops training after the current step (as tfjs's `fit` does). `L` is the fit's log
 * shape (its keys are documented with each fit).
 *
 * @example
 * ```ts
 * import { fitPrivately, type TrainingCallbacks } from 'responsible-tfjs/privacy';
 * const progress: TrainingCallbacks = {
 *   onEpochEnd: (epoch, logs) => console.log(`epoch ${epoch + 1}: epsilon ${logs.epsilon?.toFixed(2)}`),
 * };
 * await fitPrivately(model, x, y, { epochs: 3, batchSize: 64, maxGradNorm: 1, noiseMultiplier: 1.1, callbacks: progress });
 * ```
 */
export interface TrainingCallbacks<L extends TrainingLogs = TrainingLogs> {
  /** Before the first epoch. */
  onTrainBegin?: (logs?: TrainingLogs) => void | Promise<void>;
  /** After the last epoch (or an early stop), with the last epoch's logs where the fit has them. */
  onTrainEnd?: (logs?: TrainingLogs) => void | Promise<void>;
  /** Before each epoch (0-based). */
  onEpochBegin?: (epoch: number, logs?: TrainingLogs) => void | Promise<void>;
  /** After each epoch, with the epoch's summary (the values recorded in `history`). */
  onEpochEnd?: (epoch: number, logs: L) => void | Promise<void>;
  /** Before each step (`batch` is 0-based within the epoch). */
  onBatchBegin?: (batch: number, logs?: TrainingLogs) => void | Promise<void>;
  /** After each step, with the batch's values (`size`, and `loss`, `accuracy` where computed). */
  onBatchEnd?: (batch: number, logs: L) => void | Promise<void>;
}

type Hook = keyof TrainingCallbacks;

/**
 * The logs handed to callbacks: with the deprecated `acc` alias of `accuracy` (one minor version)
 * and any extra (non-enumerable) aliases the configuration attaches.
 */
function callbackLogs(logs: unknown): unknown {
  if (typeof logs !== 'object' || logs === null) return logs;
  const l = logs as Record<string, unknown>;
  if (typeof l.accuracy === 'number' && !('acc' in l)) {
    const copy = Object.create(Object.getPrototypeOf(l), Object.getOwnPropertyDescriptors(l)) as Record<string, unknown>;
    Object.defineProperty(copy, 'acc', { value: l.accuracy, enumerable: true });
    return copy;
  }
  return logs;
}

/** Calls a hook on every callback object in order (internal). */
export async function fire(list: readonly TrainingCallbacks[], hook: Hook, ...args: unknown[]): Promise<void> {
  const last = args.length - 1;
  if (last >= 0) args[last] = callbackLogs(args[last]);
  for (const cb of list) {
    const f = cb[hook] as ((...a: unknown[]) => void | Promise<void>) | undefined;
    if (f !== undefined) await f.apply(cb, args);
  }
}

/** Normalises the `callbacks` option to a list (internal). */
export function callbackList<L extends TrainingLogs>(value: TrainingCallbacks<L> | readonly TrainingCallbacks<L>[] | undefined): readonly TrainingCallbacks[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]) as readonly TrainingCallbacks[];
}

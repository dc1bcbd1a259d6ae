/** tfjs-style training callbacks, shared by every training loop of the library. */

/**
 * Values reported to callbacks: `loss` and `acc` (as tfjs names accuracy), plus `epsilon` spent
 * so far in private training.
 */
export interface TrainingLogs {
  readonly [key: string]: number;
}

/**
 * Callbacks in the shape of tfjs's `CustomCallbackArgs`; each may return a promise, which the
 * loop awaits. Setting `model.stopTraining = true` in a callback stops training after the current step (as tfjs's `fit` does).
 */
export interface TrainingCallbacks {
  /** Before the first epoch. */
  onTrainBegin?: (logs?: TrainingLogs) => void | Promise<void>;
  /** After the last epoch (or an early stop). */
  onTrainEnd?: (logs?: TrainingLogs) => void | Promise<void>;
  /** Before each epoch (0-based). */
  onEpochBegin?: (epoch: number, logs?: TrainingLogs) => void | Promise<void>;
  /** After each epoch, with the epoch's mean `loss`, `acc` and, for private training, `epsilon`. */
  onEpochEnd?: (epoch: number, logs?: TrainingLogs) => void | Promise<void>;
  /** Before each step (0-based within the epoch). */
  onBatchBegin?: (batch: number, logs?: TrainingLogs) => void | Promise<void>;
  /** After each step, with the batch's `size`, `loss` and `acc`. */
  onBatchEnd?: (batch: number, logs?: TrainingLogs) => void | Promise<void>;
}

type Hook = keyof TrainingCallbacks;

/** Calls a hook on every callback object in order (internal). */
export async function fire(list: readonly TrainingCallbacks[], hook: Hook, ...args: unknown[]): Promise<void> {
  for (const cb of list) {
    const f = cb[hook] as ((...a: unknown[]) => void | Promise<void>) | undefined;
    if (f !== undefined) await f.apply(cb, args);
  }
}

/** Normalises the `callbacks` option to a list (internal). */
export function callbackList(value: TrainingCallbacks | readonly TrainingCallbacks[] | undefined): readonly TrainingCallbacks[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value as TrainingCallbacks];
}

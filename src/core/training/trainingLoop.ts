/**
 * The one training loop of the library (internal). `fitPrivately`, the per-example engine's fit,
 * `trainMultiObjective` and `fitAdversarially` are configurations of it: they say where batches
 * come from and what one step does; the loop owns epochs, yielding to the event loop, the abort
 * signal, `model.stopTraining`, the callbacks' order and the per-epoch history.
 */
import { betweenSteps } from '../eventLoop.js';
import type { BatchSource } from './batches.js';
import { fire, type TrainingCallbacks, type TrainingLogs } from './callbacks.js';

/** What one step reports: its logs (for `onBatchEnd`), or a request to stop before doing anything. */
export type StepOutcome = { readonly logs: TrainingLogs } | { readonly stop: true };

/** A training run, as its configuration describes it. */
export interface TrainingLoopSpec {
  /** The public function running the loop (named in `AbortedError`). */
  readonly fn: string;
  readonly epochs: number;
  readonly batches: BatchSource;
  readonly signal?: AbortSignal | undefined;
  /** tfjs-style callbacks the loop fires (a configuration with its own log shapes fires its own). */
  readonly callbacks?: readonly TrainingCallbacks[];
  /** True when training should stop after the current step (e.g. `model.stopTraining`). */
  readonly stopRequested?: () => boolean;
  /** One step on the given rows; `{ stop: true }` ends training before the step (a budget). */
  step(rows: Int32Array, epoch: number, batch: number): Promise<StepOutcome>;
  /** The epoch's summary after its last step: recorded in the history and passed to `onEpochEnd`. */
  endEpoch(epoch: number, stepsThisEpoch: number): TrainingLogs | Promise<TrainingLogs>;
  /** Logs for `onTrainEnd`. */
  endTraining?(): TrainingLogs;
}

/** What the loop did. */
export interface TrainingLoopResult {
  /** One array per key of the epoch summaries, one entry per finished epoch. */
  readonly history: Record<string, number[]>;
  /** Steps taken. */
  readonly steps: number;
  /** Why training ended before its planned epochs, if it did. */
  readonly stoppedBy?: 'step' | 'stopTraining';
}

/** Runs the loop. Rejects with `AbortedError` when `signal` aborts (between two steps). */
export async function runTrainingLoop(spec: TrainingLoopSpec): Promise<TrainingLoopResult> {
  const callbacks = spec.callbacks ?? [];
  const history: Record<string, number[]> = {};
  let steps = 0;
  let stoppedBy: TrainingLoopResult['stoppedBy'];
  await fire(callbacks, 'onTrainBegin', {});
  for (let epoch = 0; epoch < spec.epochs && stoppedBy === undefined; epoch++) {
    await fire(callbacks, 'onEpochBegin', epoch, {});
    let stepsThisEpoch = 0;
    for (let batch = 0; batch < spec.batches.stepsPerEpoch; batch++) {
      await betweenSteps(spec.fn, spec.signal);
      await fire(callbacks, 'onBatchBegin', batch, {});
      const outcome = await spec.step(spec.batches.rows(epoch, batch), epoch, batch);
      if ('stop' in outcome) {
        stoppedBy = 'step';
        break;
      }
      steps++;
      stepsThisEpoch++;
      await fire(callbacks, 'onBatchEnd', batch, outcome.logs);
      if (spec.stopRequested?.() === true) {
        stoppedBy = 'stopTraining';
        break;
      }
    }
    if (stepsThisEpoch === 0 && stoppedBy === 'step') break;
    const logs = await spec.endEpoch(epoch, stepsThisEpoch);
    for (const [k, v] of Object.entries(logs)) (history[k] ??= []).push(v);
    await fire(callbacks, 'onEpochEnd', epoch, logs);
  }
  await fire(callbacks, 'onTrainEnd', spec.endTraining?.() ?? {});
  return { history, steps, ...(stoppedBy !== undefined ? { stoppedBy } : {}) };
}

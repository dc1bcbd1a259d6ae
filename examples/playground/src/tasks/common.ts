/**
 * What every playground task shares: how it reports progress and how it is stopped. Tasks are plain
 * async functions over tfjs tensors and the library's public imports, so the page's Web Worker and
 * the Node test run exactly the same code with the same seeds.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { AbortedError } from 'responsible-tfjs';

/** Progress of a long task: `fraction` in [0, 1], plus a task-specific point to plot live. */
export interface Progress<P = undefined> {
  readonly fraction: number;
  readonly message: string;
  readonly point?: P;
}

/** How the caller follows and stops a task. */
export interface TaskControl<P = undefined> {
  readonly onProgress?: (progress: Progress<P>) => void;
  /** Aborting it stops the task between two steps; the task then rejects with `AbortedError`. */
  readonly signal?: AbortSignal;
}

/** Rejects with the library's `AbortedError` when `signal` is aborted (for the tasks' own loops). */
export function throwIfAborted(signal: AbortSignal | undefined, fn: string): void {
  if (signal?.aborted) throw new AbortedError(fn);
}

/**
 * The digits model of every digits panel: Dense 64 -> 64 ReLU -> 10 logits, with seeded
 * initialisers so that a browser and Node start from the same weights.
 */
export function digitsMlp(seed: number): tfl.Sequential {
  return tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [64], units: 64, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed }) }),
      tfl.layers.dense({ units: 10, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  });
}

/** Fraction of rows whose arg-max prediction equals the label. */
export async function accuracyOf(model: tfl.LayersModel, x: tf.Tensor2D, labels: ArrayLike<number>): Promise<number> {
  const predicted = tf.tidy(() => tf.argMax(model.predict(x) as tf.Tensor, 1));
  const p = await predicted.data();
  predicted.dispose();
  let correct = 0;
  for (let i = 0; i < p.length; i++) if (p[i] === labels[i]) correct++;
  return correct / p.length;
}

/** Checks a setting from the page (the form limits them too; the worker and the test call tasks directly). */
export function checkSetting(task: string, name: string, value: number, min: number, max: number, integer = false): void {
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new RangeError(`${task}: ${name} must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got ${value}`);
  }
}

import { assertBackend } from '../../core/backend.js';
import { betweenSteps, checkSignal } from '../../core/eventLoop.js';
import { assertGradientsAvailable } from '../../core/gradients.js';
import type { LabelsLike } from '../../core/labels.js';
import type { ModelLike } from '../../core/model.js';
import { classLogits, distillationSettings, perExampleDistillation, type DistillationSettings } from '../../core/outputs/distillation.js';
import { resolveOutputKind } from '../../core/outputs/outputKind.js';
import type { OutputKind } from '../../core/outputs/logProbabilities.js';
import { resolveRng, statisticalRng, type Rng } from '../../core/rng.js';
import { assertFiniteTensor, tensorArgument } from '../../core/tensorArgument.js';
import {
  concat, dispose, gather, mean, slice, tensor1d, tidy, type LayersModel, type Optimizer, type Scalar, type Tensor, type Tensor2D, type Variable,
} from '../../core/tf.js';
import { sequentialBatches } from '../../core/training/batches.js';
import { callbackList, type TrainingCallbacks } from '../../core/training/callbacks.js';
import { stopFlag } from '../../core/training/stopFlag.js';
import { runTrainingLoop } from '../../core/training/trainingLoop.js';
import { booleanValue, invalid, optionsObject, positiveInteger } from '../../core/validate.js';
import { labelRows, type DistillationLossOptions } from './distillationLoss.js';
import { isTensor } from '../../core/labels.js';

/**
 * Options of {@link distill}.
 */
export interface DistillOptions extends DistillationLossOptions {
  /** Labels of `x` (class indices or one-hot rows); required unless `alpha` is 1 (then ignored). */
  readonly y?: LabelsLike;
  /** Number of epochs, an integer >= 1. */
  readonly epochs: number;
  /** Batch size, an integer in [1, N]; the last batch of an epoch may be smaller. */
  readonly batchSize: number;
  /** Any tfjs optimizer; it updates the student's trainable weights only. */
  readonly optimizer: Optimizer;
  /** Shuffle the examples every epoch (default true). */
  readonly shuffle?: boolean;
  /** Source of the shuffling (default `Math.random`; `seededRng(seed)` to reproduce). */
  readonly rng?: Rng;
  /**
   * tfjs-style callbacks, one object or a list, fired around every step. The compression module's
   * pruning and quantization-aware-training controllers are such callbacks: pass them here.
   */
  readonly callbacks?: TrainingCallbacks | readonly TrainingCallbacks[];
  /** Stops training between two steps (rejecting with `AbortedError`). */
  readonly signal?: AbortSignal;
  /** What the teacher returns; default what it declares (a softmax last layer: probabilities). */
  readonly teacherOutput?: 'logits' | 'probabilities';
  /** What the student returns; default what it declares (a softmax last layer: probabilities). */
  readonly studentOutput?: 'logits' | 'probabilities';
}

/**
 * Result of {@link distill}.
 */
export interface DistillResult {
  /** Mean distillation loss over each epoch's examples (as the student was updated through it). */
  readonly history: { readonly loss: number[] };
  /** Optimizer steps taken. */
  readonly steps: number;
}

/**
 * Trains `student` to imitate `teacher` on inputs `x` with the loss of {@link distillationLoss}
 * (Hinton et al. 2015), on the library's training loop (epochs, shuffled batches, callbacks,
 * `model.stopTraining`, abort signal). Only the student's trainable weights change, through
 * `optimizer.minimize`; the student runs in training mode (dropout active), as in `model.fit`.
 *
 * **Teacher logits are computed once**, in batches of `batchSize` and without a gradient tape,
 * before the first epoch, and kept for the whole run: that costs `N * classes * 4` bytes (60,000
 * examples of 10 classes: 2.4 MB, less than `x` itself whenever an example has more features than
 * there are classes) and saves a teacher forward pass per example in every later epoch. The teacher
 * runs in inference mode, so its outputs would not change between epochs anyway.
 *
 * **Pruned or quantization-aware students**: pass the compression module's `pruningCallback` (or
 * `quantizationAwareTraining`) controller in `callbacks`. The loop calls its `onBatchBegin` before
 * and `onBatchEnd` after every optimizer step, which is where it applies its masks (pruned weights
 * stay exactly zero) or swaps in the fake-quantized kernels. A student merely pruned once with
 * `pruneByMagnitude` and then distilled without such a controller regrows its zeros.
 *
 * @param teacher - The trained model: a `LayersModel` or a function `x => logits`.
 * @param student - The `LayersModel` to train (in place), with as many outputs as the teacher.
 * @param x - Training inputs `[N, ...]`, which the caller keeps.
 * @param options - {@link DistillOptions}: epochs, batchSize, optimizer, temperature (default 4),
 *   alpha (default 0.9), y (needed when alpha < 1), shuffle, rng, callbacks, signal.
 * @returns The per-epoch mean loss and the number of steps; the student is trained in place.
 * @throws InvalidArgumentError for bad options, a teacher whose outputs do not match the student's
 *   or are not finite, or no labels with alpha < 1; `AbortedError` when `signal` aborts.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { distill } from 'responsible-tfjs/sustainability';
 * const student = tf.sequential({ layers: [tf.layers.dense({ inputShape: [784], units: 32, activation: 'relu' }), tf.layers.dense({ units: 10 })] });
 * const { history } = await distill(teacher, student, xTrain, {
 *   y: yTrain, temperature: 4, alpha: 0.9, epochs: 5, batchSize: 64, optimizer: tf.train.adam(1e-3),
 * });
 * console.log(history.loss); // falling, epoch by epoch
 * ```
 */
export async function distill(teacher: ModelLike, student: LayersModel, x: Tensor, options: DistillOptions): Promise<DistillResult> {
  const fn = 'distill';
  assertBackend(fn);
  assertGradientsAvailable(fn);
  const o = optionsObject(fn, 'options', options);
  const settings = distillationSettings(fn, o);
  const teacherFn = forwardOf(fn, 'teacher', teacher, false);
  const studentFn = forwardOf(fn, 'student', student, true);
  const variables = trainableVariables(fn, student);
  const xs = tensorArgument(fn, 'x', x);
  const n = xs.rank >= 1 ? (xs.shape[0] as number) : 0;
  if (n < 1) invalid(fn, 'x', xs, 'inputs [N, ...] with N >= 1');
  const epochs = positiveInteger(fn, 'options.epochs', o.epochs);
  const batchSize = positiveInteger(fn, 'options.batchSize', o.batchSize);
  if (batchSize > n) invalid(fn, 'options.batchSize', batchSize, `an integer in [1, ${n}] (the number of examples)`);
  const optimizer = o.optimizer;
  if (typeof optimizer !== 'object' || optimizer === null || typeof optimizer.minimize !== 'function') {
    invalid(fn, 'options.optimizer', optimizer, 'a tfjs Optimizer (e.g. tf.train.adam(1e-3))');
  }
  const shuffle = booleanValue(fn, 'options.shuffle', o.shuffle ?? true);
  const rng = resolveRng(fn, o.rng, statisticalRng);
  const callbacks = callbackList(o.callbacks);
  const signal = checkSignal(fn, 'options.signal', o.signal);
  const teacherKind = resolveOutputKind(fn, teacher, o.teacherOutput, 'options.teacherOutput');
  const studentKind = resolveOutputKind(fn, student, o.studentOutput, 'options.studentOutput');
  if (o.y === undefined && settings.alpha < 1) {
    invalid(fn, 'options.y', o.y, 'class indices or one-hot rows when options.alpha < 1', 'Only pure soft targets (alpha = 1) need no labels');
  }

  const units = studentUnits(fn, studentFn, xs);
  const teacherLogits = await precomputeTeacher(fn, teacherFn, teacherKind, xs, batchSize, signal);
  let labels: Tensor2D | undefined;
  try {
    const classes = units === 1 ? 2 : units;
    if (teacherLogits.shape[1] !== classes) {
      invalid(fn, 'teacher', `outputs over ${teacherLogits.shape[1]} classes`, `outputs over the student's ${classes} classes`);
    }
    await assertFiniteTensor(fn, 'teacher outputs', teacherLogits);
    // Tensor labels of rank 1 or one column are read asynchronously first: the checks behind
    // labelRows read values, and a synchronous read on webgpu loses the device.
    const y = isTensor(o.y) && (o.y.rank === 1 || (o.y.rank === 2 && o.y.shape[1] === 1)) ? Array.from(await o.y.data()) : o.y;
    labels = y === undefined || settings.alpha === 1 ? undefined : labelRows(fn, y, units, n);
    const rowsOf = { teacher: teacherLogits, labels };
    let sums = { loss: 0, seen: 0 };
    const { history, steps } = await runTrainingLoop({
      fn, epochs, signal, callbacks, stopRequested: stopFlag(student),
      batches: sequentialBatches({ n, batchSize, shuffle, rng }),
      async step(rows) {
        const batch = tidy(() => {
          const idx = tensor1d(rows, 'int32');
          return { xb: gather(xs, idx), tb: gather(rowsOf.teacher, idx) as Tensor2D, yb: rowsOf.labels && (gather(rowsOf.labels, idx) as Tensor2D) };
        });
        try {
          const cost = optimizer.minimize(() => batchLoss(studentFn, studentKind, batch, settings), true, variables) as Scalar;
          const value = (await cost.data())[0] as number;
          cost.dispose();
          sums = { loss: sums.loss + value * rows.length, seen: sums.seen + rows.length };
          return { logs: { size: rows.length, loss: value } };
        } finally {
          dispose([batch.xb, batch.tb, ...(batch.yb ? [batch.yb] : [])]);
        }
      },
      endEpoch() {
        const logs = { loss: sums.loss / sums.seen };
        sums = { loss: 0, seen: 0 };
        return logs;
      },
    });
    return { history: { loss: history.loss ?? [] }, steps };
  } finally {
    dispose([teacherLogits, ...(labels ? [labels] : [])]);
  }
}

/** Mean distillation loss of the student on one batch (runs under the optimizer's gradient tape). */
function batchLoss(
  studentFn: (x: Tensor) => Tensor, kind: OutputKind, batch: { xb: Tensor; tb: Tensor2D; yb: Tensor2D | undefined }, settings: DistillationSettings,
): Scalar {
  return tidy(() => mean(perExampleDistillation(classLogits(studentFn(batch.xb), kind), batch.tb, batch.yb, settings)) as Scalar);
}

/** A model's forward function; the student in training mode (dropout active), the teacher in inference mode. */
function forwardOf(fn: string, argument: string, model: unknown, training: boolean): (x: Tensor) => Tensor {
  if (typeof model === 'function' && !training) return model as (x: Tensor) => Tensor;
  if (typeof model !== 'object' || model === null || typeof (model as LayersModel).apply !== 'function') {
    invalid(fn, argument, model, training ? 'a tf.LayersModel' : 'a tf.LayersModel or a function (x: Tensor) => Tensor');
  }
  const m = model as LayersModel;
  return (x: Tensor) => {
    const out = m.apply(x, { training });
    if (Array.isArray(out)) invalid(fn, argument, model, 'a model with a single output');
    return out as Tensor;
  };
}

/** The student's trainable variables (what the optimizer may change). */
function trainableVariables(fn: string, student: LayersModel): Variable[] {
  const weights = (student as { trainableWeights?: unknown }).trainableWeights;
  if (!Array.isArray(weights) || weights.length === 0) invalid(fn, 'student', student, 'a model with trainable weights');
  return weights.map((w) => (w as { read(): Variable }).read());
}

/** Output units of the student, from one example (shapes only, nothing kept). */
function studentUnits(fn: string, studentFn: (x: Tensor) => Tensor, x: Tensor): number {
  const probe = tidy(() => studentFn(slice(x, 0, 1)));
  const shape = probe.shape;
  probe.dispose();
  if (shape.length !== 2) invalid(fn, 'student', `a model returning [${shape.join(', ')}]`, 'a model returning [batch, classes]');
  return shape[1] as number;
}

/** The teacher's class logits on all of `x`, `[N, K]`, computed in batches without a gradient tape. */
async function precomputeTeacher(
  fn: string, teacherFn: (x: Tensor) => Tensor, kind: OutputKind, x: Tensor, batchSize: number, signal: AbortSignal | undefined,
): Promise<Tensor2D> {
  const n = x.shape[0] as number;
  const parts: Tensor2D[] = [];
  try {
    for (let start = 0; start < n; start += batchSize) {
      if (start > 0) await betweenSteps(fn, signal);
      parts.push(tidy(() => {
        const out = teacherFn(slice(x, start, Math.min(batchSize, n - start)));
        if (out.rank !== 2) invalid(fn, 'teacher', `a model returning [${out.shape.join(', ')}]`, 'a model returning [batch, classes]');
        return classLogits(out, kind);
      }));
    }
    return parts.length === 1 ? (parts.pop() as Tensor2D) : (concat(parts, 0) as Tensor2D);
  } finally {
    dispose(parts);
  }
}

import { assertBackend } from '../../core/backend.js';
import { checkSignal } from '../../core/eventLoop.js';
import { sequentialBatches } from '../../core/training/batches.js';
import { stopFlag } from '../../core/training/stopFlag.js';
import { runTrainingLoop } from '../../core/training/trainingLoop.js';
import type { LabelsLike } from '../../core/labels.js';
import { resolveRng, statisticalRng, type Rng } from '../../core/rng.js';
import { dispose, gather, tensor1d, tidy, type LayersModel, type Optimizer, type Tensor, type Tensor2D } from '../../core/tf.js';
import { booleanValue, optionsObject } from '../../core/validate.js';
import { callbackList, type TrainingCallbacks } from '../../core/training/callbacks.js';
import { capture } from './capture.js';
import { applyGradients, checkOptimizer } from './dpSgdStep.js';
import { checkFinite, checkLabels, checkTrainingSetup } from './inputs.js';
import { meanGradients } from './privateGradients.js';

/**
 * Options of {@link fitWithPerExampleEngine}.
 */
export interface EngineFitOptions {
  /** Number of epochs, an integer >= 1. */
  readonly epochs: number;
  /** Batch size, an integer in [1, N]; the last batch of an epoch may be smaller. */
  readonly batchSize: number;
  /** Any tfjs optimizer. */
  readonly optimizer: Optimizer;
  /** Shuffle the examples every epoch (default true). */
  readonly shuffle?: boolean;
  /** Source of the shuffling (default `Math.random`, as for all statistical randomness; `seededRng(seed)` to reproduce). */
  readonly rng?: Rng;
  /** tfjs-style callbacks, one object or a list. */
  readonly callbacks?: TrainingCallbacks | readonly TrainingCallbacks[];
  /** Stops training between two steps (rejecting with `AbortedError`). */
  readonly signal?: AbortSignal;
}

/**
 * Result of {@link fitWithPerExampleEngine}.
 */
export interface EngineFitResult {
  /** Mean training loss and accuracy of each epoch. */
  readonly history: { readonly loss: number[]; readonly accuracy: number[] };
}

/**
 * Ordinary (non-private) mini-batch training of a classifier through the per-example engine:
 * mean gradients from layer inputs and output gradients, no clipping, no noise. It needs no
 * weight-gradient kernels, so it trains convolutional models on backends where tfjs's own
 * `model.fit` cannot (on wasm, `Conv2DBackpropFilter` is not registered).
 *
 * @param model - A supported `LayersModel` whose output is a softmax or logits.
 * @param x - Training inputs `[N, ...]`.
 * @param y - Class indices or one-hot rows.
 * @param options - {@link EngineFitOptions}.
 * @returns Per-epoch loss and accuracy; the model is trained in place.
 * @example
 * ```ts
 * import { fitWithPerExampleEngine } from 'responsible-tfjs/privacy';
 * // On the wasm backend (selected by your application), where tfjs's own fit of a Conv2D fails:
 * const { history } = await fitWithPerExampleEngine(cnn, x, labels, { epochs: 5, batchSize: 32, optimizer: tf.train.adam(1e-3) });
 * ```
 */
export async function fitWithPerExampleEngine(model: LayersModel, x: Tensor, y: LabelsLike, options: EngineFitOptions): Promise<EngineFitResult> {
  const fn = 'fitWithPerExampleEngine';
  assertBackend(fn);
  const o = optionsObject(fn, 'options', options);
  const { plan, n, epochs, batchSize } = checkTrainingSetup(fn, model, x, o);
  const shuffle = booleanValue(fn, 'options.shuffle', o.shuffle ?? true);
  const optimizer = checkOptimizer(fn, o.optimizer);
  const rng = resolveRng(fn, o.rng, statisticalRng);
  const callbacks = callbackList(o.callbacks);
  const signal = checkSignal(fn, 'options.signal', o.signal);
  const labels = checkLabels(fn, plan, y, n);
  try {
    await checkFinite(fn, x);
    let sums = { loss: 0, correct: 0, seen: 0 };
    const { history } = await runTrainingLoop({
      fn, epochs, signal, callbacks, stopRequested: stopFlag(model),
      batches: sequentialBatches({ n, batchSize, shuffle, rng }),
      async step(rows) {
        const { xb, yb } = tidy(() => {
          const idx = tensor1d(rows, 'int32');
          return { xb: gather(x, idx), yb: gather(labels, idx) as Tensor2D };
        });
        const cap = capture(plan, xb, yb, true);
        try {
          applyGradients(plan, optimizer, meanGradients(plan, cap));
          const [l, c] = await Promise.all([cap.losses.data(), cap.correct.data()]);
          const batchLoss = Array.from(l).reduce((a, v) => a + v, 0);
          const batchCorrect = Array.from(c).reduce((a, v) => a + v, 0);
          sums = { loss: sums.loss + batchLoss, correct: sums.correct + batchCorrect, seen: sums.seen + rows.length };
          return { logs: { size: rows.length, loss: batchLoss / rows.length, accuracy: batchCorrect / rows.length } };
        } finally {
          cap.dispose();
          dispose([xb, yb]);
        }
      },
      endEpoch() {
        const logs = { loss: sums.loss / sums.seen, accuracy: sums.correct / sums.seen };
        sums = { loss: 0, correct: 0, seen: 0 };
        return logs;
      },
    });
    return { history: { loss: history.loss ?? [], accuracy: history.accuracy ?? [] } };
  } finally {
    dispose(labels);
  }
}

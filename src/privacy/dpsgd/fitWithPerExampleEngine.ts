import { betweenSteps, checkSignal } from '../../core/eventLoop.js';
import type { LabelsLike } from '../../core/labels.js';
import { resolveRng, seededRng, shuffledIndices, type Rng } from '../../core/rng.js';
import { dispose, gather, tensor1d, tidy, type LayersModel, type Optimizer, type Tensor, type Tensor2D } from '../../core/tf.js';
import { booleanValue, optionsObject } from '../../core/validate.js';
import { callbackList, fire, type TrainingCallbacks } from './callbacks.js';
import { capture } from './capture.js';
import { applyGradients, checkOptimizer } from './dpSgdStep.js';
import { stopFlag } from './fitPrivately.js';
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
  /** Source of the shuffling (default `seededRng(0)`: this is not private training). */
  readonly rng?: Rng;
  /** tfjs-style callbacks, one object or a list. */
  readonly callbacks?: TrainingCallbacks | readonly TrainingCallbacks[];
  /** Stops training between two steps (rejecting with `AbortedError`). */
  readonly signal?: AbortSignal;
}

/**
 * Result of {@link fitWithPerExampleEngine}.
 *
 * @example
 * ```ts
 * import type { EngineFitResult } from 'responsible-tfjs/privacy';
 * const r: EngineFitResult = { history: { loss: [0.9, 0.4], accuracy: [0.7, 0.9] } };
 * ```
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
  const o = optionsObject(fn, 'options', options);
  const { plan, n, epochs, batchSize } = checkTrainingSetup(fn, model, x, o);
  const shuffle = booleanValue(fn, 'shuffle', o.shuffle ?? true);
  const optimizer = checkOptimizer(fn, o.optimizer);
  const rng = resolveRng(fn, o.rng, () => seededRng(0));
  const callbacks = callbackList(o.callbacks);
  const signal = checkSignal(fn, 'options.signal', o.signal);
  const labels = checkLabels(fn, plan, y, n);
  try {
    await checkFinite(fn, x);
    const history = { loss: [] as number[], accuracy: [] as number[] };
    const stopRequested = stopFlag(model);
    await fire(callbacks, 'onTrainBegin', {});
    for (let epoch = 0; epoch < epochs && !stopRequested(); epoch++) {
      await fire(callbacks, 'onEpochBegin', epoch, {});
      const order = shuffle ? shuffledIndices(n, rng) : Int32Array.from({ length: n }, (_, i) => i);
      let lossSum = 0;
      let correct = 0;
      for (let start = 0, b = 0; start < n; start += batchSize, b++) {
        await betweenSteps(fn, signal);
        const indices = order.subarray(start, Math.min(n, start + batchSize));
        await fire(callbacks, 'onBatchBegin', b, { size: indices.length });
        const { xb, yb } = tidy(() => {
          const idx = tensor1d(indices, 'int32');
          return { xb: gather(x, idx), yb: gather(labels, idx) as Tensor2D };
        });
        const cap = capture(plan, xb, yb, true);
        try {
          applyGradients(plan, optimizer, meanGradients(plan, cap));
          const [l, c] = await Promise.all([cap.losses.data(), cap.correct.data()]);
          const batchLoss = Array.from(l).reduce((a, v) => a + v, 0);
          const batchCorrect = Array.from(c).reduce((a, v) => a + v, 0);
          lossSum += batchLoss;
          correct += batchCorrect;
          await fire(callbacks, 'onBatchEnd', b, { size: indices.length, loss: batchLoss / indices.length, acc: batchCorrect / indices.length });
        } finally {
          cap.dispose();
          dispose([xb, yb]);
        }
      }
      history.loss.push(lossSum / n);
      history.accuracy.push(correct / n);
      await fire(callbacks, 'onEpochEnd', epoch, { loss: lossSum / n, acc: correct / n });
    }
    await fire(callbacks, 'onTrainEnd', {});
    return { history };
  } finally {
    dispose(labels);
  }
}

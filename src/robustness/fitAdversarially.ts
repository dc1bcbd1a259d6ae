import { AbortedError } from '../core/errors.js';
import { checkSignal, throwIfAborted } from '../core/eventLoop.js';
import { sequentialBatches } from '../core/training/batches.js';
import { callbackList } from '../core/training/callbacks.js';
import { stopFlag } from '../core/training/stopFlag.js';
import { runTrainingLoop } from '../core/training/trainingLoop.js';
import { isTensor, type LabelsLike } from '../core/labels.js';
import { toForwardFn, type ModelLike } from '../core/model.js';
import { labelsLikeOutputs, resolveOutputKind } from '../core/outputs/index.js';
import { resolveRng, statisticalRng } from '../core/rng.js';
import { tensorArgument } from '../core/tensorArgument.js';
import { gather, slice, tensor1d, tidy, train, type Tensor } from '../core/tf.js';
import { booleanValue, invalid, oneOf, optionsObject, positiveInteger } from '../core/validate.js';
import { adversarialTrainingStep } from './adversarialTrainingStep.js';
import type { AdversarialHistory, AdversarialLogs, FitAdversariallyOptions } from './fitAdversariallyTypes.js';
import { tradesTrainingStep } from './tradesTrainingStep.js';
import type { TrainingStepResult } from './training.js';

/**
 * Trains a model adversarially: every batch goes through {@link adversarialTrainingStep} (PGD,
 * Madry et al.) or {@link tradesTrainingStep} (TRADES), with tfjs-style callbacks for progress.
 * Note: on the wasm backend, tfjs 4.22 cannot train Conv2D layers (its `Conv2DBackpropFilter`
 * kernel is missing there); train convolutional models on cpu, webgl or webgpu.
 *
 * Training yields to the event loop between attack steps and between batches, so a page stays
 * responsive, and stops on `options.signal` (see {@link FitAdversariallyOptions.signal}).
 *
 * @param model - A `tf.LayersModel`, or a function with `options.variables`; a single output unit
 *   is a binary model (see {@link pgd}).
 * @param x - Training inputs `[n, ...]` with values in the attack's `[clipMin, clipMax]`.
 * @param y - Training classes as indices or one-hot rows (0/1, or a `[n, 1]` 0/1 column, for a
 *   single-output model).
 * @returns Per-epoch mean loss and adversarial accuracy.
 * @throws {@link InvalidArgumentError} for bad options, inputs or labels (a disposed tensor
 *   included); {@link AbortedError} when `options.signal` is aborted (nothing leaks).
 * @example
 * ```ts
 * import { fitAdversarially } from 'responsible-tfjs/robustness';
 * const history = await fitAdversarially(model, xTrain, yTrain, {
 *   epochs: 20, batchSize: 64, method: 'trades', beta: 6,
 *   attack: { epsilon: 0.1, stepSize: 0.025, steps: 7 },
 *   callbacks: { onEpochEnd: (e, logs) => console.log(e, logs) },
 *   signal: AbortSignal.timeout(60_000), // give up after a minute
 * });
 * ```
 */
export async function fitAdversarially(model: ModelLike, x: Tensor, y: LabelsLike, options: FitAdversariallyOptions): Promise<AdversarialHistory> {
  const fn = 'fitAdversarially';
  const opts = optionsObject(fn, 'options', options);
  const epochs = positiveInteger(fn, 'options.epochs', opts.epochs);
  const batchSize = positiveInteger(fn, 'options.batchSize', opts.batchSize ?? 32);
  const method = oneOf(fn, 'options.method', opts.method ?? 'pgd', ['pgd', 'trades'] as const);
  const attack = optionsObject(fn, 'options.attack', opts.attack);
  if (opts.attack === undefined) invalid(fn, 'options.attack', undefined, 'the training attack ({ epsilon, stepSize, steps })');
  if (method === 'trades' && (attack.norm ?? 'linf') !== 'linf') invalid(fn, 'options.attack.norm', attack.norm, "'linf' with method 'trades'");
  const shuffle = booleanValue(fn, 'options.shuffle', opts.shuffle ?? true);
  const rng = resolveRng(fn, opts.rng, statisticalRng);
  const callbacks = callbackList(opts.callbacks);
  const signal = checkSignal(fn, 'options.signal', opts.signal);
  const forward = toForwardFn(fn, model);
  resolveOutputKind(fn, model, opts.modelOutput); // validates the option once, up front
  tensorArgument(fn, 'x', x, 'a tf.Tensor of training inputs with the examples as first dimension');
  if (x.rank < 2 || x.shape[0] === 0) invalid(fn, 'x', x, 'a non-empty batch of rank >= 2 ([n, ...features])');
  if (isTensor(y)) tensorArgument(fn, 'y', y, 'class indices or one-hot rows');
  throwIfAborted(fn, signal);
  const n = x.shape[0] as number;
  const classes = tidy(() => forward(slice(x, 0, 1)).shape[1]);
  if (typeof classes !== 'number') invalid(fn, 'model', model, 'a model returning [batch, classes]');
  const labels = labelsLikeOutputs(fn, y, classes, n);
  const layers = typeof model === 'function' ? undefined : model;
  const ownOptimizer = opts.optimizer === undefined && layers?.optimizer === undefined;
  const optimizer = opts.optimizer ?? layers?.optimizer ?? train.adam(1e-3);
  const common = { ...attack, rng, modelOutput: opts.modelOutput, variables: opts.variables, signal };
  const step = (xb: Tensor, yb: Tensor): Promise<TrainingStepResult> =>
    method === 'pgd'
      ? adversarialTrainingStep(model, xb, yb, { ...common, optimizer, loss: opts.loss, cleanWeight: opts.cleanWeight })
      : tradesTrainingStep(model, xb, yb, { ...common, optimizer, beta: opts.beta });
  const history = { loss: [] as number[], adversarialAccuracy: [] as number[] };
  let last: AdversarialLogs | undefined;
  let sums = { loss: 0, acc: 0, seen: 0 };
  let run: Awaited<ReturnType<typeof runTrainingLoop>>;
  try {
    run = await runTrainingLoop({
      fn, epochs, signal,
      callbacks,
      ...(layers !== undefined ? { stopRequested: stopFlag(layers) } : {}),
      batches: sequentialBatches({ n, batchSize, shuffle, rng }),
      async step(rows) {
        const { xb, yb } = tidy(() => {
          const idx = tensor1d(rows, 'int32');
          return { xb: gather(x, idx), yb: gather(labels, idx) };
        });
        let logs: TrainingStepResult;
        try {
          logs = await step(xb, yb);
        } catch (e) {
          // The step names itself in its AbortedError; the caller asked fitAdversarially to stop.
          throw e instanceof AbortedError ? new AbortedError(fn, e.reason) : e;
        } finally {
          xb.dispose();
          yb.dispose();
        }
        const size = rows.length;
        sums = { loss: sums.loss + logs.loss * size, acc: sums.acc + logs.adversarialAccuracy * size, seen: sums.seen + size };
        return { logs: { size, loss: logs.loss, adversarialAccuracy: logs.adversarialAccuracy } };
      },
      endEpoch() {
        last = { loss: sums.loss / sums.seen, adversarialAccuracy: sums.acc / sums.seen };
        sums = { loss: 0, acc: 0, seen: 0 };
        return { ...last };
      },
      endTraining: () => (last === undefined ? {} : { ...last }),
    });
  } finally {
    labels.dispose();
    if (ownOptimizer) optimizer.dispose();
  }
  history.loss.push(...(run.history.loss ?? []));
  history.adversarialAccuracy.push(...(run.history.adversarialAccuracy ?? []));
  const result = { history } as AdversarialHistory;
  // Deprecated alias (one minor version), kept out of enumeration so the result reads `{ history }`.
  Object.defineProperty(result, 'epoch', { value: history.loss.map((_, i) => i), enumerable: false });
  return result;
}

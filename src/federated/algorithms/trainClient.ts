/** One client's local training in a federated round (FedAvg, FedProx). */
import { AbortedError } from '../../core/errors.js';
import { checkSignal, throwIfAborted } from '../../core/eventLoop.js';
import type { LabelsLike } from '../../core/labels.js';
import { resolveRng, statisticalRng, type Rng } from '../../core/rng.js';
import { tensorArgument } from '../../core/tensorArgument.js';
import { withTapeCleanup } from '../../core/tape.js';
import { sequentialBatches } from '../../core/training/batches.js';
import { runTrainingLoop } from '../../core/training/trainingLoop.js';
import {
  add, dispose, gather, keep, mean, mul, scalar, square, sub, sum, tensor, tensor1d, tidy, train,
  type LayersModel, type Optimizer, type Scalar, type Tensor, type Variable,
} from '../../core/tf.js';
import { booleanValue, invalid, nonNegativeNumber, optionsObject, positiveInteger, positiveNumber } from '../../core/validate.js';
import type { ClientUpdate, WeightLayout } from '../types.js';
import { readWeights } from '../weights/readWeights.js';
import { trainableWeightsOf, weightLayoutOf } from '../weights/weightLayoutOf.js';
import { writeWeights } from '../weights/writeWeights.js';
import { resolveClientLoss, type ClientLoss } from './clientLoss.js';

/** Options of {@link trainClient}. */
export interface TrainClientOptions {
  /** The client's copy of the federation's architecture; its weights are overwritten. */
  readonly model: LayersModel;
  /** The round's global weights, flat in the model's {@link WeightLayout}. */
  readonly weights: Float32Array;
  /**
   * The layout the server sent `weights` in. When given, it is checked against the model
   * (a client whose architecture differs is refused before training); default: the model's own.
   */
  readonly layout?: WeightLayout;
  /** The client's inputs `[n, ...]`. */
  readonly x: Tensor;
  /**
   * Targets for the `n` examples: class indices or one-hot rows for `'crossEntropy'` (a 0/1
   * column for a one-unit model), a float tensor `[n, units]` for `'meanSquaredError'`, any tensor
   * with `n` rows for a loss function.
   */
  readonly y: LabelsLike;
  /** Passes over the local data (E in McMahan et al.). */
  readonly localEpochs: number;
  /** Minibatch size (B); the last batch of an epoch may be smaller. */
  readonly batchSize: number;
  /** Learning rate of local SGD (a fresh `tf.train.sgd` per call). Give this or `optimizer`. */
  readonly learningRate?: number;
  /**
   * Factory of the local optimizer, called once per call (the optimizer is disposed at the end):
   * e.g. `() => tf.train.momentum(0.01, 0.9)`. Give this or `learningRate`.
   */
  readonly optimizer?: () => Optimizer;
  /**
   * FedProx's `mu` (>= 0, default 0): adds `(mu / 2) ||w - w_global||^2` to every step's loss
   * (Li et al. 2020, "Federated Optimization in Heterogeneous Networks", https://arxiv.org/abs/1812.06127).
   */
  readonly proximalMu?: number;
  /** The loss (default `'crossEntropy'`), see {@link ClientLoss}. Layer regularizers are not added. */
  readonly loss?: ClientLoss;
  /** With `'crossEntropy'`: whether the model outputs `'logits'` or `'probabilities'` (default: as the model declares). */
  readonly modelOutput?: 'logits' | 'probabilities';
  /** Reshuffle the local data each epoch (default true). */
  readonly shuffle?: boolean;
  /** Source of the shuffling (default `Math.random`; `seededRng(seed)` for reproducible runs). */
  readonly rng?: Rng;
  /** Stops training between two steps with {@link AbortedError}; the model keeps the weights reached so far. */
  readonly signal?: AbortSignal;
}

/**
 * Local training of one client, the inner loop of FedAvg (McMahan et al. 2017,
 * https://arxiv.org/abs/1602.05629) and FedProx: sets the model to the global weights, runs
 * `localEpochs` of minibatch SGD over `(x, y)` through the library's training loop (yielding to
 * the event loop between steps), and returns the change of the weights. The model is left with
 * the local result. Only trainable weights take part: non-trainable state (e.g. batch
 * normalisation's moving statistics) stays local. With `shuffle: false` and plain SGD, one client's
 * update is exactly what `model.fit` with the same optimizer, batch size and epochs gives.
 *
 * @param options - See {@link TrainClientOptions}.
 * @returns The {@link ClientUpdate}: `delta = local - global` (a new Float32Array), `numExamples = n`,
 *   and `loss`, the mean data loss (without the proximal term) over the last epoch's steps. A
 *   diverged run returns NaN in `loss`/`delta`; {@link federatedAverage} refuses such updates.
 * @throws {@link InvalidArgumentError} for bad options, labels that do not fit the model, or
 *   weights/layout that do not match the model; {@link AbortedError} when `signal` aborts.
 *   Nothing leaks on any path.
 * @example
 * ```ts
 * import { trainClient } from 'responsible-tfjs/federated';
 * const update = await trainClient({
 *   model, weights: globalWeights, x: localX, y: localLabels,
 *   localEpochs: 1, batchSize: 32, learningRate: 0.05, proximalMu: 0.01,
 * });
 * send({ delta: update.delta, numExamples: update.numExamples });
 * ```
 */
export async function trainClient(options: TrainClientOptions): Promise<ClientUpdate> {
  const fn = 'trainClient';
  const opts = optionsObject(fn, 'options', options);
  const { model, weights, x, y } = opts;
  const localEpochs = positiveInteger(fn, 'options.localEpochs', opts.localEpochs);
  const batchSize = positiveInteger(fn, 'options.batchSize', opts.batchSize);
  if ((opts.learningRate === undefined) === (opts.optimizer === undefined)) {
    invalid(fn, 'options.learningRate', opts.learningRate, 'a finite number > 0, or undefined when options.optimizer is given (exactly one of the two)');
  }
  const learningRate = opts.learningRate === undefined ? undefined : positiveNumber(fn, 'options.learningRate', opts.learningRate);
  if (opts.optimizer !== undefined && typeof opts.optimizer !== 'function') invalid(fn, 'options.optimizer', opts.optimizer, 'a function returning a new tf.Optimizer');
  const mu = nonNegativeNumber(fn, 'options.proximalMu', opts.proximalMu ?? 0);
  const shuffle = booleanValue(fn, 'options.shuffle', opts.shuffle ?? true);
  const rng = resolveRng(fn, opts.rng, statisticalRng);
  const signal = checkSignal(fn, 'options.signal', opts.signal);
  tensorArgument(fn, 'x', x, 'a tf.Tensor of inputs with the examples as first dimension');
  if (x.rank < 1 || x.shape[0] === 0) invalid(fn, 'x', x, 'a non-empty batch ([n, ...features])');
  const n = x.shape[0] as number;
  trainableWeightsOf(fn, model);
  const layout = opts.layout ?? weightLayoutOf(model);
  // Labels are checked before the model is touched: a refused call leaves the weights alone.
  const lossFn = resolveClientLoss(fn, model, y, n, opts.loss, opts.modelOutput);
  let global: Tensor[] = [];
  let optimizer: Optimizer | undefined;
  let sums = { loss: 0, seen: 0 };
  let lastLoss = Number.NaN;
  try {
    writeWeights(model, layout, weights);
    throwIfAborted(fn, signal);
    const variables = model.trainableWeights.map((w) => w.read() as Variable);
    const made = opts.optimizer !== undefined ? opts.optimizer() : train.sgd(learningRate as number);
    if (typeof made?.minimize !== 'function') invalid(fn, 'options.optimizer', made, 'a factory returning a tf.Optimizer');
    const opt = (optimizer = made);
    // w_global of FedProx's proximal term, one tensor per weight.
    if (mu > 0) global = layout.shapes.map((s, i) => tensor(weights.slice(layout.offsets[i], layout.offsets[i + 1]), s as number[], 'float32'));
    await runTrainingLoop({
      fn, epochs: localEpochs, signal,
      batches: sequentialBatches({ n, batchSize, shuffle, rng }),
      async step(rows) {
        const { xb, yb } = tidy(() => {
          const idx = tensor1d(rows, 'int32');
          return { xb: gather(x, idx), yb: gather(lossFn.labels, idx) };
        });
        let dataLoss: Tensor | undefined;
        let cost: Scalar | null = null;
        try {
          cost = withTapeCleanup(() => tidy(() => opt.minimize(() => {
            const out = model.apply(xb, { training: true });
            if (Array.isArray(out)) invalid(fn, 'model', model, 'a model with a single output');
            const data = mean(lossFn.perExample(yb, out as Tensor)) as Scalar;
            if (mu === 0) return data;
            dataLoss = keep(data);
            const proximal = variables.reduce<Tensor>((acc, v, i) => add(acc, sum(square(sub(v, global[i] as Tensor)))), scalar(0));
            return add(data, mul(scalar(mu / 2), proximal)) as Scalar;
          }, true, variables) as Scalar));
          const value = ((await (dataLoss ?? cost!).data())[0]) as number;
          sums = { loss: sums.loss + value * rows.length, seen: sums.seen + rows.length };
          return { logs: { size: rows.length, loss: value } };
        } finally {
          dispose([xb, yb]);
          cost?.dispose();
          (dataLoss as Tensor | undefined)?.dispose();
        }
      },
      endEpoch() {
        lastLoss = sums.loss / sums.seen;
        sums = { loss: 0, seen: 0 };
        return { loss: lastLoss };
      },
    });
  } catch (e) {
    throw e instanceof AbortedError && e.fn !== fn ? new AbortedError(fn, e.reason) : e;
  } finally {
    lossFn.labels.dispose();
    dispose(global);
    optimizer?.dispose();
  }
  const local = (await readWeights(model)).values;
  const delta = new Float32Array(local.length);
  for (let i = 0; i < delta.length; i++) delta[i] = (local[i] as number) - (weights[i] as number);
  return { delta, numExamples: n, loss: lastLoss };
}

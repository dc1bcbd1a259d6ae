import { isTensor } from '../../core/labels.js';
import type { ModelLike } from '../../core/model.js';
import { resolveRng, statisticalRng, secureRng, type Rng } from '../../core/rng.js';
import { checkSignal } from '../../core/eventLoop.js';
import { sequentialBatches } from '../../core/training/batches.js';
import { callbackList } from '../../core/training/callbacks.js';
import { runTrainingLoop } from '../../core/training/trainingLoop.js';
import { batchLogs, checkLogKeys, flatLogs, objectiveHistory } from './logs.js';
import { checkLossAndOptimizer } from './objectiveStep.js';
import { dispose, gather, tensor1d, type LayersModel, type Tensor } from '../../core/tf.js';
import {
  booleanValue, invalid, numberInRange, oneOf, optionsObject, positiveInteger, positiveNumber,
} from '../../core/validate.js';
import { createAccountant, poissonBatches } from '../../privacy/index.js';
import { checkPrivateLayers } from '../../privacy/dpsgd/modelPlan.js';
import { extrasTensors } from '../../fairness/groupTensors.js';
import { NonDecomposableTermError } from '../errors.js';
import type { LossState } from '../lossState.js';
import { privateGradients } from './privateGradients.js';
import type { ObjectiveData, ObjectiveStepLogs, TrainMultiObjectiveOptions, TrainMultiObjectiveResult } from './types.js';

/**
 * Trains a model on a multi-objective loss built by {@link ethicalLoss}: mini-batches (shuffled with
 * `rng`), one {@link EthicalLoss.step} each (so Lagrange multipliers and MGDA weights update as
 * they should), per-epoch means of every term, and progress callbacks.
 *
 * With `privacy`, it trains with DP-SGD instead: Poisson-sampled batches, per-example clipping and
 * Gaussian noise, and an accountant reporting epsilon per epoch. DP-SGD accepts fixed weights only
 * (normalised weights, multipliers and MGDA weights are computed from the private batch, which
 * would leak it), terms with data dependence `'example'` (clipped per example) and `'none'`
 * (parameter-only, added after the noise at no privacy cost). Terms that couple examples
 * (`'batch'`) are refused with a {@link NonDecomposableTermError}: no per-example gradient exists to
 * clip. The plain cross-entropy of a LayersModel goes through the privacy module's vectorized
 * per-example engine; other per-example terms are differentiated one example at a time. The logged
 * term values are computed on the private batches and are not themselves private.
 *
 * @returns Per-epoch histories (and the privacy spent under DP-SGD).
 * @throws NonDecomposableTermError, InvalidArgumentError before any training.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { ethicalLoss, crossEntropyTerm, demographicParityTerm, lagrangian, trainMultiObjective } from 'responsible-tfjs/objectives';
 * const loss = ethicalLoss({ model, task: crossEntropyTerm(), terms: [demographicParityTerm()],
 *   weights: lagrangian({ bounds: { demographicParity: 0.05 } }) });
 * const { history } = await trainMultiObjective(model, { x, y, extras: { groups } }, {
 *   loss, optimizer: tf.train.adam(1e-2), epochs: 10, batchSize: 256,
 *   callbacks: { onEpochEnd: (e, logs) => console.log(e, logs.loss, logs.demographicParity, logs.demographicParityWeight) },
 * });
 * ```
 */
export async function trainMultiObjective(model: ModelLike, data: ObjectiveData, options: TrainMultiObjectiveOptions): Promise<TrainMultiObjectiveResult> {
  const fn = 'trainMultiObjective';
  const o = optionsObject(fn, 'options', options);
  const state = checkLossAndOptimizer(fn, model, o.loss, o.optimizer);
  if (typeof data !== 'object' || data === null || !isTensor(data.x) || data.x.rank < 1) invalid(fn, 'data.x', data?.x, 'a tensor [n, ...features]');
  const n = data.x.shape[0] as number;
  const epochs = positiveInteger(fn, 'options.epochs', o.epochs);
  const batchSize = positiveInteger(fn, 'options.batchSize', o.batchSize);
  if (batchSize > n) invalid(fn, 'options.batchSize', batchSize, `at most the number of examples (${n})`);
  const shuffle = booleanValue(fn, 'options.shuffle', o.shuffle ?? true);
  const callbacks = callbackList(o.callbacks);
  const privacy = o.privacy === undefined ? undefined : privacySettings(fn, state, o.privacy);
  const signal = checkSignal(fn, 'options.signal', o.signal);
  const yLength = isTensor(data.y) ? data.y.shape[0] : (data.y as ArrayLike<number> | undefined)?.length;
  if (yLength !== n) invalid(fn, 'data.y', data.y, `labels for the ${n} examples of data.x`);
  // Group labels among the extras (arrays, named columns, string tensors) are encoded once over the
  // whole data set, so that the batches gathered from it by row index share one coding.
  const { extras, created } = await extrasTensors(fn, 'data.extras', data.extras, n, 'data.x');
  for (const [k, v] of Object.entries(extras)) {
    if (v.shape[0] !== n) {
      dispose(created);
      invalid(fn, `data.extras.${k}`, v, `a tensor with first dimension ${n}`);
    }
  }
  data = { ...data, extras };
  const y = isTensor(data.y) ? data.y : tensor1d(Array.from(data.y as ArrayLike<number>), 'int32');
  const ownsY = y !== data.y;
  const rng = resolveRng(fn, o.rng, statisticalRng);
  const names = state.names();
  checkLogKeys(fn, names);
  const accountant = privacy ? createAccountant(privacy.accountant) : undefined;
  const sampleRate = batchSize / n;
  // Under DP-SGD an epoch is round(N / batchSize) Poisson steps, as in fitPrivately.
  const stepsPerEpoch = privacy ? Math.max(1, Math.round(n / batchSize)) : Math.ceil(n / batchSize);
  const batches = privacy ? poissonBatches({ numExamples: n, sampleRate, steps: epochs * stepsPerEpoch, rng: privacy.rng }) : undefined;
  let step = 0;
  let sums = { total: 0, values: names.map(() => 0), count: 0 };
  let run: Awaited<ReturnType<typeof runTrainingLoop>>;
  try {
    run = await runTrainingLoop({
      fn, epochs, signal, callbacks,
      batches: batches
        ? { stepsPerEpoch, rows: () => batches.next().value as Int32Array }
        : sequentialBatches({ n, batchSize, shuffle, rng }),
      async step(rows, epoch) {
        // The step is recorded before its noise is drawn.
        if (accountant && privacy) accountant.step({ noiseMultiplier: privacy.noiseMultiplier, sampleRate });
        const logs = await trainStep(state, o, data, y, rows, privacy, epoch, sampleRate * n);
        if (logs.batchSize > 0 || (privacy && !privacy.expose)) {
          sums.total += logs.total;
          names.forEach((k, i) => (sums.values[i]! += logs.values[k]!));
          sums.count++;
        }
        step++;
        return { logs: batchLogs(logs) };
      },
      endEpoch() {
        const c = Math.max(1, sums.count);
        const epsilon = accountant && privacy ? accountant.getEpsilon(privacy.delta) : undefined;
        const logs = flatLogs(sums.total / c, names, (i) => sums.values[i]! / c, weightsOf(state), epsilon);
        sums = { total: 0, values: names.map(() => 0), count: 0 };
        return logs;
      },
    });
  } finally {
    state.unbind();
    if (ownsY) y.dispose();
    dispose(created);
  }
  const history = objectiveHistory(run.history, names);
  if (!privacy || !accountant) return { history };
  return {
    history,
    privacy: {
      epsilon: accountant.getEpsilon(privacy.delta), delta: privacy.delta, steps: step, sampleRate,
      secure: privacy.rng.secure, rngLabel: privacy.rng.label,
    },
  };
}

interface PrivacySettings {
  readonly maxGradNorm: number;
  readonly noiseMultiplier: number;
  readonly delta: number;
  readonly accountant: 'rdp' | 'pld';
  readonly rng: Rng;
  readonly expose: boolean;
}

function privacySettings(fn: string, state: LossState, p: TrainMultiObjectiveOptions['privacy']): PrivacySettings {
  const o = optionsObject(fn, 'options.privacy', p);
  // The one model check of every DP entry point: batch-mixing or unverifiable layers are refused.
  if (typeof state.model === 'function') {
    invalid(fn, 'model', state.model, 'a tf.LayersModel when training with DP-SGD',
      'A function model cannot be checked for layers that mix examples (BatchNormalization in training mode), which would void the guarantee');
  }
  checkPrivateLayers(fn, state.model as LayersModel);
  const coupled = state.objectives.filter((t) => t.dataDependence === 'batch').map((t) => t.name);
  if (coupled.length > 0) throw new NonDecomposableTermError(fn, coupled);
  if (!state.strategy.privateSafe) {
    invalid(fn, 'options.loss', `${state.strategy.name} weights`, 'a loss with fixed weights when training with DP-SGD',
      'Normalised weights, Lagrange multipliers and MGDA weights are computed from the private batches, which would leak them; fix the weights (e.g. choose them on public data or with a Pareto sweep)');
  }
  return {
    maxGradNorm: positiveNumber(fn, 'options.privacy.maxGradNorm', o.maxGradNorm),
    noiseMultiplier: positiveNumber(fn, 'options.privacy.noiseMultiplier', o.noiseMultiplier),
    delta: numberInRange(fn, 'options.privacy.delta', o.delta ?? 1e-5, { min: 0, max: 1, minInclusive: false, maxInclusive: false }),
    accountant: oneOf(fn, 'options.privacy.accountant', o.accountant ?? 'rdp', ['rdp', 'pld'] as const),
    rng: resolveRng(fn, o.rng, secureRng, 'options.privacy.rng'),
    expose: booleanValue(fn, 'options.privacy.exposeNonPrivateMetrics', o.exposeNonPrivateMetrics ?? false),
  };
}

async function trainStep(
  state: LossState, o: TrainMultiObjectiveOptions, data: ObjectiveData, y: Tensor, idx: Int32Array, privacy: PrivacySettings | undefined, epoch: number,
  expectedBatchSize: number,
): Promise<ObjectiveStepLogs> {
  const names = state.names();
  const owned: Tensor[] = [];
  // One index tensor per step, shared by every gathered tensor (x, labels, each extra).
  let indices: Tensor | undefined;
  const take = (t: Tensor): Tensor => {
    indices ??= tensor1d(idx, 'int32');
    const g = gather(t, indices);
    owned.push(g);
    return g;
  };
  try {
    if (idx.length === 0) {
      // An empty Poisson batch still takes a (noise-only) private step.
      state.unbind();
      const { gradients } = await privateGradients(state, { ...privacy!, expectedBatchSize });
      o.optimizer.applyGradients(gradients);
      dispose(Object.values(gradients));
      return hidden(epoch, names, weightsOf(state), 0, privacy!);
    }
    const extras = Object.fromEntries(Object.entries(data.extras ?? {}).map(([k, v]) => [k, take(v as Tensor)])); // encoded to tensors up front
    const x = take(data.x);
    const labels = take(y);
    await o.loss.setBatch({ x, y: labels, extras });
    if (!privacy) {
      const r = await o.loss.step(o.optimizer);
      return { epoch, total: r.total, values: r.values, weights: r.weights, batchSize: idx.length };
    }
    const weights = weightsOf(state);
    const { gradients } = await privateGradients(state, { ...privacy, expectedBatchSize });
    try {
      if (!privacy.expose) return hidden(epoch, names, weights, idx.length, privacy);
      // Logged values (on the batch before the update): not private, reported only on request.
      const total = state.evaluate();
      const [t] = await total.data();
      total.dispose();
      const values = await o.loss.lastValues();
      return { epoch, total: t as number, values, weights, batchSize: idx.length };
    } finally {
      o.optimizer.applyGradients(gradients);
      dispose(Object.values(gradients));
    }
  } finally {
    state.unbind();
    dispose(owned);
    indices?.dispose();
  }
}

/** Logs of a private step when non-private metrics are not requested: NaN values, no batch size. */
function hidden(epoch: number, names: readonly string[], weights: Record<string, number>, batchSize: number, privacy: PrivacySettings): ObjectiveStepLogs {
  return {
    epoch, total: privacy.expose ? 0 : Number.NaN,
    values: Object.fromEntries(names.map((k) => [k, privacy.expose ? 0 : Number.NaN])), weights,
    batchSize: privacy.expose ? batchSize : Number.NaN,
  };
}

function weightsOf(state: LossState): Record<string, number> {
  return Object.fromEntries(state.names().map((k, i) => [k, state.weights[i] as number]));
}

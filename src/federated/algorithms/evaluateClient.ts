/** Evaluating the global model on one client's data. */
import { toForwardFn } from '../../core/model.js';
import { tensorArgument } from '../../core/tensorArgument.js';
import { gather, range, sum, tidy, type LayersModel, type Tensor } from '../../core/tf.js';
import type { LabelsLike } from '../../core/labels.js';
import { invalid, optionsObject, positiveInteger } from '../../core/validate.js';
import type { WeightLayout } from '../types.js';
import { trainableWeightsOf, weightLayoutOf } from '../weights/weightLayoutOf.js';
import { writeWeights } from '../weights/writeWeights.js';
import { resolveClientLoss, type ClientLoss } from './clientLoss.js';

/** Options of {@link evaluateClient}. */
export interface EvaluateClientOptions {
  /** The client's copy of the architecture; its weights are set to `weights`. */
  readonly model: LayersModel;
  /** The weights to evaluate, flat in the model's layout. */
  readonly weights: Float32Array;
  /** The layout of `weights`, checked against the model (default: the model's own). */
  readonly layout?: WeightLayout;
  /** Inputs `[n, ...]`. */
  readonly x: Tensor;
  /** Targets, as for {@link trainClient}. */
  readonly y: LabelsLike;
  /** Examples per forward pass (default 256); only memory changes with it. */
  readonly batchSize?: number;
  /** The loss (default `'crossEntropy'`), see {@link ClientLoss}. */
  readonly loss?: ClientLoss;
  /** With `'crossEntropy'`: `'logits'` or `'probabilities'` (default: as the model declares). */
  readonly modelOutput?: 'logits' | 'probabilities';
}

/** A client's evaluation of one set of weights. */
export interface ClientEvaluation {
  /** Mean per-example loss. */
  readonly loss: number;
  /** Fraction of correctly classified examples (`'crossEntropy'` only; NaN for other losses). */
  readonly accuracy: number;
  /** Examples evaluated (the weight in {@link aggregateEvaluations}). */
  readonly numExamples: number;
}

/**
 * Evaluates weights on a client's data in inference mode (dropout off): the mean per-example
 * loss and the accuracy. The model keeps `weights` afterwards.
 *
 * @param options - See {@link EvaluateClientOptions}.
 * @returns A {@link ClientEvaluation}.
 * @throws {@link InvalidArgumentError} for bad options, labels or weights that do not fit the model.
 * @example
 * ```ts
 * import { aggregateEvaluations, evaluateClient } from 'responsible-tfjs/federated';
 * const evals = [];
 * for (const c of clients) evals.push(await evaluateClient({ model, weights: globalWeights, x: c.x, y: c.y }));
 * console.log(aggregateEvaluations(evals)); // { loss, accuracy, numExamples } over all clients
 * ```
 */
export async function evaluateClient(options: EvaluateClientOptions): Promise<ClientEvaluation> {
  const fn = 'evaluateClient';
  const opts = optionsObject(fn, 'options', options);
  const { model, weights, x, y } = opts;
  const batchSize = positiveInteger(fn, 'options.batchSize', opts.batchSize ?? 256);
  tensorArgument(fn, 'x', x, 'a tf.Tensor of inputs with the examples as first dimension');
  if (x.rank < 1 || x.shape[0] === 0) invalid(fn, 'x', x, 'a non-empty batch ([n, ...features])');
  const n = x.shape[0] as number;
  trainableWeightsOf(fn, model);
  const forward = toForwardFn(fn, model);
  const layout = opts.layout ?? weightLayoutOf(model);
  const lossFn = resolveClientLoss(fn, model, y, n, opts.loss, opts.modelOutput);
  let lossSum = 0;
  let correct = 0;
  try {
    writeWeights(model, layout, weights);
    for (let start = 0; start < n; start += batchSize) {
      const size = Math.min(batchSize, n - start);
      const [l, c] = tidy(() => {
        const idx = range(start, start + size, 1, 'int32');
        const xb = gather(x, idx);
        const yb = gather(lossFn.labels, idx);
        const out = forward(xb);
        return [sum(lossFn.perExample(yb, out)), lossFn.correct?.(yb, out)] as const;
      });
      try {
        lossSum += ((await l.data())[0]) as number;
        if (c !== undefined) correct += ((await c.data())[0]) as number;
      } finally {
        l.dispose();
        c?.dispose();
      }
    }
  } finally {
    lossFn.labels.dispose();
  }
  return { loss: lossSum / n, accuracy: lossFn.correct !== undefined ? correct / n : Number.NaN, numExamples: n };
}

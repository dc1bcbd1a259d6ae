import { AbortedError } from '../core/errors.js';
import { betweenSteps, checkSignal, throwIfAborted } from '../core/eventLoop.js';
import { isTensor, type LabelsLike } from '../core/labels.js';
import { toForwardFn, type ModelLike } from '../core/model.js';
import { classIndicesOf, predictedClasses, resolveOutputKind, type OutputKind } from '../core/outputs/index.js';
import { tensorArgument } from '../core/tensorArgument.js';
import { equal, slice, sum, tidy, cast, type Tensor, type Tensor1D } from '../core/tf.js';
import { invalid, optionsObject, positiveInteger } from '../core/validate.js';
import { outputUnits } from './context.js';
import type { Attack, AttackCallOptions, ModelOutput } from './types.js';

/** Options of {@link robustAccuracy}. */
export interface RobustAccuracyOptions {
  /**
   * Examples attacked together (an integer >= 1). Default 256. Mean-loss attacks see the batch
   * only through the mean, so for sign-based (L-inf) attacks the batch size does not change results.
   */
  readonly batchSize?: number;
  /**
   * Stops the evaluation when aborted: the call rejects with {@link AbortedError} between batches
   * (and inside the attack, if the attack forwards the signal it receives as
   * {@link AttackCallOptions}), disposing every tensor it created. The evaluation yields to the
   * event loop between batches either way. Default: none.
   */
  readonly signal?: AbortSignal;
  /**
   * Whether the model returns logits or probabilities; it matters for single-output (binary)
   * models only, whose prediction is class 1 above a logit of 0 or a probability of 0.5. Default:
   * what the model declares (see {@link ModelOutput}).
   */
  readonly modelOutput?: ModelOutput;
}

/** What {@link evaluationInputs} validated: the forward function, class indices and output kind. */
export interface EvaluationInputs {
  readonly forward: (x: Tensor) => Tensor;
  /** Class indices `[n]` (int32), owned by the caller. */
  readonly labels: Tensor1D;
  readonly outputKind: OutputKind;
}

/** Validates a model and inputs and returns the labels as class indices (internal). */
export function evaluationInputs(fn: string, model: ModelLike, x: Tensor, y: LabelsLike, modelOutput: unknown): EvaluationInputs {
  const forward = toForwardFn(fn, model);
  const outputKind = resolveOutputKind(fn, model, modelOutput);
  tensorArgument(fn, 'x', x, 'a tf.Tensor of inputs with the batch as first dimension');
  if (isTensor(y)) tensorArgument(fn, 'y', y, 'class indices or one-hot rows');
  if (x.rank < 2 || x.shape[0] === 0) invalid(fn, 'x', x, 'a non-empty batch of rank >= 2');
  const units = outputUnits(fn, model, forward, x, y);
  return { forward, labels: classIndicesOf(fn, y, units, x.shape[0] as number), outputKind };
}

/** Number of correct predictions of `forward` on `x` (internal). */
export async function countCorrect(forward: (x: Tensor) => Tensor, x: Tensor, labels: Tensor1D, kind: OutputKind): Promise<number> {
  const correct = tidy(() => sum(cast(equal(predictedClasses(forward(x), kind), cast(labels, 'int32')), 'int32')));
  const value = (await correct.data())[0] as number;
  correct.dispose();
  return value;
}

/**
 * Correct predictions after `attack` (or on the clean inputs when `attack` is undefined), attacked
 * `batchSize` examples at a time, yielding to the event loop before each batch (internal).
 */
export async function countRobust(
  fn: string, model: ModelLike, inputs: EvaluationInputs, x: Tensor, attack: Attack | undefined, batchSize: number, signal?: AbortSignal,
): Promise<number> {
  const { forward, labels, outputKind } = inputs;
  const n = x.shape[0] as number;
  let correct = 0;
  for (let start = 0; start < n; start += batchSize) {
    await betweenSteps(fn, signal);
    const size = Math.min(batchSize, n - start);
    const xb = slice(x, start, size);
    const yb = slice(labels, start, size);
    let xAdv: unknown = xb;
    try {
      if (attack !== undefined) {
        try {
          xAdv = await attack(model, xb, yb, { signal });
        } catch (e) {
          // An attack stopped by our signal (e.g. pgd named in its error): report this function.
          throw e instanceof AbortedError && signal?.aborted === true ? new AbortedError(fn, e.reason) : e;
        }
      }
      if (!isTensor(xAdv) || xAdv.shape.join() !== xb.shape.join()) {
        invalid(fn, 'attack', xAdv, `a function resolving to a tensor of shape [${xb.shape.join(', ')}]`);
      }
      // An attack that ignores the signal still stops here.
      throwIfAborted(fn, signal);
      correct += await countCorrect(forward, xAdv, yb, outputKind);
    } finally {
      if (xAdv !== xb && isTensor(xAdv)) xAdv.dispose();
      xb.dispose();
      yb.dispose();
    }
  }
  return correct;
}

/**
 * Robust accuracy: the fraction of examples the model still classifies correctly after `attack`
 * perturbs them, attacked `batchSize` examples at a time. It yields to the event loop between
 * batches and stops on `options.signal`, which it also hands to the attack (4th argument).
 *
 * @param model - A `tf.LayersModel` or a function from inputs to scores (the arg-max is the
 *   prediction; with a single output unit, class 1 above a logit of 0 or a probability of 0.5).
 * @param x - Inputs `[n, ...]`.
 * @param y - True classes as indices or one-hot rows (0/1, or a `[n, 1]` 0/1 column, for a
 *   single-output model). The attack receives each batch's classes as indices.
 * @param attack - The attack, e.g. `(m, xb, yb) => pgd(m, xb, yb, { epsilon: 0.1, stepSize: 0.01, steps: 20 })`.
 * @returns The robust accuracy, a plain number in [0, 1].
 * @throws {@link InvalidArgumentError} for bad options, inputs or labels (a disposed tensor
 *   included) or an attack resolving to the wrong shape; {@link AbortedError} when
 *   `options.signal` is aborted (nothing leaks).
 * @example
 * ```ts
 * import { pgd, robustAccuracy } from 'responsible-tfjs/robustness';
 * const controller = new AbortController(); // controller.abort() stops the evaluation
 * const acc = await robustAccuracy(model, xTest, yTest,
 *   (m, xb, yb, call) => pgd(m, xb, yb, { epsilon: 0.1, stepSize: 0.0125, steps: 20, signal: call?.signal }),
 *   { batchSize: 128, signal: controller.signal });
 * ```
 */
export async function robustAccuracy(model: ModelLike, x: Tensor, y: LabelsLike, attack: Attack, options?: RobustAccuracyOptions): Promise<number> {
  const fn = 'robustAccuracy';
  const opts = optionsObject(fn, 'options', options);
  const batchSize = positiveInteger(fn, 'options.batchSize', opts.batchSize ?? 256);
  if (typeof attack !== 'function') invalid(fn, 'attack', attack, 'a function (model, x, y) => Promise<adversarial x>');
  const signal = checkSignal(fn, 'options.signal', opts.signal);
  throwIfAborted(fn, signal);
  const inputs = evaluationInputs(fn, model, x, y, opts.modelOutput);
  try {
    return (await countRobust(fn, model, inputs, x, attack, batchSize, signal)) / (x.shape[0] as number);
  } finally {
    inputs.labels.dispose();
  }
}

import { isTensor, toClassIndices, type LabelsLike } from '../core/labels.js';
import { toForwardFn, type ModelLike } from '../core/model.js';
import { argMax, equal, slice, sum, tidy, cast, type Tensor, type Tensor1D } from '../core/tf.js';
import { invalid, optionsObject, positiveInteger } from '../core/validate.js';
import type { Attack } from './types.js';

/**
 * Options of {@link robustAccuracy}.
 *
 * @example
 * ```ts
 * import type { RobustAccuracyOptions } from 'responsible-tfjs/robustness';
 * const options: RobustAccuracyOptions = { batchSize: 128 };
 * ```
 */
export interface RobustAccuracyOptions {
  /**
   * Examples attacked together (an integer >= 1). Default 256. Mean-loss attacks see the batch
   * only through the mean, so for sign-based (L-inf) attacks the batch size does not change results.
   */
  readonly batchSize?: number;
}

/** Validates a model and inputs and returns the labels as class indices (internal). */
export function evaluationInputs(fn: string, model: ModelLike, x: Tensor, y: LabelsLike): { forward: (x: Tensor) => Tensor; labels: Tensor1D } {
  const forward = toForwardFn(fn, model);
  if (!isTensor(x)) invalid(fn, 'x', x, 'a tf.Tensor of inputs with the batch as first dimension');
  if (x.rank < 2 || x.shape[0] === 0) invalid(fn, 'x', x, 'a non-empty batch of rank >= 2');
  const batch = x.shape[0] as number;
  let classes: number;
  if (isTensor(y) && y.rank === 2) classes = y.shape[1] as number;
  else {
    const shape = tidy(() => forward(slice(x, 0, 1)).shape);
    if (shape.length !== 2) invalid(fn, 'model', `output of shape [${shape.join(', ')}]`, 'a model returning [batch, classes]');
    classes = shape[1] as number;
  }
  return { forward, labels: toClassIndices(fn, y, classes, batch) };
}

/** Number of correct predictions of `forward` on `x` (internal). */
export async function countCorrect(forward: (x: Tensor) => Tensor, x: Tensor, labels: Tensor1D): Promise<number> {
  const correct = tidy(() => sum(cast(equal(argMax(forward(x), 1), cast(labels, 'int32')), 'int32')));
  const value = (await correct.data())[0] as number;
  correct.dispose();
  return value;
}

/**
 * Correct predictions after `attack` (or on the clean inputs when `attack` is undefined), attacked
 * `batchSize` examples at a time (internal).
 */
export async function countRobust(
  fn: string, model: ModelLike, forward: (x: Tensor) => Tensor, x: Tensor, labels: Tensor1D, attack: Attack | undefined, batchSize: number,
): Promise<number> {
  const n = x.shape[0] as number;
  let correct = 0;
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const xb = slice(x, start, size);
    const yb = slice(labels, start, size);
    try {
      const xAdv = attack === undefined ? xb : await attack(model, xb, yb);
      if (!isTensor(xAdv) || xAdv.shape.join() !== xb.shape.join()) {
        invalid(fn, 'attack', xAdv, `a function resolving to a tensor of shape [${xb.shape.join(', ')}]`);
      }
      correct += await countCorrect(forward, xAdv, yb);
      if (xAdv !== xb) xAdv.dispose();
    } finally {
      xb.dispose();
      yb.dispose();
    }
  }
  return correct;
}

/**
 * Robust accuracy: the fraction of examples the model still classifies correctly after `attack`
 * perturbs them, attacked `batchSize` examples at a time.
 *
 * @param model - A `tf.LayersModel` or a function from inputs to scores (the arg-max is the prediction).
 * @param x - Inputs `[n, ...]`.
 * @param y - True classes as indices or one-hot rows.
 * @param attack - The attack, e.g. `(m, xb, yb) => pgd(m, xb, yb, { epsilon: 0.1, stepSize: 0.01, steps: 20 })`.
 * @returns The robust accuracy, a plain number in [0, 1].
 * @example
 * ```ts
 * import { pgd, robustAccuracy } from 'responsible-tfjs/robustness';
 * const acc = await robustAccuracy(model, xTest, yTest,
 *   (m, xb, yb) => pgd(m, xb, yb, { epsilon: 0.1, stepSize: 0.0125, steps: 20 }), { batchSize: 128 });
 * ```
 */
export async function robustAccuracy(model: ModelLike, x: Tensor, y: LabelsLike, attack: Attack, options?: RobustAccuracyOptions): Promise<number> {
  const fn = 'robustAccuracy';
  const opts = optionsObject(fn, 'options', options);
  const batchSize = positiveInteger(fn, 'options.batchSize', opts.batchSize ?? 256);
  if (typeof attack !== 'function') invalid(fn, 'attack', attack, 'a function (model, x, y) => Promise<adversarial x>');
  const { forward, labels } = evaluationInputs(fn, model, x, y);
  try {
    return (await countRobust(fn, model, forward, x, labels, attack, batchSize)) / (x.shape[0] as number);
  } finally {
    labels.dispose();
  }
}

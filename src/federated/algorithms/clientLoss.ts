/** The loss of client training and evaluation (internal): which loss, and labels shaped for it. */
import type { LabelsLike } from '../../core/labels.js';
import { isTensor } from '../../core/labels.js';
import { labelClasses, labelsLikeOutputs, perExampleCrossEntropy, predictedClasses, resolveOutputKind, type OutputKind } from '../../core/outputs/index.js';
import { tensorArgument } from '../../core/tensorArgument.js';
import { cast, clone, equal, mean, reshape, square, sub, sum, tidy, type LayersModel, type Tensor } from '../../core/tf.js';
import { invalid } from '../../core/validate.js';

/**
 * The loss of {@link trainClient} and {@link evaluateClient}: `'crossEntropy'` (softmax
 * cross-entropy for several output units, binary for one; logits or probabilities as the model
 * declares, see `modelOutput`), `'meanSquaredError'` (mean over the output units), or a function
 * `(labels, outputs) => per-example loss [batch]` receiving the rows of `y` as given.
 */
export type ClientLoss = 'crossEntropy' | 'meanSquaredError' | ((labels: Tensor, outputs: Tensor) => Tensor);

/** A resolved loss: labels prepared once, a per-example loss and (for classification) a correct count. */
export interface ResolvedClientLoss {
  /** Labels for all `n` examples, owned by the caller. */
  readonly labels: Tensor;
  /** Per-example loss `[batch]` (inside a tidy or a gradient). */
  perExample(labels: Tensor, outputs: Tensor): Tensor;
  /** Number of correct predictions (int32 scalar), or undefined when the loss is not a classification loss. */
  correct?(labels: Tensor, outputs: Tensor): Tensor;
}

/** Resolves the `loss` option and prepares labels for `n` examples (throws InvalidArgumentError). */
export function resolveClientLoss(
  fn: string, model: LayersModel, y: unknown, n: number, loss: unknown, modelOutput: unknown,
): ResolvedClientLoss {
  const shape = model.outputs?.[0]?.shape;
  const units = shape?.[shape.length - 1];
  if (model.outputs?.length !== 1 || shape?.length !== 2 || typeof units !== 'number') {
    invalid(fn, 'model', model, 'a tf.LayersModel with one output of shape [batch, units]');
  }
  const which = loss ?? 'crossEntropy';
  if (which === 'crossEntropy') {
    const kind: OutputKind = resolveOutputKind(fn, model, modelOutput);
    const labels = labelsLikeOutputs(fn, y as LabelsLike, units, n);
    return {
      labels,
      perExample: (l, o) => perExampleCrossEntropy(l, o, kind),
      correct: (l, o) => sum(cast(equal(predictedClasses(o, kind), labelClasses(l)), 'int32')),
    };
  }
  if (modelOutput !== undefined) invalid(fn, 'options.modelOutput', modelOutput, "undefined unless loss is 'crossEntropy'");
  if (which !== 'meanSquaredError' && typeof which !== 'function') {
    invalid(fn, 'options.loss', which, "'crossEntropy', 'meanSquaredError' or a function (labels, outputs) => per-example loss");
  }
  if (!isTensor(y)) invalid(fn, 'y', y, `a tf.Tensor of targets (loss ${typeof which === 'function' ? 'function' : "'meanSquaredError'"})`);
  tensorArgument(fn, 'y', y);
  if (y.shape[0] !== n) invalid(fn, 'y', y, `a tensor with ${n} rows (as x)`);
  if (which === 'meanSquaredError') {
    if (y.rank !== 2 || y.shape[1] !== units) invalid(fn, 'y', y, `targets of shape [${n}, ${units}] (the model's output)`);
    return {
      labels: tidy(() => cast(y, 'float32')),
      perExample: (l, o) => mean(square(sub(o, l)), -1),
    };
  }
  return {
    labels: clone(y),
    perExample: (l, o) => {
      const v = which(l, o);
      if (!isTensor(v) || v.rank !== 1 || v.shape[0] !== o.shape[0]) {
        invalid(fn, 'options.loss', isTensor(v) ? `a result of shape [${v.shape.join(', ')}]` : v, `a function returning one loss per example ([${o.shape[0]}])`);
      }
      return reshape(v, [-1]);
    },
  };
}

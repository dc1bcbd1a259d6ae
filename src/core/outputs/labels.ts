/** Labels shaped like a model's outputs, for multi-class and single-unit (binary) models (internal). */
import { isTensor, toOneHot, type LabelsLike } from '../labels.js';
import { cast, slice, tidy, type Tensor, type Tensor1D, type Tensor2D } from '../tf.js';
import { invalid } from '../validate.js';
import { labelClasses } from './predictions.js';

const BINARY_LABELS = 'class indices 0/1, a [batch, 1] column of 0/1 or one-hot rows [batch, 2] (the model has one output unit)';

/**
 * Float32 labels shaped like the outputs of a model with `units` output units, which the caller
 * owns. Several units: one-hot rows, as {@link toOneHot}. One unit (a binary model whose unit is
 * the logit, or probability, of class 1): a `[batch, 1]` column of 0/1, from class indices 0/1, a
 * 0/1 column or one-hot rows over two classes. Values are read synchronously to check them, as
 * {@link toOneHot} does for class indices: labels are small.
 */
export function labelsLikeOutputs(fn: string, y: LabelsLike, units: number, batch: number): Tensor2D {
  if (units !== 1) return toOneHot(fn, y, units, batch);
  if (isTensor(y) && y.rank === 2 && y.shape[1] === 1) {
    if (y.shape[0] !== batch) invalid(fn, 'y', y, `a tensor with ${batch} rows (the batch size of x)`);
    const values = y.dataSync();
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      if (v !== 0 && v !== 1) invalid(fn, `y[${i}]`, v, 'a 0/1 label (the model has one output unit)');
    }
    return tidy(() => cast(y, 'float32')) as Tensor2D;
  }
  if (isTensor(y) && y.rank === 2 && y.shape[1] !== 2) invalid(fn, 'y', y, BINARY_LABELS);
  return tidy(() => slice(toOneHot(fn, y, 2, batch), [0, 1], [-1, 1])) as Tensor2D;
}

/** Class indices int32 `[batch]` of labels for a model with `units` output units; the caller owns them. */
export function classIndicesOf(fn: string, y: LabelsLike, units: number, batch: number): Tensor1D {
  return tidy(() => labelClasses(labelsLikeOutputs(fn, y, units, batch)));
}

/**
 * Checks that labels fit a model's outputs `[batch, units]` (synchronous, shapes only, so it may
 * run inside a gradient tape).
 */
export function checkLabelsFitOutputs(fn: string, labels: Tensor, outputs: Tensor): void {
  if (outputs.rank !== 2) invalid(fn, 'model', `output of shape [${outputs.shape.join(', ')}]`, 'a model returning [batch, classes]');
  if (labels.shape[1] !== outputs.shape[1]) {
    invalid(fn, 'y', `labels of shape [${labels.shape.join(', ')}]`, `labels for the model's output shape [${outputs.shape.join(', ')}]`,
      outputs.shape[1] === 1 ? 'The model has one output unit: give class indices 0/1 or a [batch, 1] column of 0/1' : undefined);
  }
}

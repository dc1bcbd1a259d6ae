import { oneHot, tensor1d, tidy, argMax, cast, type Tensor, type Tensor1D, type Tensor2D } from './tf.js';
import { invalid } from './validate.js';

/**
 * Labels as the library accepts them: integer class indices (a 1-D tensor, array or typed array,
 * e.g. `[3, 1, 4]`) or one-hot rows (a 2-D tensor).
 */
export type LabelsLike = Tensor | readonly number[] | Int32Array | Float32Array | Uint8Array;

/**
 * Returns labels as a one-hot float32 `[batch, numClasses]` tensor that the caller owns
 * (internal: `fn` is the public function whose argument `y` is checked, for error messages).
 * Class indices are checked to be integers in `[0, numClasses)`; a one-hot tensor must have
 * `numClasses` columns. Validation reads label values synchronously: labels are small.
 * For example `toOneHot('fgsm', [2, 0], 3, 2)` is `[[0, 0, 1], [1, 0, 0]]`.
 */
export function toOneHot(fn: string, labels: LabelsLike, numClasses: number, batchSize: number): Tensor2D {
  if (isTensor(labels)) {
    if (labels.rank === 2) {
      if (labels.shape[0] !== batchSize) invalid(fn, 'y', labels, `a tensor with ${batchSize} rows (the batch size of x)`);
      if (labels.shape[1] !== numClasses) invalid(fn, 'y', labels, `one-hot rows of ${numClasses} classes`);
      return tidy(() => cast(labels, 'float32')) as Tensor2D;
    }
    if (labels.rank !== 1) invalid(fn, 'y', labels, 'class indices (rank 1) or one-hot rows (rank 2)');
    const values = labels.dataSync();
    checkIndices(fn, values, numClasses, batchSize);
    return tidy(() => cast(oneHot(cast(labels, 'int32') as Tensor1D, numClasses), 'float32')) as Tensor2D;
  }
  if (!(Array.isArray(labels) || ArrayBuffer.isView(labels))) {
    invalid(fn, 'y', labels, 'class indices (array or tensor) or one-hot rows (2-D tensor)');
  }
  checkIndices(fn, labels as ArrayLike<number>, numClasses, batchSize);
  return tidy(() => cast(oneHot(tensor1d(Array.from(labels as ArrayLike<number>), 'int32'), numClasses), 'float32')) as Tensor2D;
}

/**
 * Returns labels as integer class indices `[batch]` (int32) that the caller owns; one-hot rows
 * become their arg-max (internal, checked as by {@link toOneHot}).
 */
export function toClassIndices(fn: string, labels: LabelsLike, numClasses: number, batchSize: number): Tensor1D {
  return tidy(() => {
    const y = toOneHot(fn, labels, numClasses, batchSize);
    return argMax(y, 1) as Tensor1D;
  });
}

function checkIndices(fn: string, values: ArrayLike<number>, numClasses: number, batchSize: number): void {
  if (values.length !== batchSize) invalid(fn, 'y', `length ${values.length}`, `${batchSize} labels (the batch size of x)`);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isInteger(v) || v < 0 || v >= numClasses) {
      invalid(fn, `y[${i}]`, v, `an integer class index in [0, ${numClasses})`);
    }
  }
}

/** True for a tfjs tensor (duck-typed so that tensors from another tfjs copy are recognised). */
export function isTensor(value: unknown): value is Tensor {
  return typeof value === 'object' && value !== null && 'dataId' in value && 'shape' in value && 'dtype' in value;
}

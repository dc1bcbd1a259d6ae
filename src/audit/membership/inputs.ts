/** Inputs of the membership attacks checked at the public boundary (internal). */
import { isTensor, type LabelsLike } from '../../core/labels.js';
import type { ModelLike } from '../../core/model.js';
import { labelsLikeOutputs } from '../../core/outputs/index.js';
import { tensorArgument } from '../../core/tensorArgument.js';
import { slice, tidy, type Tensor, type Tensor2D } from '../../core/tf.js';
import { invalid } from '../../core/validate.js';

/** `x` as a live tensor `[N, ...]` with N >= 1 rows and at least one feature axis. */
export function checkInputs(fn: string, x: unknown): Tensor {
  const t = tensorArgument(fn, 'x', x, 'a tf.Tensor of inputs with the batch as first dimension');
  if (t.rank < 2 || t.shape[0] === 0) invalid(fn, 'x', t, 'a non-empty batch of rank >= 2 ([N, ...features])');
  return t;
}

/** Output units of the model: from a LayersModel's declared shape, else one forward pass on one row. */
export function outputUnits(fn: string, model: ModelLike, forward: (x: Tensor) => Tensor, x: Tensor): number {
  if (typeof model !== 'function') {
    const shape = model.outputs?.[0]?.shape;
    const last = shape?.[shape.length - 1];
    if (shape?.length === 2 && typeof last === 'number') return last;
  }
  const shape = tidy(() => forward(slice(x, 0, 1)).shape);
  if (shape.length !== 2) invalid(fn, 'model', `output of shape [${shape.join(', ')}]`, 'a model returning [batch, classes]');
  return shape[1] as number;
}

/**
 * Labels as float32 rows shaped like the model's outputs (one-hot, or a 0/1 column for a
 * single-unit model), which the caller owns. Tensors of class indices or of a 0/1 column are read
 * asynchronously first: the shared label checks read values, and a synchronous read of a tensor on
 * the GPU fails on webgpu. One-hot rows of several classes are used as they are.
 */
export async function labelsForOutputs(fn: string, y: LabelsLike, units: number, rows: number): Promise<Tensor2D> {
  let readable: LabelsLike = y;
  if (isTensor(y)) {
    tensorArgument(fn, 'y', y, 'class indices or one-hot rows');
    if (y.rank === 1 || (y.rank === 2 && y.shape[1] === 1)) {
      if (y.shape[0] !== rows) invalid(fn, 'y', y, `${rows} labels (one per row of x)`);
      readable = Float32Array.from(await y.data());
    }
  }
  return labelsLikeOutputs(fn, readable, units, rows);
}

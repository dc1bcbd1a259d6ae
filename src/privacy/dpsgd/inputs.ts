/** Input checks shared by the DP-SGD entry points (internal). */
import { isTensor, toOneHot, type LabelsLike } from '../../core/labels.js';
import { tensorArgument } from '../../core/tensorArgument.js';
import { invalid, positiveInteger } from '../../core/validate.js';
import type { LayersModel } from '../../core/tf.js';
import { modelPlan } from './modelPlan.js';
import type { Tensor, Tensor2D } from '../../core/tf.js';
import type { ModelPlan } from './modelPlan.js';

/** Checks that `x` is a tensor whose shape fits the model's input. */
export function checkInputs(fn: string, plan: ModelPlan, x: unknown): Tensor {
  tensorArgument(fn, 'x', x, 'a tf.Tensor with a leading batch dimension');
  if (!isTensor(x)) invalid(fn, 'x', x, 'a tf.Tensor with a leading batch dimension');
  const expected = plan.model.inputs[0]?.shape ?? [];
  const fits = x.rank === expected.length && expected.every((d, i) => i === 0 || d === null || d === x.shape[i]);
  if (!fits) invalid(fn, 'x', x, `a tensor of shape [batch, ${expected.slice(1).map((d) => d ?? '?').join(', ')}] (the model's input)`);
  return x;
}

/** Labels as one-hot rows owned by the caller (checks range and count). */
export function checkLabels(fn: string, plan: ModelPlan, y: LabelsLike, batch: number): Tensor2D {
  return toOneHot(fn, y, plan.numClasses, batch);
}

/** Rejects NaN or infinite inputs (reads `x` from the device). */
export async function checkFinite(fn: string, x: Tensor): Promise<void> {
  const values = await x.data();
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) {
      const row = Math.floor(i / Math.max(1, x.size / (x.shape[0] as number)));
      invalid(fn, 'x', `${v} in example ${row}`, 'finite values (no NaN or infinity)');
    }
  }
}

/** The checks every training entry point starts with: the model, `x`, epochs and batch size. */
export function checkTrainingSetup(
  fn: string,
  model: LayersModel,
  x: Tensor,
  options: { readonly epochs: number; readonly batchSize: number },
): { plan: ModelPlan; n: number; epochs: number; batchSize: number } {
  const plan = modelPlan(fn, model);
  checkInputs(fn, plan, x);
  const n = x.shape[0] as number;
  const epochs = positiveInteger(fn, 'options.epochs', options.epochs);
  const batchSize = positiveInteger(fn, 'options.batchSize', options.batchSize);
  if (batchSize > n) invalid(fn, 'options.batchSize', batchSize, `an integer in [1, ${n}] (the number of examples)`);
  return { plan, n, epochs, batchSize };
}

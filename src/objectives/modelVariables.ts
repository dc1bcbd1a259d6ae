import type { ModelLike } from '../core/model.js';
import type { LayersModel, Variable } from '../core/tf.js';
import { invalid } from '../core/validate.js';

/** Trainable variables of a model: a LayersModel's trainable weights, or those given (internal). */
export function modelVariables(fn: string, model: ModelLike, given: readonly Variable[] | undefined): Variable[] {
  if (given !== undefined) {
    if (!Array.isArray(given) || given.length === 0 || given.some((v) => typeof v !== 'object' || v === null || !('assign' in v))) {
      invalid(fn, 'options.variables', given, 'a non-empty array of tf.Variable');
    }
    return [...given];
  }
  if (typeof model === 'function') {
    return invalid(fn, 'options.variables', undefined, 'the trainable tf.Variables the function model uses', 'A function model hides its parameters: list them');
  }
  const weights = (model as LayersModel).trainableWeights;
  if (!Array.isArray(weights) || weights.length === 0) invalid(fn, 'model', model, 'a model with trainable weights');
  return weights.map((w) => (w as unknown as { read(): Variable }).read());
}

/** Shared pieces of the adversarial training steps (internal). */
import { isTensor } from '../core/labels.js';
import type { ModelLike } from '../core/model.js';
import { labelClasses, predictedClasses, type OutputKind } from '../core/outputs/index.js';
import { cast, equal, keep, sum, tidy, type Optimizer, type Scalar, type Tensor, type Tensor2D, type Variable } from '../core/tf.js';
import { tensorArgument } from '../core/tensorArgument.js';
import { invalid } from '../core/validate.js';
import { withTapeCleanup } from '../core/tape.js';

/** Forward pass in training mode (dropout and the like active) for a LayersModel. */
export function trainingForward(fn: string, model: ModelLike): (x: Tensor) => Tensor {
  if (typeof model === 'function') return model;
  if (typeof model === 'object' && model !== null && typeof model.apply === 'function') {
    return (x: Tensor) => {
      const out = model.apply(x, { training: true });
      if (Array.isArray(out)) invalid(fn, 'model', model, 'a model with a single output');
      return out as Tensor;
    };
  }
  return invalid(fn, 'model', model, 'a tf.LayersModel or a function (x: Tensor) => Tensor');
}

/** The variables a step updates: the model's trainable weights, or those given. */
export function trainableVariables(fn: string, model: ModelLike, variables: readonly Variable[] | undefined): Variable[] | undefined {
  if (variables !== undefined) {
    if (!Array.isArray(variables) || variables.some((v) => !isTensor(v))) invalid(fn, 'options.variables', variables, 'an array of tf.Variable');
    variables.forEach((v, i) => tensorArgument(fn, `options.variables[${i}]`, v, 'a tf.Variable'));
    return [...variables];
  }
  if (typeof model === 'function') return undefined; // tfjs default: every trainable variable
  return model.trainableWeights.map((w) => w.read() as Variable);
}

/** Checks that `optimizer` looks like a tfjs optimizer. */
export function checkOptimizer(fn: string, optimizer: unknown, argument = 'optimizer'): Optimizer {
  if (!isOptimizerLike(optimizer)) invalid(fn, argument, optimizer, "a tf.Optimizer (e.g. tf.train.adam(1e-3))");
  return optimizer as Optimizer;
}

/** True for a tfjs optimizer (duck-typed): tells the deprecated positional step form from the options form. */
export function isOptimizerLike(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as Optimizer).minimize === 'function';
}

/**
 * Number of rows whose predicted class matches the labels (shaped like the outputs); kept past the
 * surrounding tidy.
 */
export function keptCorrectCount(outputs: Tensor, labels: Tensor2D, kind: OutputKind): Tensor {
  return keep(sum(cast(equal(predictedClasses(outputs, kind), labelClasses(labels)), 'int32')));
}

/**
 * Runs `optimizer.minimize` on `lossFn` (which may set a kept correct-count tensor through
 * `setCorrect`) and reads the loss and accuracy back. On any error nothing it made is left
 * behind; tfjs's "no connection between any variable and the loss" becomes an
 * InvalidArgumentError naming `options.variables`.
 */
export async function minimizeAndRead(
  fn: string,
  optimizer: Optimizer,
  variables: Variable[] | undefined,
  batch: number,
  lossFn: (setCorrect: (t: Tensor) => void) => Scalar,
): Promise<{ loss: number; adversarialAccuracy: number }> {
  let correct: Tensor | undefined;
  let cost: Scalar | null = null;
  try {
    try {
      // tidy: tfjs's "no connection" check throws after computing the loss, which it then leaks.
      cost = withTapeCleanup(() => tidy(() => optimizer.minimize(() => lossFn((t) => { correct = t; }), true, variables) as Scalar));
    } catch (e) {
      if (e instanceof Error && /Cannot find a connection between any variable/.test(e.message)) {
        invalid(fn, 'options.variables', variables ?? 'every trainable variable', 'variables that the model\'s output depends on',
          'Pass the variables your model function uses (for a LayersModel, leave it out)');
      }
      throw e;
    }
    const [lossV, correctV] = await Promise.all([cost!.data(), correct !== undefined ? correct.data() : Promise.resolve(undefined)]);
    return { loss: lossV[0] as number, adversarialAccuracy: correctV !== undefined ? (correctV[0] as number) / batch : Number.NaN };
  } finally {
    cost?.dispose();
    (correct as Tensor | undefined)?.dispose();
  }
}

/** Result of one adversarial training step. */
export interface TrainingStepResult {
  /** The minimised loss on this batch (before the update). */
  readonly loss: number;
  /** Accuracy of the training-mode model on the batch's adversarial examples (before the update). */
  readonly adversarialAccuracy: number;
}

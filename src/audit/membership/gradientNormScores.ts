import { assertBackend } from '../../core/backend.js';
import { betweenSteps } from '../../core/eventLoop.js';
import { assertGradientsAvailable } from '../../core/gradients.js';
import { isTensor, type LabelsLike } from '../../core/labels.js';
import { toForwardFn, type ModelLike } from '../../core/model.js';
import { checkLabelsFitOutputs, perExampleCrossEntropy, resolveOutputKind, type OutputKind } from '../../core/outputs/index.js';
import { withTapeCleanup } from '../../core/tape.js';
import {
  addN, dispose, slice, sqrt, square, stack, sum, tidy, variableGrads, type Scalar, type Tensor, type Tensor2D, type Variable,
} from '../../core/tf.js';
import { invalid, optionsObject, positiveInteger } from '../../core/validate.js';
import { checkInputs, labelsForOutputs, outputUnits } from './inputs.js';

/** Options of {@link gradientNormScores}. */
export interface GradientNormScoresOptions {
  /** Examples whose norms are read from the device together (an integer >= 1). Default 32. */
  readonly batchSize?: number;
  /** Whether the model returns logits or probabilities. Default: what the model declares. */
  readonly modelOutput?: 'logits' | 'probabilities';
  /**
   * The weights to differentiate. Default: a `LayersModel`'s trainable weights. Required for a
   * plain function model: pass the `tf.Variable`s it reads.
   */
  readonly variables?: readonly Variable[];
}

/**
 * Gradient-norm membership scores: minus the L2 norm of each example's cross-entropy gradient
 * with respect to the model's weights. Training drives the gradients of the examples it saw
 * towards zero, so members tend to have smaller gradients (the gradient-norm attack studied by
 * Nasr, Shokri and Houmansadr 2019, "Comprehensive Privacy Analysis of Deep Learning"). The
 * norm is taken over all trainable weights together, in inference mode (dropout off).
 *
 * Cost: one forward and one backward pass per example (tfjs has no per-example gradients), so
 * this is about `N` times slower than {@link membershipScores}; score a sample of a large set.
 *
 * @param model - A `LayersModel`, or a function model with `options.variables`.
 * @param x - Inputs `[N, ...]`.
 * @param y - True labels: class indices or one-hot rows.
 * @param options - {@link GradientNormScoresOptions}.
 * @returns Scores `Float64Array(N)`, `-||grad_w loss(x_i, y_i)||_2`: higher = more likely a member.
 * @example
 * ```ts
 * import { evaluateMembershipAttack, gradientNormScores } from 'responsible-tfjs/audit';
 * const scores = await gradientNormScores(model, xAll, yAll);
 * const result = evaluateMembershipAttack(scores, isMember, { name: 'gradient norm' });
 * ```
 */
export async function gradientNormScores(model: ModelLike, x: Tensor, y: LabelsLike, options?: GradientNormScoresOptions): Promise<Float64Array> {
  const fn = 'gradientNormScores';
  assertBackend(fn);
  const o = optionsObject(fn, 'options', options);
  const batchSize = positiveInteger(fn, 'options.batchSize', o.batchSize ?? 32);
  const forward = toForwardFn(fn, model);
  const kind = resolveOutputKind(fn, model, o.modelOutput);
  const variables = weightsOf(fn, model, o.variables);
  assertGradientsAvailable(fn);
  checkInputs(fn, x);
  const n = x.shape[0] as number;
  const labels = await labelsForOutputs(fn, y, outputUnits(fn, model, forward, x), n);
  const out = new Float64Array(n);
  try {
    for (let start = 0; start < n; start += batchSize) {
      if (start > 0) await betweenSteps(fn, undefined);
      const size = Math.min(batchSize, n - start);
      const norms: Tensor[] = [];
      let stacked: Tensor | undefined;
      try {
        for (let i = start; i < start + size; i++) norms.push(gradientNorm(fn, forward, kind, x, labels, i, variables));
        stacked = stack(norms);
        out.set(await stacked.data(), start);
      } finally {
        dispose(norms);
        stacked?.dispose();
      }
    }
  } finally {
    labels.dispose();
  }
  return out.map((v) => -v);
}

/** `||grad_w loss(x_i, y_i)||_2` as a scalar the caller owns. */
function gradientNorm(
  fn: string, forward: (x: Tensor) => Tensor, kind: OutputKind, x: Tensor, labels: Tensor2D, i: number, variables: readonly Variable[],
): Scalar {
  return tidy(() => {
    const xi = slice(x, i, 1);
    const yi = slice(labels, i, 1) as Tensor2D;
    const { value, grads } = withTapeCleanup(() => variableGrads(() => {
      const outputs = forward(xi);
      checkLabelsFitOutputs(fn, yi, outputs);
      return sum(perExampleCrossEntropy(yi, outputs, kind)) as Scalar;
    }, variables as Variable[]));
    value.dispose();
    return sqrt(addN(Object.values(grads).map((g) => sum(square(g))))) as Scalar;
  });
}

/** The variables to differentiate: the option, or a LayersModel's trainable weights. */
function weightsOf(fn: string, model: ModelLike, option: unknown): readonly Variable[] {
  if (option !== undefined) {
    const ok = Array.isArray(option) && option.length > 0 &&
      option.every((v) => isTensor(v) && typeof (v as Partial<Variable>).assign === 'function');
    if (!ok) invalid(fn, 'options.variables', option, 'a non-empty array of tf.Variable');
    return option as readonly Variable[];
  }
  if (typeof model === 'function') {
    invalid(fn, 'model', model, 'a tf.LayersModel (gradient scores differentiate its trainable weights)',
      'A plain function model has no weights this function can find: pass the tf.Variables it reads as options.variables');
  }
  const weights = model.trainableWeights.map((w) => w.read() as Variable);
  if (weights.length === 0) invalid(fn, 'model', model, 'a tf.LayersModel with trainable weights');
  return weights;
}

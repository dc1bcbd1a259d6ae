/**
 * The perturbation functions of the quality metrics: their signatures, the defaults Captum's
 * metrics use (or, for infidelity, which has none in Captum, a Gaussian one), and the checks
 * applied to what a caller's function returns (internal).
 */
import { isTensor } from '../../core/labels.js';
import type { Rng } from '../../core/rng.js';
import { tensorSeed } from '../../core/rng.js';
import { add, cast, randomNormal, randomUniform, sub, tidy, type Tensor } from '../../core/tf.js';
import { invalid } from '../../core/validate.js';

/**
 * What a perturbation function learns about the batch it perturbs. The metrics repeat each
 * example `copies` times (Captum's `repeat_interleave`): row `i·copies + k` is copy `k` of example
 * `i`, and it stands for sample `firstSample + k` of that example. Samples are split over several
 * passes only when `internalBatchSize` asks for it; otherwise `copies` is every sample and
 * `firstSample` is 0.
 */
export interface PerturbationBatch {
  /** Copies of each example in the batch (row `i·copies + k` is copy `k` of example `i`). */
  readonly copies: number;
  /** Index of the sample that copy 0 stands for, among the `samples` of the call. */
  readonly firstSample: number;
  /** The call's source of randomness (`options.rng`); seed it for reproducible metrics. */
  readonly rng: Rng;
}

/** What an {@link InfidelityPerturbation} receives besides the repeated inputs. */
export interface InfidelityPerturbationBatch extends PerturbationBatch {
  /**
   * The baselines of `options.baselines`, repeated like the inputs (one row per input row), for
   * perturbations defined relative to a baseline; undefined when no baselines were given.
   */
  readonly baselines?: Tensor;
}

/**
 * The two tensors an {@link InfidelityPerturbation} returns, both of the repeated inputs' shape.
 * Infidelity compares `Σ attributions ⊙ perturbation` with `f(x) − f(perturbed)`, so the usual
 * choice is `perturbed = x − perturbation` (Captum's convention).
 */
export interface InfidelityPerturbationResult {
  /** The perturbation `I` of every row, in input units. */
  readonly perturbation: Tensor;
  /** The input the model is evaluated at, normally `x − I`. */
  readonly perturbed: Tensor;
}

/**
 * A perturbation for {@link infidelity}: given the repeated inputs (row `i·copies + k` is copy `k`
 * of example `i`), return the perturbations `I` and the perturbed inputs, Captum's
 * `perturb_func(inputs) -> (I, inputs − I)`. It runs inside `tf.tidy` (so it must be synchronous):
 * the tensors it creates are released after use, and tensors it returns without creating them
 * (a fixed noise tensor, or `x` itself) are left alone. It must not dispose `x`.
 */
export type InfidelityPerturbation = (x: Tensor, batch: InfidelityPerturbationBatch) => InfidelityPerturbationResult;

/** What a {@link SensitivityPerturbation} receives besides the repeated inputs. */
export interface SensitivityPerturbationBatch extends PerturbationBatch {
  /** `options.perturbationRadius`, the radius of the neighbourhood to sample (Captum's `perturb_radius`). */
  readonly radius: number;
}

/**
 * A perturbation for {@link sensitivityMax}: given the repeated inputs, return perturbed inputs of
 * the same shape (Captum's `perturb_func(inputs, perturb_radius)`). It runs inside `tf.tidy` (so
 * it must be synchronous); the tensors it creates are released after use, tensors it did not
 * create are left alone. It must not dispose `x`.
 */
export type SensitivityPerturbation = (x: Tensor, batch: SensitivityPerturbationBatch) => Tensor;

/**
 * The default infidelity perturbation: `I ~ N(0, stdev²)` per element, drawn with a seed from
 * `batch.rng`, and `perturbed = x − I`. (Captum's `infidelity` has no default; its docstring's
 * example uses Gaussian noise.)
 */
export function gaussianPerturbation(stdev: number): InfidelityPerturbation {
  return (x, batch) => {
    const perturbation = randomNormal(x.shape, 0, stdev, 'float32', tensorSeed(batch.rng));
    return { perturbation, perturbed: sub(x, perturbation) };
  };
}

/**
 * Captum's `default_perturb_func` of `sensitivity_max`: `x + U(−radius, radius)` per element (a
 * uniform draw from the L∞ ball), seeded from `batch.rng`.
 */
export const uniformPerturbation: SensitivityPerturbation = (x, batch) =>
  add(x, randomUniform(x.shape, -batch.radius, batch.radius, 'float32', tensorSeed(batch.rng)));

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** A float32 tensor of `shape` from a caller's function, or a typed error naming the option. */
function checkedTensor(fn: string, argument: string, value: unknown, shape: readonly number[], what: string): Tensor {
  if (!isTensor(value) || value.isDisposed) {
    invalid(fn, argument, value, `a function returning ${what} (a live tensor of shape ${shapeText(shape)})`);
  }
  if (value.rank !== shape.length || value.shape.some((d, i) => d !== shape[i])) {
    invalid(fn, argument, `a function returning ${what} of shape ${shapeText(value.shape)}`, `${what} of the repeated inputs' shape ${shapeText(shape)}`);
  }
  // A clone shares the data (no copy): the metric disposes its own handle, never a tensor the
  // function keeps (a fixed noise tensor, say), and `tidy` releases everything else it made.
  return value.dtype === 'float32' ? value.clone() : cast(value, 'float32');
}

/**
 * Runs an infidelity perturbation inside `tidy` and checks what it returns: two tensors of the
 * repeated inputs' shape. @returns Two new caller-owned tensors.
 */
export function runInfidelityPerturbation(
  fn: string, perturb: InfidelityPerturbation, x: Tensor, batch: InfidelityPerturbationBatch,
): { perturbation: Tensor; perturbed: Tensor } {
  return tidy(() => {
    const out = perturb(x, batch) as unknown;
    if (typeof out !== 'object' || out === null || (out as { then?: unknown }).then !== undefined) {
      invalid(fn, 'options.perturbation', out, 'a synchronous function returning { perturbation, perturbed }');
    }
    const r = out as Partial<InfidelityPerturbationResult>;
    return {
      perturbation: checkedTensor(fn, 'options.perturbation', r.perturbation, x.shape, 'perturbation'),
      perturbed: checkedTensor(fn, 'options.perturbation', r.perturbed, x.shape, 'perturbed'),
    };
  });
}

/** Runs a sensitivity perturbation inside `tidy` and checks its result. @returns A new caller-owned tensor. */
export function runSensitivityPerturbation(fn: string, perturb: SensitivityPerturbation, x: Tensor, batch: SensitivityPerturbationBatch): Tensor {
  return tidy(() => {
    const out = perturb(x, batch) as unknown;
    return checkedTensor(fn, 'options.perturbation', out, x.shape, 'perturbed inputs');
  });
}

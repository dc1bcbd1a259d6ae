import { betweenSteps, checkSignal, throwIfAborted } from '../../core/eventLoop.js';
import { resolveRng, statisticalRng, type Rng } from '../../core/rng.js';
import {
  abs, dispose, div, equal, max, maximum, onesLike, pow, reshape, sqrt, square, sub, sum, tidy, where, type Tensor, type Tensor1D,
} from '../../core/tf.js';
import { invalid, nonNegativeNumber, optionsObject, positiveInteger } from '../../core/validate.js';
import { checkExplainInput } from '../context.js';
import { repeatRows } from '../rows.js';
import type { TargetOptions } from '../types.js';
import { resolveExplainer, type Explainer, type ExplanationFunction, type ExplanationSpec } from './explanation.js';
import { passes, samplesPerPass } from './passes.js';
import { runSensitivityPerturbation, uniformPerturbation, type SensitivityPerturbation } from './perturbations.js';

/**
 * The norm {@link sensitivityMax} measures explanations with, over each flattened explanation:
 * `'fro'` (Frobenius, the Euclidean norm of all elements; Captum's default), or `p >= 1`
 * (`Infinity` for the largest absolute value).
 */
export type SensitivityNorm = 'fro' | number;

/** Options of {@link sensitivityMax}. */
export interface SensitivityMaxOptions {
  /**
   * Radius of the neighbourhood sampled around each input, in input units (>= 0): the default
   * perturbation adds `U(−radius, radius)` to every element. Default 0.02 (Captum's
   * `perturb_radius`).
   */
  readonly perturbationRadius?: number;
  /** Perturbed copies per example (Captum's `n_perturb_samples`), an integer >= 1. Default 10. */
  readonly samples?: number;
  /**
   * How to perturb the inputs: a function of the repeated inputs returning perturbed inputs of
   * their shape (see {@link SensitivityPerturbation}). Default: `x + U(−radius, radius)` per
   * element, seeded from `rng` (Captum's `default_perturb_func`).
   */
  readonly perturbation?: SensitivityPerturbation;
  /** Norm of the explanation differences. Default `'fro'`. */
  readonly norm?: SensitivityNorm;
  /**
   * Most rows per explanation call (Captum's `max_examples_per_batch`): a call explains
   * `floor(internalBatchSize / batch)` copies of each example (at least one). Default: all copies
   * in one call.
   */
  readonly internalBatchSize?: number;
  /** Source of the default perturbation's noise (handed to custom perturbations too). Default `Math.random`. */
  readonly rng?: Rng;
  /** Stops the computation between calls with an AbortedError. */
  readonly signal?: AbortSignal;
}

interface SensitivitySettings {
  readonly radius: number;
  readonly samples: number;
  readonly perturbation: SensitivityPerturbation;
  readonly norm: SensitivityNorm;
  readonly rng: Rng;
  readonly signal: AbortSignal | undefined;
}

function sensitivitySettings(fn: string, opts: SensitivityMaxOptions): SensitivitySettings {
  if (opts.perturbation !== undefined && typeof opts.perturbation !== 'function') {
    invalid(fn, 'options.perturbation', opts.perturbation, 'a function (x, batch) => perturbed x');
  }
  const norm = opts.norm ?? 'fro';
  if (norm !== 'fro' && !(typeof norm === 'number' && norm >= 1)) invalid(fn, 'options.norm', norm, `'fro', a number >= 1 or Infinity`);
  return {
    radius: nonNegativeNumber(fn, 'options.perturbationRadius', opts.perturbationRadius ?? 0.02),
    samples: positiveInteger(fn, 'options.samples', opts.samples ?? 10),
    perturbation: opts.perturbation ?? uniformPerturbation,
    norm,
    rng: resolveRng(fn, opts.rng, statisticalRng),
    signal: checkSignal(fn, 'options.signal', opts.signal),
  };
}

/** The norm of every row of `t` along its last axis (call inside `tidy`). */
function rowNorms(t: Tensor, norm: SensitivityNorm): Tensor {
  const axis = t.rank - 1;
  if (norm === 'fro' || norm === 2) return sqrt(sum(square(t), axis));
  if (norm === Infinity) return max(abs(t), axis);
  if (norm === 1) return sum(abs(t), axis);
  return pow(sum(pow(abs(t), norm), axis), 1 / norm);
}

/**
 * One pass: perturb `copies` copies of each example, explain them, and return each example's
 * largest relative change `max_k ‖e(x_k) − e(x)‖ / ‖e(x)‖` over the pass (caller-owned `[batch]`).
 */
async function passMax(
  fn: string, x: Tensor, explain: Explainer, clean: Tensor, cleanNorms: Tensor, s: SensitivitySettings, firstSample: number, copies: number,
): Promise<Tensor1D> {
  const batch = x.shape[0] as number;
  const size = clean.size / batch;
  const xs = repeatRows(x, copies);
  let perturbed: Tensor | undefined;
  let explanations: Tensor | undefined;
  try {
    perturbed = runSensitivityPerturbation(fn, s.perturbation, xs, { copies, firstSample, rng: s.rng, radius: s.radius });
    explanations = await explain(perturbed, copies);
    const rowShape = clean.shape.slice(1);
    if (explanations.rank !== clean.rank || explanations.shape.slice(1).some((d, i) => d !== rowShape[i])) {
      invalid(fn, 'explanation', `explanations of shape [${explanations.shape.join(', ')}] for perturbed inputs`,
        `the shape of the unperturbed explanation per row ([${[batch * copies, ...rowShape].join(', ')}])`);
    }
    const e = explanations;
    return tidy(() => {
      // Captum's `_next_sensitivity_max`: ‖e(x) − e(x_k)‖ / ‖e(x)‖ per copy, the max over the copies.
      const diff = sub(reshape(clean, [batch, 1, size]), reshape(e, [batch, copies, size]));
      return max(div(rowNorms(diff, s.norm), reshape(cleanNorms, [batch, 1])), 1) as Tensor1D;
    });
  } finally {
    dispose([xs, ...(perturbed !== undefined ? [perturbed] : []), ...(explanations !== undefined ? [explanations] : [])]);
  }
}

/**
 * Max-sensitivity (Yeh et al. 2019, "On the (In)fidelity and Sensitivity of Explanations",
 * https://arxiv.org/abs/1901.09392), as Captum's `sensitivity_max`
 * (`captum/metrics/_core/sensitivity.py`): how much an explanation changes when the input moves a
 * little. For each example it explains `samples` perturbed copies `x_k` and returns
 *
 *   `max_k ‖e(x_k) − e(x)‖ / ‖e(x)‖`
 *
 * (lower is more stable; Frobenius norm by default; a zero `‖e(x)‖` is replaced by 1, as Captum
 * does). The default perturbation adds `U(−r, r)` noise to every element, `r =
 * perturbationRadius` (Captum's `default_perturb_func`). The perturbed copies of the whole batch
 * are explained in one call (split by `internalBatchSize`).
 *
 * `explanation` is either
 * - a function `(x, batch) => Promise<Tensor | AttributionResult>` (see
 *   {@link ExplanationFunction}), e.g. `(x) => saliency(model, x, { abs: false })`; it is first
 *   called on the unperturbed batch, then on the perturbed copies (row `i·copies + k` is a copy of
 *   example `i`). A function with `target: 'predicted'` explains the class predicted for each
 *   perturbed copy; or
 * - `{ method, model, options }` (see {@link ExplanationSpec}), e.g.
 *   `{ method: saliency, model, options: { abs: false } }`, which expands `target` and
 *   per-example `baselines` to the copies as Captum expands its `**kwargs`: the copies explain
 *   the class predicted on the unperturbed input (or the given target) of their example.
 *
 * The explanation may have any per-row shape (a layer map, say), the same for every call.
 *
 * @param explanation - The explanation to probe (a function or `{ method, model, options }`).
 * @param x - A float32 batch `[batch, ...features]` of finite values.
 * @param options - `perturbationRadius`, `samples`, `perturbation`, `norm`, `internalBatchSize`,
 *   `rng`, `signal`.
 * @returns The max-sensitivity of every example, a `[batch]` tensor owned by the caller (Captum
 *   returns the same per-example tensor).
 * @throws {@link InvalidArgumentError} for a bad `explanation`, `x` or option, an explanation that
 *   does not return one tensor row per input row (or changes shape between calls), or a
 *   perturbation returning a tensor of another shape; {@link AbortedError} when `options.signal`
 *   is aborted. Nothing leaks on errors.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { integratedGradients, saliency, sensitivityMax } from 'responsible-tfjs/explain';
 * import { seededRng } from 'responsible-tfjs';
 * const model = await tf.loadLayersModel('/models/digits/model.json');
 * const x = tf.tensor4d(pixels, [16, 8, 8, 1]);      // 16 digits in [0, 1]
 * // A method with its options: every copy explains the class predicted for its digit.
 * const sensSaliency = await sensitivityMax({ method: saliency, model, options: { abs: false } }, x,
 *   { samples: 20, rng: seededRng(7) });
 * // Any explanation function works too, e.g. integrated gradients with 32 steps.
 * const sensIg = await sensitivityMax((xs) => integratedGradients(model, xs, { steps: 32 }), x,
 *   { perturbationRadius: 0.05, rng: seededRng(7) });
 * console.log(await sensSaliency.data(), await sensIg.data());
 * tf.dispose([sensSaliency, sensIg]);
 * ```
 */
export async function sensitivityMax<O extends TargetOptions>(
  explanation: ExplanationFunction | ExplanationSpec<O>, x: Tensor, options?: SensitivityMaxOptions,
): Promise<Tensor1D> {
  const fn = 'sensitivityMax';
  const opts = optionsObject(fn, 'options', options);
  const s = sensitivitySettings(fn, opts);
  const xt = await checkExplainInput(fn, x);
  const batch = xt.shape[0] as number;
  const perPass = samplesPerPass(fn, opts.internalBatchSize, batch, s.samples);
  const explain = await resolveExplainer(fn, explanation, xt);
  throwIfAborted(fn, s.signal);
  const clean = await explain(xt, 1);
  let cleanNorms: Tensor | undefined;
  let best: Tensor1D | undefined;
  try {
    cleanNorms = tidy(() => {
      const n = rowNorms(reshape(clean, [batch, -1]), s.norm);
      return where(equal(n, 0), onesLike(n), n);
    });
    for (const [first, copies] of passes(s.samples, perPass)) {
      await betweenSteps(fn, s.signal);
      const m = await passMax(fn, xt, explain, clean, cleanNorms, s, first, copies);
      if (best === undefined) {
        best = m;
        continue;
      }
      const previous: Tensor1D = best;
      try {
        best = tidy(() => maximum(previous, m) as Tensor1D);
      } finally {
        m.dispose();
      }
      previous.dispose();
    }
    return best as Tensor1D;
  } catch (e) {
    best?.dispose();
    throw e;
  } finally {
    dispose([clean, ...(cleanNorms !== undefined ? [cleanNorms] : [])]);
  }
}

import type { LabelsLike } from '../../core/labels.js';
import { toForwardFn, type ModelLike } from '../../core/model.js';
import { classIndicesOf, predictedClasses, resolveOutputKind } from '../../core/outputs/index.js';
import { tensorArgument } from '../../core/tensorArgument.js';
import { abs, equal, max, notEqual, reshape, sqrt, square, stack, sub, sum, tidy, type Tensor } from '../../core/tf.js';
import { booleanValue, invalid, numberInRange, optionsObject } from '../../core/validate.js';
import { outputUnits } from '../context.js';
import type { ModelOutput } from '../types.js';

/** Options of {@link minimalPerturbation}. */
export interface MinimalPerturbationOptions {
  /**
   * The attacked model. With `y`, each row's success is decided (the model's prediction on the
   * adversarial row differs from `y`; equals it when `targeted`) and the statistics cover the
   * successful rows only. Without, they cover every row.
   */
  readonly model?: ModelLike;
  /** True classes (targets when `targeted`) as class indices or one-hot rows; required with `model`. */
  readonly y?: LabelsLike;
  /** Whether `y` holds target classes (success: the prediction equals `y`). Default false. */
  readonly targeted?: boolean;
  /** What the model returns. Default: what it declares (see {@link ModelOutput}). */
  readonly modelOutput?: ModelOutput;
  /** Probabilities (in [0, 1]) of the quantiles to report. Default `[0.1, 0.25, 0.5, 0.75, 0.9]`. */
  readonly quantiles?: readonly number[];
}

/** One quantile of a distribution. */
export interface Quantile {
  /** The probability p, in [0, 1]. */
  readonly probability: number;
  /** The p-quantile, linearly interpolated between order statistics (numpy's default, "type 7"). */
  readonly value: number;
}

/** Distribution of one norm over the summarised rows. */
export interface NormStatistics {
  readonly median: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  readonly quantiles: readonly Quantile[];
}

/** What {@link minimalPerturbation} returns; every number is plain JavaScript, in input units. */
export interface MinimalPerturbationSummary {
  /** Number of rows. */
  readonly count: number;
  /** Per row, the L2 norm of `adversarial - x`. */
  readonly l2: readonly number[];
  /** Per row, the L-inf norm (largest absolute coordinate) of `adversarial - x`. */
  readonly linf: readonly number[];
  /** Per row, whether the attack succeeded (when `model` and `y` were given), else null. */
  readonly success: readonly boolean[] | null;
  /** Number of successful rows, or null without a model. */
  readonly successCount: number | null;
  /** Rows the statistics cover: the successful ones, or all of them without a model. */
  readonly summarized: 'successful' | 'all';
  /** Number of rows the statistics cover. */
  readonly summarizedCount: number;
  /** Distribution of each norm over the covered rows; null when no row is covered. */
  readonly statistics: { readonly l2: NormStatistics | null; readonly linf: NormStatistics | null };
}

const DEFAULT_QUANTILES = [0.1, 0.25, 0.5, 0.75, 0.9] as const;

/** The p-quantile of ascending `sorted` by linear interpolation between order statistics, numpy's default (internal). */
export function quantileOfSorted(sorted: readonly number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Median, mean, extremes and quantiles of `values` (non-empty; internal). */
export function normStatistics(values: readonly number[], probabilities: readonly number[]): NormStatistics {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    median: quantileOfSorted(sorted, 0.5),
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    quantiles: probabilities.map((p) => ({ probability: p, value: quantileOfSorted(sorted, p) })),
  };
}

/** Per-row L2 and L-inf norms of `adv - x`, as one `[2, batch]` tensor (caller-owned). */
function perturbationNorms(x: Tensor, adv: Tensor): Tensor {
  return tidy(() => {
    const d = reshape(sub(adv, x), [x.shape[0] as number, -1]);
    return stack([sqrt(sum(square(d), 1)), max(abs(d), 1)]);
  });
}

/** Checks `x` and `adversarial` (live float32 tensors of one shape, a non-empty batch). */
function checkPair(fn: string, x: unknown, adversarial: unknown): [Tensor, Tensor] {
  const a = tensorArgument(fn, 'x', x, 'a tf.Tensor of clean inputs with the batch as first dimension');
  const b = tensorArgument(fn, 'adversarial', adversarial, 'a tf.Tensor of adversarial inputs shaped like x');
  if (a.rank < 2 || a.shape[0] === 0) invalid(fn, 'x', a, 'a non-empty batch of rank >= 2 ([batch, ...features])');
  if (a.dtype !== 'float32') invalid(fn, 'x', a, 'a float32 tensor');
  if (b.dtype !== 'float32') invalid(fn, 'adversarial', b, 'a float32 tensor');
  if (b.shape.length !== a.shape.length || b.shape.some((d, i) => d !== a.shape[i])) {
    invalid(fn, 'adversarial', `a tensor of shape [${b.shape.join(', ')}]`, `a tensor of x's shape [${a.shape.join(', ')}]`);
  }
  return [a, b];
}

/** Success per row: the model's prediction on `adv` differs from `y` (equals it when targeted). */
async function successOf(fn: string, model: ModelLike, adv: Tensor, y: LabelsLike, targeted: boolean, modelOutput: unknown): Promise<boolean[]> {
  const forward = toForwardFn(fn, model);
  const kind = resolveOutputKind(fn, model, modelOutput);
  const batch = adv.shape[0] as number;
  const labels = classIndicesOf(fn, y, outputUnits(fn, model, forward, adv, y), batch);
  try {
    const hits = tidy(() => {
      const pred = predictedClasses(forward(adv), kind);
      return targeted ? equal(pred, labels) : notEqual(pred, labels);
    });
    const values = await hits.data();
    hits.dispose();
    return Array.from(values, (v) => v === 1);
  } finally {
    labels.dispose();
  }
}

/**
 * Summarises the perturbations a minimal-perturbation attack ({@link carliniWagnerL2},
 * {@link deepFool}, or any attack) found: per row the L2 and L-inf norms of `adversarial - x`, and,
 * given the model and labels, whether the row fooled it; then the median, mean, extremes and
 * quantiles of each norm over the successful rows. The distribution of minimal perturbations is a
 * robustness profile: the fraction of rows with a norm below epsilon is (up to the attack's
 * optimality) the error rate under attacks of size epsilon.
 *
 * Norms are computed in float32 on the backend, then read once. Rows already misclassified on the
 * clean input count as successes with a norm of (about) 0, as in torchattacks' convention.
 * Draw the distribution with {@link minimalPerturbationSvg}.
 *
 * @param x - The clean float32 batch `[batch, ...]`.
 * @param adversarial - The attack's output, of `x`'s shape.
 * @param options - `model` and `y` to decide success; `quantiles` to report.
 * @returns A {@link MinimalPerturbationSummary} of plain numbers (no tensors).
 * @throws {@link InvalidArgumentError} for tensors that are not float32 or differ in shape, a
 *   `model` without `y` (or `y` without `model`), bad labels, quantile probabilities outside
 *   [0, 1], or non-finite perturbations.
 * @example
 * ```ts
 * import { deepFool, minimalPerturbation } from 'responsible-tfjs/robustness';
 * const xAdv = await deepFool(model, x, y);
 * const summary = await minimalPerturbation(x, xAdv, { model, y });
 * console.log(`${summary.successCount} of ${summary.count} fooled, median L2 ${summary.statistics.l2?.median}`);
 * // Without a model: the norms of every row.
 * const { l2, linf } = await minimalPerturbation(x, xAdv);
 * ```
 */
export async function minimalPerturbation(
  x: Tensor, adversarial: Tensor, options?: MinimalPerturbationOptions,
): Promise<MinimalPerturbationSummary> {
  const fn = 'minimalPerturbation';
  const opts = optionsObject(fn, 'options', options);
  const [xs, adv] = checkPair(fn, x, adversarial);
  const targeted = booleanValue(fn, 'options.targeted', opts.targeted ?? false);
  const rawQuantiles: unknown = opts.quantiles ?? DEFAULT_QUANTILES;
  if (!Array.isArray(rawQuantiles)) invalid(fn, 'options.quantiles', rawQuantiles, 'an array of probabilities in [0, 1]');
  const probabilities = (rawQuantiles as unknown[]).map((p, i) => numberInRange(fn, `options.quantiles[${i}]`, p, { min: 0, max: 1 }));
  const hasModel = opts.model !== undefined;
  const hasLabels = opts.y !== undefined && opts.y !== null;
  if (hasModel && !hasLabels) invalid(fn, 'options.y', opts.y, 'the labels the attack used (true classes, or targets when targeted)');
  if (hasLabels && !hasModel) invalid(fn, 'options.model', opts.model, 'the attacked model (needed with options.y to decide success)');

  const normsT = perturbationNorms(xs, adv);
  const values = await normsT.data();
  normsT.dispose();
  const count = xs.shape[0] as number;
  const l2 = Array.from(values.subarray(0, count));
  const linf = Array.from(values.subarray(count));
  const bad = [...l2, ...linf].findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) invalid(fn, 'adversarial', `row ${bad % count} with a non-finite perturbation`, 'finite adversarial inputs');

  const success = hasModel ? await successOf(fn, opts.model!, adv, opts.y!, targeted, opts.modelOutput) : null;
  const covered = (i: number): boolean => success === null || success[i] === true;
  const l2In = l2.filter((_, i) => covered(i));
  const linfIn = linf.filter((_, i) => covered(i));
  return {
    count,
    l2,
    linf,
    success,
    successCount: success === null ? null : success.filter(Boolean).length,
    summarized: success === null ? 'all' : 'successful',
    summarizedCount: l2In.length,
    statistics: {
      l2: l2In.length > 0 ? normStatistics(l2In, probabilities) : null,
      linf: linfIn.length > 0 ? normStatistics(linfIn, probabilities) : null,
    },
  };
}

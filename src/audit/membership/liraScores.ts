import normalLogcdf from '@stdlib/stats-base-dists-normal-logcdf';
import { assertBackend } from '../../core/backend.js';
import type { LabelsLike } from '../../core/labels.js';
import { toForwardFn, type ModelLike } from '../../core/model.js';
import { resolveOutputKind } from '../../core/outputs/index.js';
import type { Tensor, Tensor2D } from '../../core/tf.js';
import { booleanValue, invalid, oneOf, optionsObject, positiveInteger } from '../../core/validate.js';
import { fitGaussians, normalLogPdf, type GaussianFits } from './gaussianFits.js';
import { checkInputs, labelsForOutputs, outputUnits } from './inputs.js';
import { scoreBatches } from './scoreBatches.js';
import type { ShadowModels } from './trainShadowModels.js';

/** Options of {@link liraScores}. */
export interface LiraScoresOptions {
  /** Shadow models and which rows of `x` each was trained on (from {@link trainShadowModels}). */
  readonly shadows: { readonly models: readonly ModelLike[]; readonly included: readonly ArrayLike<number | boolean>[] };
  /**
   * `'online'` (default): likelihood ratio of the IN and OUT Gaussians, the paper's strongest
   * attack; needs shadows trained on the attacked examples. `'offline'`: a one-sided test against
   * the OUT Gaussian only, so shadows never need to see the attacked examples.
   */
  readonly mode?: 'online' | 'offline';
  /**
   * One standard deviation per side shared by all examples instead of one per example (default
   * false). The paper's choice with few shadows (up to about 64); with it one IN (OUT)
   * observation per example suffices, otherwise each example needs at least two.
   */
  readonly fixedVariance?: boolean;
  /** Examples scored together (an integer >= 1). Default 256. */
  readonly batchSize?: number;
  /** Whether the models return logits or probabilities. Default: what each model declares. */
  readonly modelOutput?: 'logits' | 'probabilities';
}

/** Result of {@link liraScores}. */
export interface LiraScores {
  /** One LiRA score per example, higher = more likely a member of the target's training set. */
  readonly scores: Float64Array;
  /** Number of shadow models that were trained on each example. */
  readonly inCounts: Int32Array;
  /** Number of shadow models that were not trained on each example. */
  readonly outCounts: Int32Array;
}

/**
 * The Likelihood Ratio Attack (LiRA) of Carlini et al. 2022, "Membership Inference Attacks From
 * First Principles". For each example, the target's scaled logit `phi = log(p_y / (1 - p_y))`
 * ({@link membershipScores} with `'logitConfidence'`) is compared with Gaussians fitted to the
 * shadows' `phi` on that example: over the shadows that did not train on it (OUT) and, online,
 * over those that did (IN). Scores (higher = member):
 * - offline: `log Phi((phi - mu_out) / sigma_out)`, the log-probability that an OUT model scores
 *   below `phi` (the paper's one-sided test);
 * - online: `log N(phi; mu_in, sigma_in) - log N(phi; mu_out, sigma_out)`.
 *
 * Gaussians are maximum-likelihood fits: mean and standard deviation with divisor n (the
 * authors' code uses the median as the centre; this uses the mean, the Gaussian's own fit).
 * Single-query version: the paper's averaging over augmented queries is not done here.
 *
 * @param target - The attacked model.
 * @param x - Examples to score `[N, ...]`: the rows the shadows' masks refer to.
 * @param y - Their true labels.
 * @param options - {@link LiraScoresOptions}; `shadows` is required.
 * @returns Scores and, per example, how many shadows were IN and OUT.
 * @throws InvalidArgumentError when an example has no OUT shadow (online: no IN shadow either),
 *   or fewer than two without `fixedVariance`, or a fitted deviation is 0.
 * @example
 * ```ts
 * import { evaluateMembershipAttack, liraScores } from 'responsible-tfjs/audit';
 * const lira = await liraScores(target, xPool, yPool, { shadows, mode: 'online', fixedVariance: true });
 * console.log(evaluateMembershipAttack(lira.scores, isMember, { name: 'LiRA online' }).tprAtFpr);
 * ```
 */
export async function liraScores(target: ModelLike, x: Tensor, y: LabelsLike, options: LiraScoresOptions): Promise<LiraScores> {
  const fn = 'liraScores';
  assertBackend(fn);
  const o = optionsObject(fn, 'options', options);
  const mode = oneOf(fn, 'options.mode', o.mode ?? 'online', ['online', 'offline'] as const);
  const fixedVariance = booleanValue(fn, 'options.fixedVariance', o.fixedVariance ?? false);
  const batchSize = positiveInteger(fn, 'options.batchSize', o.batchSize ?? 256);
  const targetForward = toForwardFn(fn, target);
  checkInputs(fn, x);
  const n = x.shape[0] as number;
  const { models, included } = checkShadows(fn, o.shadows, n);
  const labels = await labelsForOutputs(fn, y, outputUnits(fn, target, targetForward, x), n);
  let phiTarget: Float64Array;
  const phiShadows: Float64Array[] = [];
  try {
    const phi = (model: ModelLike, argument: string): Promise<Float64Array> =>
      scoreBatches(fn, toForwardFn(fn, model), resolveOutputKind(fn, model, o.modelOutput), x, labels as Tensor2D, batchSize, 'logitConfidence')
        .catch((e: unknown) => { throw annotate(e, argument); });
    phiTarget = await phi(target, 'target');
    for (let k = 0; k < models.length; k++) phiShadows.push(await phi(models[k]!, `options.shadows.models[${k}]`));
  } finally {
    labels.dispose();
  }
  const need = fixedVariance ? 1 : 2;
  const out = fitGaussians(phiShadows, included, 0, fixedVariance);
  checkFit(fn, out, 'OUT', need, models.length);
  const inside = fitGaussians(phiShadows, included, 1, fixedVariance);
  if (mode === 'online') checkFit(fn, inside, 'IN', need, models.length);
  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = phiTarget[i] as number;
    scores[i] = mode === 'offline'
      ? normalLogcdf(v, out.mean[i] as number, out.std[i] as number)
      : normalLogPdf(v, inside.mean[i] as number, inside.std[i] as number) - normalLogPdf(v, out.mean[i] as number, out.std[i] as number);
  }
  return { scores, inCounts: inside.counts, outCounts: out.counts };
}

/** Checks the shadows' shape and turns the masks into 0/1 bytes. */
function checkShadows(fn: string, shadows: unknown, n: number): { models: readonly ModelLike[]; included: Uint8Array[] } {
  const s = shadows as Partial<ShadowModels> | undefined;
  if (typeof s !== 'object' || s === null || !Array.isArray(s.models) || !Array.isArray(s.included) || s.models.length === 0) {
    invalid(fn, 'options.shadows', shadows, '{ models, included } with at least one model (from trainShadowModels)');
  }
  if (s.included!.length !== s.models!.length) {
    invalid(fn, 'options.shadows.included', `length ${s.included!.length}`, `one mask per model (${s.models!.length})`);
  }
  const included = s.included!.map((mask, k) => {
    const arg = `options.shadows.included[${k}]`;
    if (!(Array.isArray(mask) || ArrayBuffer.isView(mask)) || (mask as ArrayLike<unknown>).length !== n) {
      invalid(fn, arg, mask, `an array of ${n} flags (one per row of x), 1 where the shadow trained on the row`);
    }
    const m = mask as ArrayLike<unknown>;
    return Uint8Array.from({ length: n }, (_, i) => {
      const v = m[i];
      if (v === 1 || v === true) return 1;
      if (v === 0 || v === false) return 0;
      return invalid(fn, `${arg}[${i}]`, v, '0/1 or true/false');
    });
  });
  return { models: s.models!, included };
}

/** Every example needs `need` observations on this side and a positive fitted deviation. */
function checkFit(fn: string, fit: GaussianFits, side: 'IN' | 'OUT', need: number, shadows: number): void {
  for (let i = 0; i < fit.counts.length; i++) {
    const c = fit.counts[i] as number;
    if (c < need) {
      const value = side === 'OUT' ? `example ${i}: left out by ${c} of ${shadows} shadow models` : `example ${i}: trained on by ${c} of ${shadows} shadow models`;
      const allowed = side === 'OUT'
        ? `shadow models that leave every example out at least ${need === 1 ? 'once' : 'twice'} (OUT observations)`
        : `shadow models that train on every example at least ${need === 1 ? 'once' : 'twice'} (IN observations, online mode)`;
      invalid(fn, 'options.shadows', value, allowed, need === 2
        ? 'Train more shadow models, or set fixedVariance: true (one deviation shared by all examples needs one observation per example)'
        : 'Train more shadow models: with inclusion probability 1/2, an example is on the same side of all k shadows with probability 2^(1-k)');
    }
    if (!((fit.std[i] as number) > 0)) {
      invalid(fn, 'options.shadows', `a fitted ${side} standard deviation of 0 (example ${i})`,
        'shadow models whose scores vary', 'Identical shadow models carry no information about the spread: train them on different subsets or seeds');
    }
  }
}

/** Prefixes the model's argument name to errors raised while scoring it. */
function annotate(e: unknown, argument: string): unknown {
  if (e instanceof Error && !e.message.includes(argument)) e.message = `${e.message} (while scoring ${argument})`;
  return e;
}

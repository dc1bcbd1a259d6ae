import type { LabelsLike } from '../../core/labels.js';
import type { ModelLike } from '../../core/model.js';
import { resolveRng, statisticalRng, type Rng } from '../../core/rng.js';
import type { Tensor } from '../../core/tf.js';
import { invalid, numberInRange, oneOf, optionsObject, positiveInteger } from '../../core/validate.js';
import { checkCanaries, insertCanaries } from '../canaries/insertCanaries.js';
import type { CanarySet } from '../canaries/types.js';
import { inputTensor } from '../labels.js';
import { membershipScores } from '../membership/index.js';
import { summarizeOneRun, type OneRunAuditSummary } from './summary.js';

/** What an {@link AuditTrainer} hands back: the trained model and, for a private trainer, its guarantee. */
export interface AuditTrainerResult {
  /** The trained model (the audit returns it; the caller disposes it). */
  readonly model: ModelLike;
  /** The epsilon the training run reports (e.g. `fitPrivately`'s `epsilon`); leave out for a non-private run. */
  readonly epsilon?: number;
  /** The delta of that epsilon. */
  readonly delta?: number;
}

/**
 * Trains a fresh model on the audit's training set (the data plus the included canaries). It must
 * start from a new model every call and must not look at which canaries are included (it only
 * sees the rows it trains on).
 */
export type AuditTrainer = (x: Tensor, y: Int32Array) => Promise<AuditTrainerResult>;

/** Options of {@link auditDpSgd}. */
export interface AuditDpSgdOptions {
  /** The canaries (each is included with probability 1/2); m = their number. */
  readonly canaries: CanarySet;
  /**
   * How a canary is scored on the trained model (higher = more likely trained on): `'loss'`
   * (default; minus the cross-entropy of the canary's label), `'confidence'` or `'logitConfidence'`.
   */
  readonly score?: 'loss' | 'confidence' | 'logitConfidence';
  /**
   * k+: guess "included" for the k+ highest-scoring canaries (default `ceil(m / 10)`). A list of
   * candidates is searched with a Bonferroni correction over the grid.
   */
  readonly positiveGuesses?: number | readonly number[];
  /** k−: guess "excluded" for the k− lowest-scoring canaries (default `ceil(m / 10)`). */
  readonly negativeGuesses?: number | readonly number[];
  /** The delta to audit at (default: the trainer's `delta`, else 0). */
  readonly delta?: number;
  /** Confidence of the lower bound, in (0, 1) (default 0.95). */
  readonly confidence?: number;
  /** Which canaries are included and the row order (default `Math.random`; seed it to reproduce an audit). */
  readonly rng?: Rng;
  /** Rows per forward pass when scoring the canaries (default 256). */
  readonly batchSize?: number;
  /** `'logits'` or `'probabilities'`, when the model's output kind cannot be read off it. */
  readonly modelOutput?: 'logits' | 'probabilities';
}

/** Result of {@link auditDpSgd}: the {@link OneRunAuditSummary}, the training's size and times, and the model. */
export interface DpSgdAuditResult extends OneRunAuditSummary {
  /** Rows the model was trained on (data plus included canaries). */
  readonly trainingRows: number;
  /** Wall-clock milliseconds of the training run and of scoring the canaries. */
  readonly trainingMs: number;
  readonly scoringMs: number;
  /** The trained model (the caller owns it: dispose a LayersModel with `model.dispose()`). */
  readonly model: ModelLike;
}

/**
 * Audits a private training run in one run (Steinke, Nasr and Jagielski, "Privacy Auditing with
 * One (1) Training Run", NeurIPS 2023): each canary joins the training data with probability 1/2,
 * the trainer trains once, every canary is scored on the trained model, the auditor guesses
 * "included" for the k+ highest scores and "excluded" for the k− lowest, and the number of correct
 * guesses becomes a lower bound on epsilon that holds with probability `confidence` whatever the
 * trainer does. A lower bound above the epsilon the trainer reports proves its guarantee false
 * (up to the 1 − confidence chance); a bound below it proves nothing about the guarantee being
 * right. The cost is one training run plus one forward pass over the m canaries.
 *
 * The audit is black-box and input-space: it sees only the final model. It certifies at most
 * `maxCertifiableEpsilon` (which grows with the number of guesses), and for honest DP-SGD it is
 * far from tight; see the audit guide.
 *
 * @param trainer - Trains a fresh model on the rows it is given; see {@link AuditTrainer}.
 * @param data - The training data without canaries.
 * @param options - {@link AuditDpSgdOptions}.
 * @returns The bound next to the reported epsilon, the counts, scores and the trained model.
 * @example
 * ```ts
 * import { auditDpSgd, mislabelledCanaries } from 'responsible-tfjs/audit';
 * import { fitPrivately } from 'responsible-tfjs/privacy';
 * const canaries = await mislabelledCanaries(xHeldOut, yHeldOut, { count: 400, numClasses: 10 });
 * const audit = await auditDpSgd(async (x, y) => {
 *   const model = makeModel();
 *   const r = await fitPrivately(model, x, y, { epochs: 30, batchSize: 64, maxGradNorm: 1, targetEpsilon: 4, delta: 1e-5, optimizer: tf.train.sgd(0.5) });
 *   return { model, epsilon: r.epsilon, delta: r.delta };
 * }, { x: xTrain, y: yTrain }, { canaries });
 * console.log(`reported ${audit.reportedEpsilon}, lower bound ${audit.epsilonLowerBound} (at most ${audit.maxCertifiableEpsilon} certifiable)`);
 * ```
 */
export async function auditDpSgd(trainer: AuditTrainer, data: { readonly x: Tensor; readonly y: LabelsLike }, options: AuditDpSgdOptions): Promise<DpSgdAuditResult> {
  const fn = 'auditDpSgd';
  if (typeof trainer !== 'function') invalid(fn, 'trainer', trainer, 'an async function (x, y) => ({ model, epsilon?, delta? })');
  if (typeof data !== 'object' || data === null) invalid(fn, 'data', data, 'an object { x: Tensor, y: labels }');
  const x = inputTensor(fn, 'data.x', data.x);
  const o = optionsObject(fn, 'options', options);
  const canaries = checkCanaries(fn, 'options.canaries', o.canaries, x);
  const m = canaries.y.length;
  const score = oneOf(fn, 'options.score', o.score ?? 'loss', ['loss', 'confidence', 'logitConfidence'] as const);
  const confidence = numberInRange(fn, 'options.confidence', o.confidence ?? 0.95, { min: 0, max: 1, minInclusive: false, maxInclusive: false });
  const batchSize = positiveInteger(fn, 'options.batchSize', o.batchSize ?? 256);
  const defaultK = Math.ceil(m / 10);
  const positiveGuesses = o.positiveGuesses ?? defaultK;
  const negativeGuesses = o.negativeGuesses ?? defaultK;
  if (o.delta !== undefined) numberInRange(fn, 'options.delta', o.delta, { min: 0, max: 1, maxInclusive: false });
  const rng = resolveRng(fn, o.rng, statisticalRng);

  const train = await insertCanaries(x, data.y, canaries, { rng });
  const t0 = performance.now();
  let trained: AuditTrainerResult;
  try {
    trained = await trainer(train.x, train.y);
  } finally {
    train.x.dispose();
  }
  const trainingMs = performance.now() - t0;
  if (typeof trained !== 'object' || trained === null || trained.model === undefined) {
    invalid(fn, 'trainer', trained, 'a trainer whose promise resolves to { model, epsilon?, delta? }');
  }
  const reportedEpsilon = trained.epsilon;
  if (reportedEpsilon !== undefined && !(typeof reportedEpsilon === 'number' && reportedEpsilon >= 0)) {
    invalid(fn, 'trainer', `epsilon ${String(reportedEpsilon)}`, 'a trainer reporting a non-negative epsilon (or none)');
  }
  const delta = o.delta ?? trained.delta ?? 0;
  if (trained.delta !== undefined && o.delta === undefined) numberInRange(fn, 'trainer', trained.delta, { min: 0, max: 1, maxInclusive: false });

  const t1 = performance.now();
  const scores = await membershipScores(trained.model, canaries.x, canaries.y, {
    score, batchSize, ...(o.modelOutput !== undefined ? { modelOutput: o.modelOutput } : {}),
  });
  const scoringMs = performance.now() - t1;
  return {
    ...summarizeOneRun(scores, train.included, { positiveGuesses, negativeGuesses, delta, confidence, reportedEpsilon }),
    trainingRows: train.y.length,
    trainingMs,
    scoringMs,
    model: trained.model,
  };
}

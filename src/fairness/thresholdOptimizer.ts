/**
 * Threshold optimizer (Hardt, Price & Srebro 2016, "Equality of Opportunity in Supervised
 * Learning"; Fairlearn's `ThresholdOptimizer`, v0.12): post-processing that picks, per group, a
 * randomized mix of two score thresholds so that the chosen rates are equal across groups while
 * the objective is as high as possible.
 */
import { resolveRng, secureRng, type Rng } from '../core/rng.js';
import { booleanValue, invalid, oneOf, optionsObject, positiveInteger } from '../core/validate.js';
import { checkThresholdRule } from './checkThresholdRule.js';
import { encodeGroupRows } from './groupEncoder.js';
import { binaryColumn, nonEmpty, numberColumn, type NumberArray, type SensitiveFeatures } from './inputs.js';
import { interpolateHull, tradeoffHull, tradeoffMetric, unitGrid, type ThresholdOperation, type TradeoffMetric } from './tradeoff.js';

/**
 * Constraints of the threshold optimizer, by Fairlearn's names.
 */
export type ThresholdConstraint =
  | 'demographic_parity'
  | 'selection_rate_parity'
  | 'true_positive_rate_parity'
  | 'false_positive_rate_parity'
  | 'true_negative_rate_parity'
  | 'false_negative_rate_parity'
  | 'equalized_odds';

/**
 * Objectives of the threshold optimizer (equalized odds allows the two accuracies only).
 */
export type ThresholdObjective = 'accuracy_score' | 'balanced_accuracy_score' | 'selection_rate' | 'true_positive_rate' | 'true_negative_rate';

/**
 * Options of {@link fitThresholdOptimizer}.
 */
export interface ThresholdOptimizerOptions {
  /** Binary labels of the fitting data. */
  readonly yTrue: NumberArray;
  /** Scores (e.g. probabilities) of the fitting data. */
  readonly yScore: NumberArray;
  /** Group labels: one column, or named columns (each intersection is a group). */
  readonly sensitiveFeatures: SensitiveFeatures;
  /** The fairness constraint. */
  readonly constraints: ThresholdConstraint;
  /** What to maximise (`'accuracy_score'` by default). */
  readonly objective?: ThresholdObjective;
  /** Grid points over [0, 1] minus one (1000 by default, as Fairlearn). */
  readonly gridSize?: number;
  /** Also consider flipped rules (`score < t` predicts 1); false by default. */
  readonly flip?: boolean;
}

/**
 * The fitted rule of one group: P(ŷ = 1 | s) = p0·[s op0 t0] + p1·[s op1 t1], and for equalized
 * odds P = pIgnore·predictionConstant + (1 − pIgnore)·P.
 */
export interface GroupThresholdRule {
  /** Weight of the first operation. */
  readonly p0: number;
  /** First threshold operation. */
  readonly operation0: ThresholdOperation;
  /** Weight of the second operation. */
  readonly p1: number;
  /** Second threshold operation. */
  readonly operation1: ThresholdOperation;
  /** Equalized odds only: probability of ignoring the score. */
  readonly pIgnore?: number;
  /** Equalized odds only: P(ŷ = 1) when the score is ignored (the best FPR). */
  readonly predictionConstant?: number;
}

/**
 * A fitted threshold optimizer: plain data, serialisable with JSON (thresholds may be ±Infinity).
 */
export interface ThresholdRule {
  /** The constraint it satisfies. */
  readonly constraints: ThresholdConstraint;
  /** The objective it maximised. */
  readonly objective: ThresholdObjective;
  /** The constrained rate chosen (Fairlearn's `x_best`; the FPR for equalized odds). */
  readonly xBest: number;
  /** Objective value at `xBest` on the fitting data. */
  readonly objectiveValue: number;
  /** Sensitive feature names. */
  readonly sensitiveFeatureNames: readonly string[];
  /** Rule per group key. */
  readonly groups: Readonly<Record<string, GroupThresholdRule>>;
}

const SIMPLE: Record<string, TradeoffMetric> = {
  selection_rate_parity: 'selection_rate',
  demographic_parity: 'selection_rate',
  false_positive_rate_parity: 'false_positive_rate',
  false_negative_rate_parity: 'false_negative_rate',
  true_positive_rate_parity: 'true_positive_rate',
  true_negative_rate_parity: 'true_negative_rate',
};
const CONSTRAINTS: ThresholdConstraint[] = [
  'demographic_parity',
  'selection_rate_parity',
  'true_positive_rate_parity',
  'false_positive_rate_parity',
  'true_negative_rate_parity',
  'false_negative_rate_parity',
  'equalized_odds',
];
const OBJECTIVES: ThresholdObjective[] = ['accuracy_score', 'balanced_accuracy_score', 'selection_rate', 'true_positive_rate', 'true_negative_rate'];

/**
 * Fits Fairlearn's ThresholdOptimizer on labels, scores and groups (sample weights are not used,
 * as in Fairlearn). Each group needs both labels.
 *
 * @returns The fitted {@link ThresholdRule}; apply it with {@link thresholdProbabilities} or {@link thresholdPredict}.
 * @throws InvalidArgumentError for unsupported constraint/objective pairs, groups with one label, or invalid input.
 * @example
 * ```ts
 * import { fitThresholdOptimizer, thresholdPredict, seededRng } from 'responsible-tfjs';
 * const rule = fitThresholdOptimizer({ yTrue, yScore, sensitiveFeatures: sex, constraints: 'equalized_odds' });
 * const yFair = thresholdPredict(rule, { yScore: testScores, sensitiveFeatures: testSex, rng: seededRng(0) });
 * ```
 */
export function fitThresholdOptimizer(options: ThresholdOptimizerOptions): ThresholdRule {
  const fn = 'fitThresholdOptimizer';
  const o = optionsObject(fn, 'options', options);
  const constraints = oneOf(fn, 'options.constraints', o.constraints, CONSTRAINTS);
  const objective = o.objective === undefined ? 'accuracy_score' : oneOf(fn, 'options.objective', o.objective, OBJECTIVES);
  if (constraints === 'equalized_odds' && objective !== 'accuracy_score' && objective !== 'balanced_accuracy_score') {
    invalid(fn, 'options.objective', objective, "'accuracy_score' or 'balanced_accuracy_score' for equalized_odds");
  }
  const gridSize = o.gridSize === undefined ? 1000 : positiveInteger(fn, 'options.gridSize', o.gridSize);
  const flip = o.flip === undefined ? false : booleanValue(fn, 'options.flip', o.flip);
  const t = numberColumn(fn, 'options.yTrue', o.yTrue);
  nonEmpty(fn, 'yTrue', t.length);
  binaryColumn(fn, 'yTrue', t);
  const s = numberColumn(fn, 'options.yScore', o.yScore, t.length);
  const { names, codes, keys, counts } = encodeGroupRows(fn, o.sensitiveFeatures, t.length);
  // Scores and labels of each group, in row order.
  const scoresOf = Array.from(counts, (k) => new Array<number>(k));
  const labelsOf = Array.from(counts, (k) => new Array<number>(k));
  const filled = new Int32Array(keys.length);
  for (let i = 0; i < t.length; i++) {
    const g = codes[i]!;
    scoresOf[g]![filled[g]!] = s[i]!;
    labelsOf[g]![filled[g]!++] = t[i]!;
  }
  const grid = unitGrid(gridSize);
  const n = t.length;
  const xMetric: TradeoffMetric = constraints === 'equalized_odds' ? 'false_positive_rate' : SIMPLE[constraints]!;
  const yMetric: TradeoffMetric = constraints === 'equalized_odds' ? 'true_positive_rate' : objective;
  const curves = keys.map((key, g) => interpolateHull(tradeoffHull(fn, key, scoresOf[g]!, labelsOf[g]!, xMetric, yMetric, flip), grid));
  const groups: Record<string, GroupThresholdRule> = {};
  if (constraints !== 'equalized_odds') {
    const overall = grid.map(() => 0);
    keys.forEach((_, g) => {
      const p = counts[g]! / n;
      curves[g]!.forEach((point, j) => {
        overall[j]! += p * point.y;
      });
    });
    const best = argMax(overall);
    keys.forEach((key, g) => {
      const point = curves[g]![best]!;
      groups[key] = { p0: point.p0, operation0: point.operation0, p1: point.p1, operation1: point.operation1 };
    });
    return { constraints, objective, xBest: grid[best]!, objectiveValue: overall[best]!, sensitiveFeatureNames: names, groups };
  }
  let nPos = 0;
  for (let i = 0; i < n; i++) nPos += t[i]!;
  const nNeg = n - nPos;
  const yMin = grid.map((_, j) => Math.min(...curves.map((curve) => curve[j]!.y)));
  const values = grid.map((x, j) => {
    const v = tradeoffMetric(objective, { fp: nNeg * x, tn: nNeg * (1 - x), tp: nPos * yMin[j]!, fn: nPos * (1 - yMin[j]!) });
    return Math.round(v * 1e15) / 1e15; // numpy.around(v, 15)
  });
  const best = argMax(values);
  const xBest = grid[best]!;
  const yBest = yMin[best]!;
  keys.forEach((key, g) => {
    const point = curves[g]![best]!;
    const pIgnore = point.y === point.x ? 0 : (point.y - yBest) / (point.y - point.x);
    groups[key] = { pIgnore, predictionConstant: xBest, p0: point.p0, operation0: point.operation0, p1: point.p1, operation1: point.operation1 };
  });
  return { constraints, objective, xBest, objectiveValue: values[best]!, sensitiveFeatureNames: names, groups };
}

function argMax(values: readonly number[]): number {
  let best = 0;
  for (let j = 1; j < values.length; j++) if (values[j]! > values[best]!) best = j;
  return best;
}

const applies = (op: ThresholdOperation, s: number): number => (op.operator === '>' ? (s > op.threshold ? 1 : 0) : s < op.threshold ? 1 : 0);

/**
 * Inputs of {@link thresholdProbabilities} and {@link thresholdPredict}.
 */
export interface ThresholdApplyOptions {
  /** Scores of the rows to decide. */
  readonly yScore: NumberArray;
  /** Their groups (same feature names as at fit time). */
  readonly sensitiveFeatures: SensitiveFeatures;
}

/**
 * P(ŷ = 1) of every row under a fitted rule (Fairlearn's `_pmf_predict`): exact and RNG-free.
 * The rule is checked first, so a stored or hand-edited rule cannot silently decide otherwise.
 *
 * @throws InvalidArgumentError naming the field of an invalid rule (an operator other than `'>'`
 *   or `'<'`, a weight outside [0, 1], a threshold that is not a number), or when a row's group
 *   was not seen at fit time.
 * @example
 * ```ts
 * import { thresholdProbabilities } from 'responsible-tfjs/fairness';
 * const p = thresholdProbabilities(rule, { yScore, sensitiveFeatures: sex }); // Float64Array
 * ```
 */
export function thresholdProbabilities(rule: ThresholdRule, options: ThresholdApplyOptions): Float64Array {
  return probabilities('thresholdProbabilities', rule, options);
}

function probabilities(fn: string, rule: ThresholdRule, options: ThresholdApplyOptions): Float64Array {
  const r = checkThresholdRule(fn, rule);
  const o = optionsObject(fn, 'options', options);
  const s = numberColumn(fn, 'options.yScore', o.yScore);
  const { codes, keys } = encodeGroupRows(fn, o.sensitiveFeatures, s.length, 'options.sensitiveFeatures', 'yScore');
  const rules = keys.map((key) => {
    if (!Object.hasOwn(r.groups, key)) invalid(fn, 'options.sensitiveFeatures', key, `a group seen at fit time (${Object.keys(r.groups).join(', ')})`);
    return r.groups[key]!;
  });
  const out = new Float64Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const g = rules[codes[i]!]!;
    let p = g.p0 * applies(g.operation0, s[i]!) + g.p1 * applies(g.operation1, s[i]!);
    if (g.pIgnore !== undefined) p = g.pIgnore * g.predictionConstant! + (1 - g.pIgnore) * p;
    out[i] = p;
  }
  return out;
}

/**
 * Randomized predictions of a fitted rule: ŷ = 1 when P(ŷ = 1) ≥ u with u uniform from `rng`
 * (Fairlearn draws u from numpy; pass `seededRng(seed)` for reproducible output).
 *
 * @returns 0/1 predictions.
 * @example
 * ```ts
 * import { seededRng } from 'responsible-tfjs';
 * import { thresholdPredict } from 'responsible-tfjs/fairness';
 * const yHat = thresholdPredict(rule, { yScore, sensitiveFeatures: sex, rng: seededRng(0) });
 * ```
 */
export function thresholdPredict(rule: ThresholdRule, options: ThresholdApplyOptions & { readonly rng?: Rng }): Int32Array {
  const rng = resolveRng('thresholdPredict', optionsObject('thresholdPredict', 'options', options).rng, secureRng);
  const p = probabilities('thresholdPredict', rule, options);
  return Int32Array.from(p, (v) => (v >= rng.next() ? 1 : 0));
}

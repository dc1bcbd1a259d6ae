import { perExampleCrossEntropy } from '../../core/outputs/index.js';
import { resolveRng, statisticalRng, type Rng } from '../../core/rng.js';
import { mean, type Scalar } from '../../core/tf.js';
import { booleanValue, finiteNumber, invalid, nonNegativeNumber, optionsObject, positiveInteger, positiveNumber } from '../../core/validate.js';
import { pgd } from '../../robustness/pgd.js';
import type { LossTerm } from '../types.js';
import { termName } from './termName.js';

/** Options of {@link adversarialTerm} and {@link tradesTerm}: an L-inf PGD attack in input units. */
export interface AdversarialTermOptions {
  /** Term name. Default `'adversarial'` (or `'trades'`). */
  readonly name?: string;
  /** L-inf radius of the perturbation ball, in input units (>= 0). */
  readonly epsilon: number;
  /** Step size in input units (> 0). Default `epsilon / 4` (or 0.01 when epsilon is 0). */
  readonly stepSize?: number;
  /** PGD steps (integer >= 1). Default 7. */
  readonly steps?: number;
  /** Smallest valid input. Default 0. */
  readonly clipMin?: number;
  /** Largest valid input. Default 1. */
  readonly clipMax?: number;
  /** Start from a uniform random point of the ball. Default true. */
  readonly randomStart?: boolean;
  /** Source of the random starts; seed it for reproducible training. Default `Math.random`. */
  readonly rng?: Rng;
}

/** Validated L-inf attack settings of the adversarial and TRADES terms, in input units (internal). */
export interface TermAttackSettings {
  readonly epsilon: number;
  readonly stepSize: number;
  readonly steps: number;
  readonly clipMin: number;
  readonly clipMax: number;
  readonly randomStart: boolean;
  readonly rng: Rng;
}

/** Validates the attack settings (internal). */
export function termAttackSettings(fn: string, o: AdversarialTermOptions): TermAttackSettings {
  const epsilon = nonNegativeNumber(fn, 'options.epsilon', o.epsilon);
  const clipMin = finiteNumber(fn, 'options.clipMin', o.clipMin ?? 0);
  const clipMax = finiteNumber(fn, 'options.clipMax', o.clipMax ?? 1);
  if (!(clipMax > clipMin)) invalid(fn, 'options.clipMax', clipMax, `a number > options.clipMin (${clipMin})`);
  return {
    epsilon,
    stepSize: positiveNumber(fn, 'options.stepSize', o.stepSize ?? (epsilon > 0 ? epsilon / 4 : 0.01)),
    steps: positiveInteger(fn, 'options.steps', o.steps ?? 7),
    clipMin,
    clipMax,
    randomStart: booleanValue(fn, 'options.randomStart', o.randomStart ?? true),
    rng: resolveRng(fn, o.rng, statisticalRng),
  };
}

/**
 * Robustness term, PGD adversarial training (Madry et al. 2018): before each step its `prepare`
 * hook crafts L-inf PGD adversarial examples of the batch against the current model (maximising
 * the cross-entropy, with the robustness module's {@link pgd}), and the term is
 * the cross-entropy on them. Inputs must lie in `[clipMin, clipMax]`. With weight 1 and a task weight
 * of 1 this is the 50/50 mix of clean and adversarial loss (Goodfellow et al. 2015); under MGDA
 * or a constraint the balance is found for you.
 *
 * @returns A loss term with data dependence `'example'` (each adversarial example depends on its
 * own example only).
 * @example
 * ```ts
 * import { ethicalLoss, crossEntropyTerm, adversarialTerm } from 'responsible-tfjs/objectives';
 * const loss = ethicalLoss({
 *   model, task: crossEntropyTerm(), terms: [adversarialTerm({ epsilon: 0.1, steps: 7 })],
 *   weights: { adversarial: 1 },
 * });
 * ```
 */
export function adversarialTerm(options: AdversarialTermOptions): LossTerm {
  const fn = 'adversarialTerm';
  const o = optionsObject(fn, 'options', options);
  const name = termName(fn, o.name ?? 'adversarial');
  const settings = termAttackSettings(fn, o);
  const key = `${name}:adversarialInputs`;
  return {
    name,
    dataDependence: 'example',
    // The labels are shaped like the logits, a 0/1 column for a single-logit model: pgd takes both.
    prepare: async (ctx) => ({ [key]: await pgd(ctx.forward, ctx.x, ctx.labels, { ...settings, modelOutput: 'logits' }) }),
    fn: (ctx) => mean(perExampleCrossEntropy(ctx.labels, ctx.forward(ctx.extras[key]!), 'logits')) as Scalar,
  };
}

import { assertGradientsAvailable } from '../core/gradients.js';
import { toForwardFn, type ModelLike } from '../core/model.js';
import { resolveRng, rngFromFunction, tensorSeed, type Rng } from '../core/rng.js';
import {
  add, div, exp, grad, mean, mul, randomNormal, sub, sum, tidy, type Scalar, type Tensor, type Tensor2D,
} from '../core/tf.js';
import { nonNegativeNumber, oneOf, optionsObject, positiveInteger, positiveNumber } from '../core/validate.js';
import { checkInputs, commonSettings } from './context.js';
import { clamp, linfStep } from './steps.js';
import { keptCorrectCount, logProbabilities, trainingForward } from './training.js';
import type { ModelOutput } from './types.js';

/**
 * Options of {@link tradesAttack}, the inner maximisation of TRADES. Distances are in input units.
 *
 * @example
 * ```ts
 * import type { TradesAttackOptions } from 'responsible-tfjs/robustness';
 * const options: TradesAttackOptions = { epsilon: 0.1, stepSize: 0.025, steps: 7 };
 * ```
 */
export interface TradesAttackOptions {
  /** L-inf radius of the perturbation, in input units (>= 0). */
  readonly epsilon: number;
  /** L-inf step size (> 0). */
  readonly stepSize: number;
  /** Number of sign-gradient steps (an integer >= 1). */
  readonly steps: number;
  /** Smallest valid input value. Default 0. */
  readonly clipMin?: number;
  /** Largest valid input value. Default 1. */
  readonly clipMax?: number;
  /** Whether the model returns logits (default) or probabilities. */
  readonly modelOutput?: ModelOutput;
  /** Source of the small Gaussian start (0.001 N(0, 1), as in the TRADES code). Default `Math.random`. */
  readonly rng?: Rng;
}

/** Per-example KL(p_clean || p_adv) from log-probabilities, `[batch]`. */
function klPerExample(logPClean: Tensor, logPAdv: Tensor): Tensor {
  return sum(mul(exp(logPClean), sub(logPClean, logPAdv)), 1);
}

/** Validated TRADES attack settings (internal). */
export function tradesSettings(fn: string, opts: TradesAttackOptions) {
  const common = commonSettings(fn, { clipMin: opts.clipMin, clipMax: opts.clipMax, modelOutput: opts.modelOutput });
  return {
    epsilon: nonNegativeNumber(fn, 'options.epsilon', opts.epsilon),
    stepSize: positiveNumber(fn, 'options.stepSize', opts.stepSize),
    steps: positiveInteger(fn, 'options.steps', opts.steps),
    clipMin: common.clipMin,
    clipMax: common.clipMax,
    modelOutput: oneOf(fn, 'options.modelOutput', opts.modelOutput ?? 'logits', ['logits', 'probabilities'] as const),
    rng: resolveRng(fn, opts.rng, () => rngFromFunction(Math.random, 'Math.random')),
  };
}

/** TRADES inner maximisation, synchronous (internal). @returns A caller-owned tensor. */
export function tradesAttackCore(forward: (x: Tensor) => Tensor, x: Tensor, s: ReturnType<typeof tradesSettings>): Tensor {
  const seed = tensorSeed(s.rng);
  const logPClean = tidy(() => logProbabilities(forward(x), s.modelOutput));
  let xk = tidy(() => clamp(add(x, mul(randomNormal(x.shape, 0, 1, 'float32', seed), 0.001)), s.clipMin, s.clipMax));
  for (let k = 0; k < s.steps; k++) {
    const prev = xk;
    xk = tidy(() => {
      const g = grad((xi: Tensor) => sum(klPerExample(logPClean, logProbabilities(forward(xi), s.modelOutput))))(prev);
      return linfStep(x, prev, g, s.stepSize, s.epsilon, s.clipMin, s.clipMax);
    });
    prev.dispose();
  }
  logPClean.dispose();
  return xk;
}

/**
 * The inner maximisation of TRADES (Zhang et al. 2019, https://arxiv.org/abs/1901.08573): starting
 * from `x + 0.001 N(0, 1)`, L-inf sign steps that increase `KL(f(x) || f(x'))`, each projected onto
 * the epsilon ball around `x` and clipped to `[clipMin, clipMax]`. Needs no labels.
 *
 * @returns Adversarial inputs of `x`'s shape, which the caller owns.
 * @example
 * ```ts
 * import { tradesAttack, tradesLoss } from 'responsible-tfjs/robustness';
 * const xAdv = await tradesAttack(model, x, { epsilon: 0.1, stepSize: 0.025, steps: 7 });
 * optimizer.minimize(() => tradesLoss(model, x, xAdv, y, { beta: 6 }));
 * ```
 */
export async function tradesAttack(model: ModelLike, x: Tensor, options: TradesAttackOptions): Promise<Tensor> {
  const fn = 'tradesAttack';
  const s = tradesSettings(fn, optionsObject(fn, 'options', options));
  const forward = toForwardFn(fn, model);
  assertGradientsAvailable(fn);
  await checkInputs(fn, x, s.clipMin, s.clipMax);
  return tradesAttackCore(forward, x, s);
}

/**
 * Options of {@link tradesLoss}.
 *
 * @example
 * ```ts
 * import type { TradesLossOptions } from 'responsible-tfjs/robustness';
 * const options: TradesLossOptions = { beta: 6 };
 * ```
 */
export interface TradesLossOptions {
  /** Weight of the robustness (KL) term; larger trades clean accuracy for robustness. Default 6. */
  readonly beta?: number;
  /** Whether the model returns logits (default) or probabilities. */
  readonly modelOutput?: ModelOutput;
  /** Run a LayersModel in training mode (dropout on). Default true. */
  readonly training?: boolean;
}

/**
 * The TRADES objective (Zhang et al. 2019): `mean CE(f(x), y) + beta * mean KL(f(x) || f(xAdv))`,
 * differentiable in the model's weights (gradients flow through both the clean and the adversarial
 * outputs, as in the authors' code). Use it inside `optimizer.minimize`.
 *
 * @param x - Clean inputs.
 * @param xAdv - Their adversarial versions, e.g. from {@link tradesAttack}.
 * @param y - One-hot labels `[batch, classes]` (see `toOneHot`).
 * @returns A scalar tensor the caller owns.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { toOneHot } from 'responsible-tfjs';
 * import { tradesAttack, tradesLoss } from 'responsible-tfjs/robustness';
 * const yOneHot = toOneHot('train', labels, 10, labels.length);
 * const xAdv = await tradesAttack(model, x, { epsilon: 0.1, stepSize: 0.025, steps: 7 });
 * optimizer.minimize(() => tradesLoss(model, x, xAdv, yOneHot, { beta: 6 }));
 * ```
 */
export function tradesLoss(model: ModelLike, x: Tensor, xAdv: Tensor, y: Tensor2D, options?: TradesLossOptions): Scalar {
  const fn = 'tradesLoss';
  const opts = optionsObject(fn, 'options', options);
  const beta = nonNegativeNumber(fn, 'options.beta', opts.beta ?? 6);
  const modelOutput = oneOf(fn, 'options.modelOutput', opts.modelOutput ?? 'logits', ['logits', 'probabilities'] as const);
  const forward = opts.training === false ? toForwardFn(fn, model) : trainingForward(fn, model);
  return tidy(() => tradesObjective(forward, x, xAdv, y, beta, modelOutput));
}

/**
 * TRADES objective from a forward function (internal); `setCorrect` receives the kept count of
 * correct adversarial predictions.
 */
export function tradesObjective(
  forward: (x: Tensor) => Tensor, x: Tensor, xAdv: Tensor, y: Tensor2D, beta: number, modelOutput: ModelOutput,
  setCorrect?: (t: Tensor) => void,
): Scalar {
  const outAdv = forward(xAdv);
  if (setCorrect !== undefined) setCorrect(keptCorrectCount(outAdv, y));
  const logPClean = logProbabilities(forward(x), modelOutput);
  const logPAdv = logProbabilities(outAdv, modelOutput);
  const natural = mean(mul(sum(mul(y, logPClean), 1), -1));
  const robust = div(sum(klPerExample(logPClean, logPAdv)), x.shape[0] as number);
  return add(natural, mul(robust, beta)) as Scalar;
}

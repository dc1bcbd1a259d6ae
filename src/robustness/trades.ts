import { betweenSteps, throwIfAborted } from '../core/eventLoop.js';
import { assertGradientsAvailable } from '../core/gradients.js';
import { toForwardFn, type ModelLike } from '../core/model.js';
import { tensorArgument } from '../core/tensorArgument.js';
import { resolveRng, rngFromFunction, tensorSeed, type Rng } from '../core/rng.js';
import {
  add, div, exp, grad, mean, mul, randomNormal, sub, sum, tidy, type Scalar, type Tensor, type Tensor2D,
} from '../core/tf.js';
import { booleanValue, invalid, nonNegativeNumber, oneOf, optionsObject, positiveInteger, positiveNumber } from '../core/validate.js';
import { checkInputs, commonSettings } from './context.js';
import { clamp, linfStep } from './steps.js';
import { withTapeCleanup } from './tape.js';
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
  /**
   * Stops the attack when aborted: the call rejects with {@link AbortedError} at the next step,
   * having disposed everything it created. The attack yields to the event loop between steps
   * either way. Default: none.
   */
  readonly signal?: AbortSignal;
}

/** Per-example KL(p_clean || p_adv) from log-probabilities, `[batch]`. */
function klPerExample(logPClean: Tensor, logPAdv: Tensor): Tensor {
  return sum(mul(exp(logPClean), sub(logPClean, logPAdv)), 1);
}

/** Validated TRADES attack settings (internal). */
export function tradesSettings(fn: string, opts: TradesAttackOptions) {
  const common = commonSettings(fn, { clipMin: opts.clipMin, clipMax: opts.clipMax, modelOutput: opts.modelOutput, signal: opts.signal });
  return {
    epsilon: nonNegativeNumber(fn, 'options.epsilon', opts.epsilon),
    stepSize: positiveNumber(fn, 'options.stepSize', opts.stepSize),
    steps: positiveInteger(fn, 'options.steps', opts.steps),
    clipMin: common.clipMin,
    clipMax: common.clipMax,
    modelOutput: oneOf(fn, 'options.modelOutput', opts.modelOutput ?? 'logits', ['logits', 'probabilities'] as const),
    rng: resolveRng(fn, opts.rng, () => rngFromFunction(Math.random, 'Math.random')),
    signal: common.signal,
  };
}

/**
 * TRADES inner maximisation (internal): yields to the event loop before every step and stops with
 * an AbortedError (named after `fn`) when the signal is aborted, disposing what it made.
 * @returns A caller-owned tensor.
 */
export async function tradesAttackCore(
  fn: string, forward: (x: Tensor) => Tensor, x: Tensor, s: ReturnType<typeof tradesSettings>,
): Promise<Tensor> {
  const seed = tensorSeed(s.rng);
  const logPClean = tidy(() => logProbabilities(forward(x), s.modelOutput));
  let xk: Tensor | undefined;
  try {
    xk = tidy(() => clamp(add(x, mul(randomNormal(x.shape, 0, 1, 'float32', seed), 0.001)), s.clipMin, s.clipMax));
    for (let k = 0; k < s.steps; k++) {
      await betweenSteps(fn, s.signal);
      const prev: Tensor = xk;
      xk = tidy(() => {
        const g = withTapeCleanup(() => grad((xi: Tensor) => sum(klPerExample(logPClean, logProbabilities(forward(xi), s.modelOutput))))(prev));
        return linfStep(x, prev, g, s.stepSize, s.epsilon, s.clipMin, s.clipMax);
      });
      prev.dispose();
    }
    return xk;
  } catch (e) {
    xk?.dispose();
    throw e;
  } finally {
    logPClean.dispose();
  }
}

/**
 * The inner maximisation of TRADES (Zhang et al. 2019, https://arxiv.org/abs/1901.08573): starting
 * from `x + 0.001 N(0, 1)`, L-inf sign steps that increase `KL(f(x) || f(x'))`, each projected onto
 * the epsilon ball around `x` and clipped to `[clipMin, clipMax]`. Needs no labels. Yields to the
 * event loop between steps; `options.signal` stops it.
 *
 * @returns Adversarial inputs of `x`'s shape, which the caller owns.
 * @throws {@link InvalidArgumentError} for bad options, or an `x` that is disposed, not finite or
 *   outside `[clipMin, clipMax]`; {@link AbortedError} when `options.signal` is aborted.
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
  throwIfAborted(fn, s.signal);
  await checkInputs(fn, x, s.clipMin, s.clipMax);
  return tradesAttackCore(fn, forward, x, s);
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
 * Validation stays synchronous and never reads tensor values (the function runs inside the
 * gradient tape of every training step, where a read would stall GPU backends): it checks that
 * `x`, `xAdv` and `y` are live tensors of matching shapes, and the options. Check the values of
 * `x` once, e.g. with {@link tradesAttack}, which rejects non-finite inputs.
 *
 * @param model - A `tf.LayersModel` or a function from inputs to logits (or probabilities).
 * @param x - Clean inputs, a float32 batch `[batch, ...]`.
 * @param xAdv - Their adversarial versions, e.g. from {@link tradesAttack}, of `x`'s shape.
 * @param y - One-hot labels `[batch, classes]` (see `toOneHot`), as many classes as the model outputs.
 * @returns A scalar tensor the caller owns.
 * @throws {@link InvalidArgumentError} naming the argument: a disposed or non-tensor `x`, `xAdv` or
 *   `y`, shapes that disagree (with each other or with the model's output), a negative `beta`, an
 *   unknown `modelOutput` or a non-boolean `training`.
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
  const training = booleanValue(fn, 'options.training', opts.training ?? true);
  const forward = training ? trainingForward(fn, model) : toForwardFn(fn, model);
  const xs = tensorArgument(fn, 'x', x, 'a tf.Tensor of inputs with the batch as first dimension');
  if (xs.rank < 2 || xs.shape[0] === 0) invalid(fn, 'x', xs, 'a non-empty batch of rank >= 2 ([batch, ...features])');
  if (xs.dtype !== 'float32') invalid(fn, 'x', xs, 'a float32 tensor');
  const xa = tensorArgument(fn, 'xAdv', xAdv, "a tf.Tensor of x's shape");
  if (xa.shape.join() !== xs.shape.join() || xa.dtype !== 'float32') invalid(fn, 'xAdv', xa, `a float32 tensor of x's shape [${xs.shape.join(', ')}]`);
  const ys = tensorArgument(fn, 'y', y, 'one-hot labels [batch, classes]');
  if (ys.rank !== 2 || ys.shape[0] !== xs.shape[0]) invalid(fn, 'y', ys, `one-hot labels of shape [${xs.shape[0]}, classes]`);
  return tidy(() => tradesObjective(forward, xs, xa, ys as Tensor2D, beta, modelOutput, undefined, fn));
}

/**
 * TRADES objective from a forward function (internal); `setCorrect` receives the kept count of
 * correct adversarial predictions.
 */
export function tradesObjective(
  forward: (x: Tensor) => Tensor, x: Tensor, xAdv: Tensor, y: Tensor2D, beta: number, modelOutput: ModelOutput,
  setCorrect?: (t: Tensor) => void, fn = 'tradesLoss',
): Scalar {
  const outAdv = forward(xAdv);
  if (outAdv.shape.join() !== y.shape.join()) {
    invalid(fn, 'y', y, `one-hot labels of the model's output shape [${outAdv.shape.join(', ')}]`);
  }
  if (setCorrect !== undefined) setCorrect(keptCorrectCount(outAdv, y));
  const logPClean = logProbabilities(forward(x), modelOutput);
  const logPAdv = logProbabilities(outAdv, modelOutput);
  const natural = mean(mul(sum(mul(y, logPClean), 1), -1));
  const robust = div(sum(klPerExample(logPClean, logPAdv)), x.shape[0] as number);
  return add(natural, mul(robust, beta)) as Scalar;
}

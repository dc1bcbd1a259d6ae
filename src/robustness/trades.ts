import { betweenSteps, throwIfAborted } from '../core/eventLoop.js';
import { assertGradientsAvailable } from '../core/gradients.js';
import { toForwardFn, type ModelLike } from '../core/model.js';
import { resolveRng, statisticalRng, tensorSeed, type Rng } from '../core/rng.js';
import { logProbabilities, perExampleKl, resolveOutputKind, type OutputKind } from '../core/outputs/index.js';
import { add, grad, mul, randomNormal, sum, tidy, type Tensor } from '../core/tf.js';
import { nonNegativeNumber, optionsObject, positiveInteger, positiveNumber } from '../core/validate.js';
import { checkInputs, commonSettings } from './context.js';
import { clamp, linfStep } from './steps.js';
import { withTapeCleanup } from '../core/tape.js';
import type { ModelOutput } from './types.js';

/** Options of {@link tradesAttack}, the inner maximisation of TRADES. Distances are in input units. */
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
  /** Whether the model returns logits or probabilities. Default: what the model declares (see {@link ModelOutput}). */
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

/** Validated TRADES attack settings (internal). */
export interface TradesSettings {
  readonly epsilon: number;
  readonly stepSize: number;
  readonly steps: number;
  readonly clipMin: number;
  readonly clipMax: number;
  readonly outputKind: OutputKind;
  readonly rng: Rng;
  readonly signal: AbortSignal | undefined;
}

/** Validates the TRADES attack settings for `model` (internal). */
export function tradesSettings(fn: string, opts: TradesAttackOptions, model: ModelLike): TradesSettings {
  const common = commonSettings(fn, { clipMin: opts.clipMin, clipMax: opts.clipMax, modelOutput: opts.modelOutput, signal: opts.signal });
  return {
    epsilon: nonNegativeNumber(fn, 'options.epsilon', opts.epsilon),
    stepSize: positiveNumber(fn, 'options.stepSize', opts.stepSize),
    steps: positiveInteger(fn, 'options.steps', opts.steps),
    clipMin: common.clipMin,
    clipMax: common.clipMax,
    outputKind: resolveOutputKind(fn, model, common.modelOutput),
    rng: resolveRng(fn, opts.rng, statisticalRng),
    signal: common.signal,
  };
}

/**
 * TRADES inner maximisation (internal): yields to the event loop before every step and stops with
 * an AbortedError (named after `fn`) when the signal is aborted, disposing what it made.
 * @returns A caller-owned tensor.
 */
export async function tradesAttackCore(fn: string, forward: (x: Tensor) => Tensor, x: Tensor, s: TradesSettings): Promise<Tensor> {
  const seed = tensorSeed(s.rng);
  const logPClean = tidy(() => logProbabilities(forward(x), s.outputKind));
  let xk: Tensor | undefined;
  try {
    xk = tidy(() => clamp(add(x, mul(randomNormal(x.shape, 0, 1, 'float32', seed), 0.001)), s.clipMin, s.clipMax));
    for (let k = 0; k < s.steps; k++) {
      await betweenSteps(fn, s.signal);
      const prev: Tensor = xk;
      xk = tidy(() => {
        const g = withTapeCleanup(() => grad((xi: Tensor) => sum(perExampleKl(logPClean, logProbabilities(forward(xi), s.outputKind))))(prev));
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
  const s = tradesSettings(fn, optionsObject(fn, 'options', options), model);
  const forward = toForwardFn(fn, model);
  assertGradientsAvailable(fn);
  throwIfAborted(fn, s.signal);
  await checkInputs(fn, x, s.clipMin, s.clipMax);
  return tradesAttackCore(fn, forward, x, s);
}

import { add, exp, mean, mul, randomNormal, scalar, sub, sum, tidy, type Scalar, type Tensor } from '../../core/tf.js';
import { tensorSeed } from '../../core/rng.js';
import { optionsObject } from '../../core/validate.js';
import { tradesAttack } from '../../robustness/index.js';
import type { LossTerm } from '../types.js';
import { craftSettings, type AdversarialTermOptions } from './adversarialTerm.js';
import { craftAdversarial } from './craftAdversarial.js';
import { logProbabilities } from './outputs.js';
import { termName } from './termName.js';

/** Per-example KL(p || q) `[batch]` from log-probabilities (internal). */
function klPerExample(logP: Tensor, logQ: Tensor): Tensor {
  return sum(mul(exp(logP), sub(logP, logQ)), 1);
}

/**
 * Robustness term, TRADES (Zhang et al. 2019): the KL divergence between the model's predictions
 * on clean inputs and on adversarial inputs that maximise it, `mean_n KL(p(x_n) || p(x'_n))`. Its
 * `prepare` hook crafts `x'` by L-inf PGD on that KL from `x + 0.001 * N(0, 1)`, as the reference
 * implementation does (the robustness module's {@link tradesAttack} for multi-class logits); the term's gradient flows through both predictions. Its weight is TRADES'
 * `beta` (1/lambda, 6 in the paper) with {@link crossEntropyTerm} as the task.
 *
 * @returns A loss term with data dependence `'example'`.
 * @example
 * ```ts
 * import { ethicalLoss, crossEntropyTerm, tradesTerm } from 'responsible-tfjs/objectives';
 * const loss = ethicalLoss({ model, task: crossEntropyTerm(), terms: [tradesTerm({ epsilon: 0.1 })], weights: { trades: 6 } });
 * ```
 */
export function tradesTerm(options: AdversarialTermOptions): LossTerm {
  const fn = 'tradesTerm';
  const o = optionsObject(fn, 'options', options);
  const name = termName(fn, o.name ?? 'trades');
  const settings = craftSettings(fn, o);
  const key = `${name}:adversarialInputs`;
  return {
    name,
    dataDependence: 'example',
    prepare: async (ctx) => {
      if (ctx.labels.shape[1] !== 1) {
        const { epsilon, stepSize, steps, clipMin, clipMax, rng } = settings;
        return { [key]: await tradesAttack(ctx.forward, ctx.x, { epsilon, stepSize, steps, clipMin, clipMax, rng }) };
      }
      // Single-logit (sigmoid) models: the two-class KL ascent here.
      const start = tidy(() => add(ctx.x, mul(scalar(0.001), randomNormal(ctx.x.shape, 0, 1, 'float32', tensorSeed(settings.rng)))));
      const clean = tidy(() => logProbabilities(ctx.forward(ctx.x)));
      try {
        const xAdv = craftAdversarial(
          ctx.x,
          (xa) => sum(klPerExample(clean, logProbabilities(ctx.forward(xa)))) as Scalar,
          { ...settings, randomStart: false },
          start,
        );
        return { [key]: xAdv };
      } finally {
        clean.dispose();
        start.dispose();
      }
    },
    fn: (ctx) => mean(klPerExample(logProbabilities(ctx.outputs), logProbabilities(ctx.forward(ctx.extras[key]!)))) as Scalar,
  };
}

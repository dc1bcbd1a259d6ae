import { logProbabilities, perExampleKl } from '../../core/outputs/index.js';
import { mean, type Scalar } from '../../core/tf.js';
import { optionsObject } from '../../core/validate.js';
import { tradesAttack } from '../../robustness/trades.js';
import type { LossTerm } from '../types.js';
import { termAttackSettings, type AdversarialTermOptions } from './adversarialTerm.js';
import { termName } from './termName.js';

/**
 * Robustness term, TRADES (Zhang et al. 2019): the KL divergence between the model's predictions
 * on clean inputs and on adversarial inputs that maximise it, `mean_n KL(p(x_n) || p(x'_n))`. Its
 * `prepare` hook crafts `x'` with the robustness module's {@link tradesAttack} (L-inf PGD on that
 * KL from `x + 0.001 * N(0, 1)`, as the reference implementation does); the term's gradient flows
 * through both predictions. A single-logit model is seen as two classes with logits `[0, z]`. Its
 * weight is TRADES' `beta` (1/lambda, 6 in the paper) with {@link crossEntropyTerm} as the task.
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
  const { epsilon, stepSize, steps, clipMin, clipMax, rng } = termAttackSettings(fn, o);
  const key = `${name}:adversarialInputs`;
  return {
    name,
    dataDependence: 'example',
    prepare: async (ctx) => ({
      [key]: await tradesAttack(ctx.forward, ctx.x, { epsilon, stepSize, steps, clipMin, clipMax, rng, modelOutput: 'logits' }),
    }),
    fn: (ctx) => {
      const logP = logProbabilities(ctx.outputs, 'logits');
      return mean(perExampleKl(logP, logProbabilities(ctx.forward(ctx.extras[key]!), 'logits'))) as Scalar;
    },
  };
}

import { div, maximum, mean, mul, reshape, scalar, sum, type Scalar } from '../../core/tf.js';
import { perExampleCrossEntropy } from '../../core/outputs/index.js';
import { optionsObject } from '../../core/validate.js';
import type { LossTerm } from '../types.js';
import { termName } from './termName.js';

/** Options of {@link crossEntropyTerm}. */
export interface CrossEntropyTermOptions {
  /** Term name. Default `'task'`. */
  readonly name?: string;
  /**
   * Extras key of per-example weights `[batch]`; when the batch carries it, the loss is the
   * weighted mean `sum(w_n l_n) / sum(w_n)`. Default `'sampleWeight'`.
   */
  readonly sampleWeightKey?: string;
}

/** Cross-entropy terms built here, with their sample-weight key (internal: lets DP-SGD vectorize them). */
export const crossEntropyTerms = /* @__PURE__ */ new WeakMap<LossTerm, string>();

/**
 * The task loss: cross-entropy of the model's logits, softmax for several output units and the
 * sigmoid (binary) cross-entropy for one, both through log-softmax for accuracy. Mean over the
 * batch, weighted by `extras[sampleWeightKey]` when present.
 *
 * @returns A loss term with data dependence `'example'`.
 * @example
 * ```ts
 * import { ethicalLoss, crossEntropyTerm } from 'responsible-tfjs/objectives';
 * const loss = ethicalLoss({ model, task: crossEntropyTerm(), terms: [], weights: {} });
 * ```
 */
export function crossEntropyTerm(options?: CrossEntropyTermOptions): LossTerm {
  const o = optionsObject('crossEntropyTerm', 'options', options);
  const name = termName('crossEntropyTerm', o.name ?? 'task');
  const weightKey = o.sampleWeightKey ?? 'sampleWeight';
  const term: LossTerm = {
    name,
    dataDependence: 'example',
    fn: (ctx) => {
      const perExample = perExampleCrossEntropy(ctx.labels, ctx.outputs, 'logits');
      const w = ctx.extras[weightKey];
      if (w === undefined) return mean(perExample) as Scalar;
      const wf = reshape(w, [-1]);
      return div(sum(mul(wf, perExample)), maximum(sum(wf), scalar(1e-12))) as Scalar;
    },
  };
  crossEntropyTerms.set(term, weightKey);
  return term;
}

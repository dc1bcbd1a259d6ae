import { abs, addN, scalar, sum, type Scalar } from '../../core/tf.js';
import { oneOf, optionsObject } from '../../core/validate.js';
import type { LossTerm } from '../types.js';
import { termName } from './termName.js';

/** Options of {@link l1Term}. */
export interface L1TermOptions {
  /** Term name. Default `'l1'`. */
  readonly name?: string;
  /** `'kernels'` (weight matrices and filters, the default) or `'all'` trainable variables. */
  readonly scope?: 'kernels' | 'all';
}

/**
 * Sparsity (efficiency) term: the L1 norm `sum |w|` of the model's kernels, which drives weights to
 * exactly zero under proximal or small-step training and makes magnitude pruning cheap.
 *
 * @returns A loss term with data dependence `'none'`.
 * @example
 * ```ts
 * import { ethicalLoss, crossEntropyTerm, l1Term } from 'responsible-tfjs/objectives';
 * const loss = ethicalLoss({ model, task: crossEntropyTerm(), terms: [l1Term()], weights: { l1: 1e-4 } });
 * ```
 */
export function l1Term(options?: L1TermOptions): LossTerm {
  const o = optionsObject('l1Term', 'options', options);
  const name = termName('l1Term', o.name ?? 'l1');
  const scope = oneOf('l1Term', 'options.scope', o.scope ?? 'kernels', ['kernels', 'all'] as const);
  return {
    name,
    dataDependence: 'none',
    fn: (ctx) => {
      const vars = scope === 'kernels' ? ctx.kernels : ctx.variables;
      if (vars.length === 0) return scalar(0);
      return addN(vars.map((v) => sum(abs(v)))) as Scalar;
    },
  };
}

import { add, addN, mul, reshape, scalar, sqrt, square, sum, transpose, type Scalar, type Tensor } from '../../core/tf.js';
import { booleanValue, oneOf, optionsObject, positiveNumber } from '../../core/validate.js';
import type { LossTerm } from '../types.js';
import { termName } from './termName.js';

/** Options of {@link groupLassoTerm}. */
export interface GroupLassoTermOptions {
  /** Term name. Default `'groupLasso'`. */
  readonly name?: string;
  /**
   * `'units'` (default): one group per output unit or filter (the kernel's last axis: Dense
   * columns, Conv2D filters), so whole units can be pruned; `'inputs'`: one group per input
   * (the kernel's first axis; for the first Dense layer, an input feature).
   */
  readonly groups?: 'units' | 'inputs';
  /** Weigh each group's norm by `sqrt(group size)` (Yuan & Lin 2006). Default true. */
  readonly scaleByGroupSize?: boolean;
  /** Smoothing inside the square root, `sqrt(|w|^2 + smoothing)`, keeping gradients finite at 0. Default 1e-12. */
  readonly smoothing?: number;
}

/**
 * Structured sparsity term (group lasso): `sum_g sqrt(p_g) * |W_g|_2` over the groups of every
 * kernel, which zeroes whole units or filters, the structure that structured pruning removes.
 *
 * @returns A loss term with data dependence `'none'`.
 * @example
 * ```ts
 * import { ethicalLoss, crossEntropyTerm, groupLassoTerm } from 'responsible-tfjs/objectives';
 * const loss = ethicalLoss({ model, task: crossEntropyTerm(), terms: [groupLassoTerm()], weights: { groupLasso: 1e-3 } });
 * ```
 */
export function groupLassoTerm(options?: GroupLassoTermOptions): LossTerm {
  const fn = 'groupLassoTerm';
  const o = optionsObject(fn, 'options', options);
  const name = termName(fn, o.name ?? 'groupLasso');
  const groups = oneOf(fn, 'options.groups', o.groups ?? 'units', ['units', 'inputs'] as const);
  const scale = booleanValue(fn, 'options.scaleByGroupSize', o.scaleByGroupSize ?? true);
  const smoothing = positiveNumber(fn, 'options.smoothing', o.smoothing ?? 1e-12);
  return {
    name,
    dataDependence: 'none',
    fn: (ctx) => {
      if (ctx.kernels.length === 0) return scalar(0);
      return addN(ctx.kernels.map((k) => kernelGroupNorms(k, groups, scale, smoothing))) as Scalar;
    },
  };
}

function kernelGroupNorms(kernel: Tensor, groups: 'units' | 'inputs', scale: boolean, smoothing: number): Tensor {
  const shape = kernel.shape;
  // Rows of `m` are the groups.
  const m = groups === 'units'
    ? transpose(reshape(kernel, [-1, shape[shape.length - 1] as number]))
    : reshape(kernel, [shape[0] as number, -1]);
  const norms = sqrt(add(sum(square(m), 1), scalar(smoothing)));
  const total = sum(norms);
  return scale ? mul(total, scalar(Math.sqrt(m.shape[1] as number))) : total;
}

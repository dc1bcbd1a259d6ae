import { abs, add, div, maximum, exp, expandDims, greater, mul, neg, ones, onesLike, scalar, square, sub, sum, tidy, where, type Scalar, type Tensor, type Tensor1D } from '../../core/tf.js';
import { oneOf, optionsObject, positiveNumber } from '../../core/validate.js';
import type { NumberArray } from '../inputs.js';
import { checkValuesOption, rowVector, scoreVector } from './groupMeans.js';

/**
 * Options of {@link mmdPenalty}.
 */
export interface MmdPenaltyOptions {
  /** Predicted scores, shape [n] or [n, 1] (differentiated). */
  readonly scores: Tensor;
  /** 1 for rows of the group of interest, 0 for the comparison group (MinDiff's `membership`). */
  readonly membership: Tensor | NumberArray;
  /** `'gaussian'` (default): exp(−(x − y)² / L²); `'laplacian'`: exp(−|x − y| / L). */
  readonly kernel?: 'gaussian' | 'laplacian';
  /** Kernel length L in score units (0.1 by default, as TensorFlow Model Remediation). */
  readonly kernelLength?: number;
  /** Optional non-negative weights per row (normalised to sum 1). */
  readonly sampleWeight?: Tensor | NumberArray;
  /**
   * Read tensor inputs and check their values as array inputs are checked (NaN and infinity
   * rejected everywhere; membership 0 or 1, weights >= 0). Default true. The penalty is synchronous (it runs inside
   * `optimizer.minimize` or `tf.grad`), so the read is a synchronous `dataSync`: free on cpu and
   * wasm, a pipeline stall on webgl and webgpu. In a training loop, check each batch's tensors once
   * outside the gradient tape (with an async read) and pass false; shapes and disposed tensors are
   * checked either way. Default true, except on the webgpu backend, whose synchronous reads are
   * unreliable: there the default is false.
   */
  readonly checkValues?: boolean;
}

function divNoNan(a: Tensor, b: Tensor): Tensor {
  return where(greater(b, 0), div(a, where(greater(b, 0), b, onesLike(b))), mul(a, scalar(0)));
}

/**
 * MinDiff's maximum mean discrepancy penalty (TensorFlow Model Remediation `MMDLoss`; Prost et
 * al. 2019, arXiv:1910.11779) between the score distributions of the rows with membership 1 and
 * membership 0: mean k(a, a′) − 2 mean k(a, b) + mean k(b, b′) with pair weights w_i w_j. It is 0
 * when both groups have the same scores and positive otherwise; MinDiff usually applies it to one
 * label's rows only (e.g. negatives, for a false-positive-rate gap). Memory is O(n²) per batch.
 *
 * @returns A scalar tensor the caller owns.
 * @throws {@link InvalidArgumentError} naming the option: a disposed or misshapen tensor, NaN or
 *   infinite values, memberships or weights out of range (tensor values with `checkValues`).
 * @example
 * ```ts
 * import { mmdPenalty } from 'responsible-tfjs/fairness';
 * const penalty = mmdPenalty({ scores: model.predict(xNeg), membership: isFemaleNeg, kernel: 'gaussian' });
 * ```
 */
export function mmdPenalty(options: MmdPenaltyOptions): Scalar {
  const fn = 'mmdPenalty';
  const o = optionsObject(fn, 'options', options);
  const kernel = o.kernel === undefined ? 'gaussian' : oneOf(fn, 'options.kernel', o.kernel, ['gaussian', 'laplacian'] as const);
  const length = o.kernelLength === undefined ? 0.1 : positiveNumber(fn, 'options.kernelLength', o.kernelLength);
  const check = checkValuesOption(fn, o.checkValues);
  return tidy(() => {
    const s = scoreVector(fn, o.scores, check);
    const n = s.shape[0];
    const member = rowVector(fn, 'options.membership', o.membership, n, (v) => v === 0 || v === 1, 'a membership 0 or 1', check);
    const w0 = o.sampleWeight === undefined ? ones([n]) : rowVector(fn, 'options.sampleWeight', o.sampleWeight, n, (v) => Number.isFinite(v) && v >= 0, 'a finite number >= 0', check);
    const w = div(w0, maximum(sum(w0), scalar(1e-30))) as Tensor1D;
    const diff = sub(expandDims(s, 1), expandDims(s, 0));
    const k = kernel === 'gaussian' ? exp(neg(div(square(diff), scalar(length * length)))) : exp(neg(div(abs(diff), scalar(length))));
    const outer = (a: Tensor, b: Tensor): Tensor => mul(expandDims(a, 1), expandDims(b, 0));
    const wij = outer(w, w);
    const pos = member;
    const negm = sub(scalar(1), member);
    const mean = (mask: Tensor): Tensor => {
      const weights = mul(wij, mask);
      return divNoNan(sum(mul(weights, k)), sum(weights));
    };
    const pp = mean(outer(pos, pos));
    const nn = mean(outer(negm, negm));
    const pn = mean(outer(pos, negm));
    return sub(add(pp, nn), mul(scalar(2), pn)) as Scalar;
  });
}

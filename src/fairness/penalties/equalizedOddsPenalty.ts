import { add, maximum, mul, ones, scalar, sub, tidy, type Scalar, type Tensor, type Tensor1D } from '../../core/tf.js';
import { oneOf, optionsObject } from '../../core/validate.js';
import type { NumberArray, SensitiveFeatures } from '../inputs.js';
import { checkValuesOption, groupMeans, membershipMatrix, presentGap, rowVector, scoreVector } from './groupMeans.js';

/**
 * Options of {@link equalizedOddsPenalty}.
 */
export interface EqualizedOddsPenaltyOptions {
  /** Predicted probabilities of the positive class, shape [n] or [n, 1] (differentiated). */
  readonly scores: Tensor;
  /** Binary labels per row. */
  readonly labels: Tensor | NumberArray;
  /**
   * The group of each row: integer codes in [0, numGroups) (numbers or a tensor), or group labels
   * (an array of strings, or named columns such as `{ sex, race }`) encoded as
   * {@link encodeGroups} does.
   */
  readonly groups: Tensor | SensitiveFeatures;
  /** Number of group codes; required with codes, by default the number of groups with labels. */
  readonly numGroups?: number;
  /** Optional non-negative weights per row. */
  readonly sampleWeight?: Tensor | NumberArray;
  /** `'worst_case'` (default: the larger of the two gaps) or `'mean'` (their average), as Fairlearn's `agg`. */
  readonly agg?: 'worst_case' | 'mean';
  /**
   * Read tensor inputs and check their values as array inputs are checked (NaN and infinity
   * rejected everywhere; labels 0 or 1, group codes integers in [0, numGroups), weights >= 0). Default true. The penalty is synchronous (it runs inside
   * `optimizer.minimize` or `tf.grad`), so the read is a synchronous `dataSync`: free on cpu and
   * wasm, a pipeline stall on webgl and webgpu. In a training loop, check each batch's tensors once
   * outside the gradient tape (with an async read) and pass false; shapes and disposed tensors are
   * checked either way. Default true, except on the webgpu backend, whose synchronous reads are
   * unreliable: there the default is false.
   */
  readonly checkValues?: boolean;
}

/**
 * Soft equalized-odds gap: the soft true-positive-rate gap (mean score over each group's
 * positives) and the soft false-positive-rate gap (over its negatives), combined by `agg`.
 * A group without positives (negatives) in the batch is left out of that gap rather than counted
 * as a rate of 0. Differentiable in `scores`.
 *
 * @returns A scalar tensor the caller owns.
 * @throws {@link InvalidArgumentError} naming the option: a disposed or misshapen tensor, NaN or
 *   infinite values, labels, group codes or weights out of range (tensor values with `checkValues`).
 * @example
 * ```ts
 * import { equalizedOddsPenalty } from 'responsible-tfjs/fairness';
 * const penalty = equalizedOddsPenalty({ scores: model.predict(x), labels: y, groups: sexCodes, numGroups: 2 });
 * ```
 */
export function equalizedOddsPenalty(options: EqualizedOddsPenaltyOptions): Scalar {
  const fn = 'equalizedOddsPenalty';
  const o = optionsObject(fn, 'options', options);
  const agg = o.agg === undefined ? 'worst_case' : oneOf(fn, 'options.agg', o.agg, ['worst_case', 'mean'] as const);
  const check = checkValuesOption(fn, o.checkValues);
  return tidy(() => {
    const s = scoreVector(fn, o.scores, check);
    const n = s.shape[0];
    const y = rowVector(fn, 'options.labels', o.labels, n, (v) => v === 0 || v === 1, 'a binary label 0 or 1', check);
    const m = membershipMatrix(fn, o.groups, o.numGroups, n, check);
    const w: Tensor1D = o.sampleWeight === undefined ? (ones([n]) as Tensor1D) : rowVector(fn, 'options.sampleWeight', o.sampleWeight, n, (v) => Number.isFinite(v) && v >= 0, 'a finite number >= 0', check);
    const tpr = groupMeans(s, mul(w, y), m);
    const fpr = groupMeans(s, mul(w, sub(scalar(1), y)), m);
    const gapT = presentGap(tpr.means, tpr.present);
    const gapF = presentGap(fpr.means, fpr.present);
    return (agg === 'worst_case' ? maximum(gapT, gapF) : mul(add(gapT, gapF), scalar(0.5))) as Scalar;
  });
}

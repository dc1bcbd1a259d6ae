import { ones, tidy, type Scalar, type Tensor, type Tensor1D } from '../../core/tf.js';
import { optionsObject } from '../../core/validate.js';
import type { NumberArray, SensitiveFeatures } from '../inputs.js';
import { checkValuesOption, groupMeans, membershipMatrix, presentGap, rowVector, scoreVector } from './groupMeans.js';

/**
 * Options of {@link demographicParityPenalty}.
 */
export interface DemographicParityPenaltyOptions {
  /** Predicted probabilities of the positive class, shape [n] or [n, 1] (differentiated). */
  readonly scores: Tensor;
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
  /**
   * Read tensor inputs and check their values as array inputs are checked (NaN and infinity
   * rejected everywhere; group codes integers in [0, numGroups), weights >= 0). Default true. The penalty is synchronous (it runs inside
   * `optimizer.minimize` or `tf.grad`), so the read is a synchronous `dataSync`: free on cpu and
   * wasm, a pipeline stall on webgl and webgpu. In a training loop, check each batch's tensors once
   * outside the gradient tape (with an async read) and pass false; shapes and disposed tensors are
   * checked either way. Default true, except on the webgpu backend, whose synchronous reads are
   * unreliable: there the default is false.
   */
  readonly checkValues?: boolean;
}

/**
 * Soft demographic-parity gap: the largest minus the smallest mean score over the groups present
 * in the batch (the selection-rate difference with probabilities in place of 0/1 predictions).
 * 0 with fewer than two groups present. Differentiable in `scores`: add `lambda * penalty` to the
 * loss inside `optimizer.minimize` or `tf.grad`.
 *
 * @returns A scalar tensor the caller owns.
 * @throws {@link InvalidArgumentError} naming the option: a disposed or misshapen tensor, NaN or
 *   infinite values, group codes or weights out of range (tensor values with `checkValues`).
 * @example
 * ```ts
 * import { demographicParityPenalty } from 'responsible-tfjs/fairness';
 * const loss = () => tf.tidy(() => tf.add(bce(model.predict(x)),
 *   tf.mul(2, demographicParityPenalty({ scores: model.predict(x), groups: sexCodes, numGroups: 2 }))));
 * ```
 */
export function demographicParityPenalty(options: DemographicParityPenaltyOptions): Scalar {
  const fn = 'demographicParityPenalty';
  const o = optionsObject(fn, 'options', options);
  const check = checkValuesOption(fn, o.checkValues);
  return tidy(() => {
    const s = scoreVector(fn, o.scores, check);
    const n = s.shape[0];
    const m = membershipMatrix(fn, o.groups, o.numGroups, n, check);
    const w: Tensor1D = o.sampleWeight === undefined ? (ones([n]) as Tensor1D) : rowVector(fn, 'options.sampleWeight', o.sampleWeight, n, (v) => Number.isFinite(v) && v >= 0, 'a finite number >= 0', check);
    const { means, present } = groupMeans(s, w, m);
    return presentGap(means, present);
  });
}

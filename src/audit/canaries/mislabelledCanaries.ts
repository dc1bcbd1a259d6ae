import type { LabelsLike } from '../../core/labels.js';
import { resolveRng, shuffledIndices, statisticalRng, type Rng } from '../../core/rng.js';
import { gather, tensor1d, tidy, type Tensor } from '../../core/tf.js';
import { invalid, optionsObject, positiveInteger } from '../../core/validate.js';
import { inputTensor, readClassIndices } from '../labels.js';
import type { CanarySet } from './types.js';

/** Options of {@link mislabelledCanaries}. */
export interface MislabelledCanaryOptions {
  /** Number of canaries m, an integer in [1, N]. */
  readonly count: number;
  /** Number of classes, an integer >= 2 (a canary's label is one of the other classes). */
  readonly numClasses: number;
  /** Which rows and which wrong labels (default `Math.random`; seed it for reproducible audits). */
  readonly rng?: Rng;
}

/**
 * Input-space canaries made by mislabelling real examples: `count` distinct rows of `x`, each
 * with a label drawn uniformly from the classes other than its own. A model can only fit such a
 * label by memorising that example, so whether it fits it says whether the example was trained
 * on: the canary of the auditing literature (Jagielski et al. 2020; Steinke, Nasr and Jagielski
 * 2023). Take the rows from data that is **not** otherwise in the training set (a held-out
 * split), so that the correctly labelled original does not sit next to its canary.
 *
 * @param x - Source inputs `[N, ...]`.
 * @param y - Their class indices (array, typed array, 1-D tensor) or one-hot rows.
 * @param options - {@link MislabelledCanaryOptions}.
 * @returns The canaries; the caller owns `x` of the result.
 * @example
 * ```ts
 * import { mislabelledCanaries, seededRng } from 'responsible-tfjs/audit';
 * // 200 canaries from a held-out split, labels flipped to another digit.
 * const canaries = await mislabelledCanaries(xHeldOut, yHeldOut, { count: 200, numClasses: 10, rng: seededRng('canaries') });
 * console.log(canaries.x.shape, canaries.y.slice(0, 5));
 * ```
 */
export async function mislabelledCanaries(x: Tensor, y: LabelsLike, options: MislabelledCanaryOptions): Promise<CanarySet> {
  const fn = 'mislabelledCanaries';
  inputTensor(fn, 'x', x);
  const o = optionsObject(fn, 'options', options);
  const n = x.shape[0] as number;
  const count = positiveInteger(fn, 'options.count', o.count);
  if (count > n) invalid(fn, 'options.count', count, `at most the ${n} rows of x (canaries are distinct rows)`);
  const numClasses = positiveInteger(fn, 'options.numClasses', o.numClasses);
  if (numClasses < 2) invalid(fn, 'options.numClasses', numClasses, 'an integer >= 2 (a wrong label needs another class)');
  const rng = resolveRng(fn, o.rng, statisticalRng);
  const labels = await readClassIndices(fn, 'y', y, n, numClasses);
  const rows = shuffledIndices(n, rng).slice(0, count);
  const canaryLabels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    // Uniform over the numClasses - 1 other classes: draw in [0, k-1) and skip the true label.
    const truth = labels[rows[i] as number] as number;
    const draw = Math.floor(rng.next() * (numClasses - 1));
    canaryLabels[i] = draw >= truth ? draw + 1 : draw;
  }
  const cx = tidy(() => gather(x, tensor1d(rows, 'int32')));
  return { x: cx, y: canaryLabels, kind: 'mislabelled', sourceRows: rows };
}

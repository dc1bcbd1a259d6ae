import type { LabelsLike } from '../../core/labels.js';
import { isTensor } from '../../core/labels.js';
import { resolveRng, shuffledIndices, statisticalRng, type Rng } from '../../core/rng.js';
import { concat, gather, tensor1d, tidy, type Tensor } from '../../core/tf.js';
import { invalid, optionsObject } from '../../core/validate.js';
import { inputTensor, readClassIndices } from '../labels.js';
import type { CanarySet } from './types.js';

/** Options of {@link insertCanaries}. */
export interface InsertCanaryOptions {
  /**
   * Decides which canaries are included (each independently with probability 1/2, the design the
   * one-run audit's theorem assumes) and the order of the rows. Default `Math.random`.
   */
  readonly rng?: Rng;
  /** Keep the data's rows first and the included canaries after them (default false: shuffle all rows). */
  readonly keepOrder?: boolean;
}

/** Result of {@link insertCanaries}. */
export interface CanaryTrainingSet {
  /** Training inputs: the data's rows and the included canaries (the caller owns this tensor). */
  readonly x: Tensor;
  /** Training labels, class indices. */
  readonly y: Int32Array;
  /** 1 where canary i is in the training set, 0 where it is left out (the secret the audit guesses). */
  readonly included: Uint8Array;
  /** Row of `x` holding canary i, or -1 when it is left out. */
  readonly canaryRows: Int32Array;
}

/**
 * Adds each canary to the training data with probability 1/2, independently: the randomised
 * inclusion of the one-run audit (Steinke, Nasr and Jagielski 2023). The inclusion bits are
 * the secret; train on the result, score every canary, and hand the scores and `included` to
 * {@link oneRunAudit}. ({@link auditDpSgd} does all of it.)
 *
 * @param x - The training inputs `[N, ...]`.
 * @param y - Their labels (class indices or one-hot rows).
 * @param canaries - Canaries with the same example shape as `x`.
 * @param options - {@link InsertCanaryOptions}.
 * @returns The training set and which canaries it holds; the caller owns `x` of the result.
 * @example
 * ```ts
 * import { insertCanaries, seededRng } from 'responsible-tfjs/audit';
 * const train = await insertCanaries(xTrain, yTrain, canaries, { rng: seededRng('inclusion') });
 * console.log(train.included.reduce((a, b) => a + b, 0), 'of', canaries.y.length, 'canaries are in');
 * ```
 */
export async function insertCanaries(x: Tensor, y: LabelsLike, canaries: CanarySet, options: InsertCanaryOptions = {}): Promise<CanaryTrainingSet> {
  const fn = 'insertCanaries';
  inputTensor(fn, 'x', x);
  checkCanaries(fn, 'canaries', canaries, x);
  const o = optionsObject(fn, 'options', options);
  const rng = resolveRng(fn, o.rng, statisticalRng);
  const n = x.shape[0] as number;
  const labels = await readClassIndices(fn, 'y', y, n);
  const m = canaries.y.length;
  const included = new Uint8Array(m);
  const chosen: number[] = [];
  for (let i = 0; i < m; i++) {
    // One uniform draw per canary: P(rng.next() < 1/2) is exactly 1/2 on the 2^53 grid.
    if (rng.next() < 0.5) {
      included[i] = 1;
      chosen.push(i);
    }
  }
  const total = n + chosen.length;
  // order[j] = the source of training row j: < n a data row, >= n the (j - n)-th chosen canary.
  const order = o.keepOrder === true ? Int32Array.from({ length: total }, (_, j) => j) : shuffledIndices(total, rng);
  const yOut = new Int32Array(total);
  const canaryRows = new Int32Array(m).fill(-1);
  order.forEach((src, dst) => {
    if (src < n) yOut[dst] = labels[src] as number;
    else {
      const c = chosen[src - n] as number;
      yOut[dst] = canaries.y[c] as number;
      canaryRows[c] = dst;
    }
  });
  const xOut = tidy(() => {
    const picked = chosen.length > 0 ? gather(canaries.x, tensor1d(chosen, 'int32')) : undefined;
    const all = picked !== undefined ? concat([x, picked], 0) : x;
    return gather(all, tensor1d(order, 'int32'));
  });
  return { x: xOut, y: yOut, included, canaryRows };
}

/** Checks a {@link CanarySet} (internal): a tensor of m rows shaped like `like`'s examples and m labels. */
export function checkCanaries(fn: string, argument: string, canaries: unknown, like?: Tensor): CanarySet {
  const c = canaries as Partial<CanarySet>;
  if (typeof canaries !== 'object' || canaries === null || !isTensor(c.x) || !(c.y instanceof Int32Array)) {
    return invalid(fn, argument, canaries, 'a CanarySet { x: Tensor, y: Int32Array } from mislabelledCanaries or outOfDistributionCanaries');
  }
  const m = c.x.shape[0] ?? 0;
  if (m < 1) invalid(fn, `${argument}.x`, c.x, 'at least 1 canary');
  if (c.y.length !== m) invalid(fn, `${argument}.y`, `length ${c.y.length}`, `${m} labels (one per canary in ${argument}.x)`);
  if (like !== undefined && c.x.shape.slice(1).join(',') !== like.shape.slice(1).join(',')) {
    invalid(fn, `${argument}.x`, `shape [${c.x.shape}]`, `examples of shape [${like.shape.slice(1)}] like x`);
  }
  return c as CanarySet;
}

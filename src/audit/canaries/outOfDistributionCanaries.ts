import { resolveRng, statisticalRng, type Rng } from '../../core/rng.js';
import { tensor } from '../../core/tf.js';
import { finiteNumber, invalid, optionsObject, positiveInteger } from '../../core/validate.js';
import type { CanarySet } from './types.js';

/** Options of {@link outOfDistributionCanaries}. */
export interface OutOfDistributionCanaryOptions {
  /** Number of canaries m, an integer >= 1. */
  readonly count: number;
  /** Shape of one example, e.g. `[64]` or `[8, 8, 1]`. */
  readonly shape: readonly number[];
  /** Number of classes, an integer >= 2; each canary gets a uniformly random label. */
  readonly numClasses: number;
  /** Range of the uniform inputs (default 0 to 1: the range of scaled pixels). */
  readonly low?: number;
  readonly high?: number;
  /** Inputs and labels (default `Math.random`; seed it for reproducible audits). */
  readonly rng?: Rng;
}

/**
 * Input-space canaries far from the data: inputs uniform in `[low, high)` with random labels.
 * Nothing in the real data resembles them, so a model's fit to a canary's label comes from that
 * canary alone. The values are drawn in JavaScript from `rng`, so a seeded audit makes the same
 * canaries on every backend.
 *
 * @param options - {@link OutOfDistributionCanaryOptions}.
 * @returns The canaries; the caller owns `x` of the result.
 * @example
 * ```ts
 * import { outOfDistributionCanaries, seededRng } from 'responsible-tfjs/audit';
 * const canaries = outOfDistributionCanaries({ count: 100, shape: [64], numClasses: 10, rng: seededRng(1) });
 * console.log(canaries.x.shape); // [100, 64]
 * ```
 */
export function outOfDistributionCanaries(options: OutOfDistributionCanaryOptions): CanarySet {
  const fn = 'outOfDistributionCanaries';
  const o = optionsObject(fn, 'options', options);
  const count = positiveInteger(fn, 'options.count', o.count);
  if (!Array.isArray(o.shape) || o.shape.length === 0) invalid(fn, 'options.shape', o.shape, 'the shape of one example, a non-empty array of positive integers');
  o.shape.forEach((d, i) => positiveInteger(fn, `options.shape[${i}]`, d));
  const numClasses = positiveInteger(fn, 'options.numClasses', o.numClasses);
  if (numClasses < 2) invalid(fn, 'options.numClasses', numClasses, 'an integer >= 2');
  const low = finiteNumber(fn, 'options.low', o.low ?? 0);
  const high = finiteNumber(fn, 'options.high', o.high ?? 1);
  if (!(high > low)) invalid(fn, 'options.high', high, `a number greater than options.low (${low})`);
  const rng = resolveRng(fn, o.rng, statisticalRng);
  const size = o.shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(count * size);
  for (let i = 0; i < values.length; i++) values[i] = low + (high - low) * rng.next();
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) labels[i] = Math.floor(rng.next() * numClasses);
  return { x: tensor(values, [count, ...o.shape]), y: labels, kind: 'outOfDistribution' };
}

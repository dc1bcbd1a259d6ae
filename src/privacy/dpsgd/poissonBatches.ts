import { resolveRng, secureRng, type Rng } from '../../core/rng.js';
import { numberInRange, optionsObject, positiveInteger } from '../../core/validate.js';

/**
 * Options of {@link poissonBatches}.
 */
export interface PoissonBatchOptions {
  /** Dataset size N, an integer >= 1. */
  readonly numExamples: number;
  /** Probability that each example is in a batch, in (0, 1]. */
  readonly sampleRate: number;
  /** Number of batches to draw, an integer >= 1. */
  readonly steps: number;
  /**
   * Source of the sampling randomness (default {@link secureRng}: which examples were sampled is
   * part of what the privacy analysis keeps secret).
   */
  readonly rng?: Rng;
}

/**
 * Poisson sampling of batches, as the privacy accountants assume: in every step each example is
 * included independently with probability `sampleRate`, so batch sizes vary (mean
 * `sampleRate * N`) and a batch may be empty. Yield order of indices is increasing.
 *
 * @param options - {@link PoissonBatchOptions}.
 * @returns An iterator over `steps` batches of example indices.
 * @example
 * ```ts
 * import { seededRng } from 'responsible-tfjs';
 * import { poissonBatches } from 'responsible-tfjs/privacy';
 * for (const batch of poissonBatches({ numExamples: 100, sampleRate: 0.1, steps: 3, rng: seededRng(0) })) {
 *   console.log(batch.length); // about 10, varies
 * }
 * ```
 */
export function poissonBatches(options: PoissonBatchOptions): Generator<Int32Array, void, undefined> {
  const fn = 'poissonBatches';
  const o = optionsObject(fn, 'options', options);
  const n = positiveInteger(fn, 'options.numExamples', o.numExamples);
  const q = numberInRange(fn, 'options.sampleRate', o.sampleRate, { min: 0, max: 1, minInclusive: false });
  const steps = positiveInteger(fn, 'options.steps', o.steps);
  const rng = resolveRng(fn, o.rng, secureRng);
  return draw(n, q, steps, rng);
}

function* draw(n: number, q: number, steps: number, rng: Rng): Generator<Int32Array, void, undefined> {
  const buffer = new Int32Array(n);
  for (let s = 0; s < steps; s++) {
    let size = 0;
    for (let i = 0; i < n; i++) if (rng.next() < q) buffer[size++] = i;
    yield buffer.slice(0, size);
  }
}

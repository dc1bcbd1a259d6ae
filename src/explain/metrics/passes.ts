/** How the metrics split their samples over passes (internal). */
import { positiveInteger } from '../../core/validate.js';

/**
 * Samples per pass, as Captum's `_divide_and_aggregate_metrics`
 * (`captum/metrics/_utils/batching.py`): all `samples` at once without `internalBatchSize`,
 * otherwise `floor(internalBatchSize / batch)` clamped to `[1, samples]` (a pass holds at least one
 * copy of every example, so it may exceed `internalBatchSize` when that is below the batch size).
 */
export function samplesPerPass(fn: string, internalBatchSize: unknown, batch: number, samples: number): number {
  if (internalBatchSize === undefined) return samples;
  const rows = positiveInteger(fn, 'options.internalBatchSize', internalBatchSize);
  return Math.min(Math.max(Math.floor(rows / batch), 1), samples);
}

/** The passes over `samples` samples: `[firstSample, copies]` pairs. */
export function passes(samples: number, perPass: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let first = 0; first < samples; first += perPass) out.push([first, Math.min(perPass, samples - first)]);
  return out;
}

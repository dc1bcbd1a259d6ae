import { assertBackend } from '../../core/backend.js';
import { betweenSteps, checkSignal } from '../../core/eventLoop.js';
import { isTensor } from '../../core/labels.js';
import { type ModelLike, toForwardFn } from '../../core/model.js';
import { tensorArgument } from '../../core/tensorArgument.js';
import { getBackend, memory, profile, tidy, type Tensor } from '../../core/tf.js';
import { booleanValue, invalid, nonNegativeInteger, optionsObject, positiveInteger } from '../../core/validate.js';
import { summarizeLatencies } from './percentiles.js';
import type { InferenceMeasurement, KernelTime, MeasureInferenceOptions } from './types.js';

const FN = 'measureInference';

/** One model call: its output, whether the output is a new tensor (to dispose), and tensors left behind. */
interface Call {
  readonly out: Tensor;
  readonly isNew: boolean;
  readonly leaked: number;
}

/**
 * Calls the model inside `tidy`, so whatever it leaks is disposed here and only counted. The
 * output is new unless it is the input or the call created no tensor (a model returning a tensor
 * it holds): neither is disposed.
 */
function callOnce(forward: (x: Tensor) => Tensor, x: Tensor, model: ModelLike): Call {
  let created = 0;
  const out = tidy(() => {
    const before = memory().numTensors;
    const o = forward(x);
    if (!isTensor(o)) invalid(FN, 'model', model, 'a model returning one tf.Tensor');
    created = memory().numTensors - before;
    return o;
  });
  const isNew = out !== x && created >= 1;
  return { out, isNew, leaked: created - (isNew ? 1 : 0) };
}

/** Reads the output (so queued GPU work finishes) and disposes it if the call created it. */
async function drain(call: Call): Promise<void> {
  try {
    await call.out.data();
  } finally {
    if (call.isNew) call.out.dispose();
  }
}

/** Sums the backend's kernel times per kernel name; `undefined` plus the backend's reason when it reports none. */
function kernelTimes(kernels: readonly { name: string; kernelTimeMs: unknown }[]): { kernels?: KernelTime[]; unavailable?: string } {
  const byName = new Map<string, { totalMs: number; count: number }>();
  for (const k of kernels) {
    const t = k.kernelTimeMs;
    if (typeof t !== 'number' || !Number.isFinite(t)) {
      const reason = typeof t === 'object' && t !== null && 'error' in t ? String((t as { error: unknown }).error) : 'the backend reported no time';
      return { unavailable: reason };
    }
    const entry = byName.get(k.name) ?? { totalMs: 0, count: 0 };
    entry.totalMs += t;
    entry.count += 1;
    byName.set(k.name, entry);
  }
  const list = [...byName].map(([name, v]) => ({ name, ...v })).sort((a, b) => b.totalMs - a.totalMs);
  // tfjs's webgpu backend reports 0 ms for every kernel when the device has no timestamp queries,
  // instead of an error: a profile of only zeros is no measurement.
  if (list.length > 0 && list.every((k) => k.totalMs === 0)) return { unavailable: 'the backend reported 0 ms for every kernel (no GPU timer support, e.g. webgpu without timestamp-query)' };
  return { kernels: list };
}

/**
 * Measures inference on the backend the caller selected: wall-clock latency percentiles over
 * `runs` timed calls after `warmup` untimed ones, throughput at the median, and (with `profile`)
 * one more call under tfjs's profiler (`tf.profile`) for per-kernel times and the memory peak.
 *
 * Each timed call is `model(input)` followed by `await out.data()`: GPU backends queue work and
 * return at once, so only reading the result makes the clock include it (and the download of the
 * output). Calls run one after the other with a yield to the event loop in between, so timers and
 * rendering are not starved and the runs do not overlap. Clock: `performance.now()` (browsers
 * coarsen it to 100 µs, or 5 µs when cross-origin isolated; see the W3C High Resolution Time spec,
 * "Clock resolution"). The profiled call is not one of the timed ones: profiling synchronises after
 * every kernel on some backends, which changes the timing.
 *
 * @param model - A tf.LayersModel with one output, or a function `(x) => tf.Tensor`.
 * @param input - One batch; `input.shape[0]` is the batch size. Not disposed.
 * @param options - `warmup` (default 3), `runs` (default 20), `profile` (default true), `signal`.
 * @returns Latencies, throughput, backend, kernel times, memory peak and a leak count; no tensors.
 * @throws InvalidArgumentError for a non-model, a non-tensor or rank-0 input, an empty batch, `runs` < 1, `warmup` < 0.
 * @throws AbortedError when `signal` is aborted between runs.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { measureInference } from 'responsible-tfjs/sustainability';
 * const model = tf.sequential({ layers: [tf.layers.dense({ units: 10, inputShape: [784] })] });
 * const x = tf.randomNormal([32, 784]);
 * const m = await measureInference(model, x, { runs: 50 });
 * console.log(m.backend, `${m.latencyMs.median.toFixed(2)} ms median`, `${m.throughputPerSecond.toFixed(0)} examples/s`);
 * console.log(m.kernels?.[0]); // the slowest kernel, e.g. { name: '_FusedMatMul', totalMs: 0.2, count: 1 }
 * if (m.newTensors > 0) console.warn('the model leaks tensors: wrap it in tf.tidy');
 * x.dispose();
 * ```
 */
export async function measureInference(model: ModelLike, input: Tensor, options?: MeasureInferenceOptions): Promise<InferenceMeasurement> {
  const forward = toForwardFn(FN, model);
  const x = tensorArgument(FN, 'input', input);
  if (x.rank < 1) invalid(FN, 'input', x, 'a tf.Tensor with a batch dimension (rank >= 1)');
  const batchSize = x.shape[0] as number;
  if (batchSize < 1) invalid(FN, 'input', x, 'a batch of at least one example (input.shape[0] >= 1)');
  const opts = optionsObject(FN, 'options', options);
  const warmup = nonNegativeInteger(FN, 'options.warmup', opts.warmup ?? 3);
  const runs = positiveInteger(FN, 'options.runs', opts.runs ?? 20);
  const withProfile = booleanValue(FN, 'options.profile', opts.profile ?? true);
  const signal = checkSignal(FN, 'options.signal', opts.signal);
  assertBackend(FN);
  const backend = getBackend();

  for (let i = 0; i < warmup; i++) {
    await betweenSteps(FN, signal);
    await drain(callOnce(forward, x, model));
  }
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    await betweenSteps(FN, signal);
    const start = performance.now();
    await drain(callOnce(forward, x, model));
    times.push(performance.now() - start);
  }

  // One more call, under the profiler when asked; it also counts what the model leaks.
  await betweenSteps(FN, signal);
  const bytesBefore = memory().numBytes;
  let call: Call | undefined;
  let profiled: Pick<InferenceMeasurement, 'kernels' | 'kernelTimesUnavailable' | 'peakBytes' | 'peakBytesAdded'> = {};
  if (withProfile) {
    const info = await profile(() => (call = callOnce(forward, x, model)).out);
    // tfjs takes the max over kernels' snapshots; a model that runs no kernel (identity) has no snapshot.
    const peakBytes = info.kernels.length > 0 ? info.peakBytes : bytesBefore;
    const perKernel = kernelTimes(info.kernels);
    profiled = {
      ...(perKernel.kernels !== undefined ? { kernels: perKernel.kernels } : { kernelTimesUnavailable: perKernel.unavailable as string }),
      peakBytes,
      peakBytesAdded: peakBytes - bytesBefore,
    };
  } else {
    call = callOnce(forward, x, model);
  }
  await drain(call as Call);

  const latencyMs = summarizeLatencies(times);
  return {
    latencyMs,
    throughputPerSecond: latencyMs.median > 0 ? batchSize / (latencyMs.median / 1000) : Infinity,
    batchSize,
    backend,
    ...profiled,
    newTensors: (call as Call).leaked,
  };
}

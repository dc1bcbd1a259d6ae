import type { LatencySummary } from './percentiles.js';

/** Options of {@link measureInference}. */
export interface MeasureInferenceOptions {
  /** Untimed calls before timing, so kernel compilation, shader caches and JIT warm-up are excluded. Integer >= 0; default 3. */
  readonly warmup?: number;
  /** Timed calls. Integer >= 1; default 20. */
  readonly runs?: number;
  /** Profile one extra call with `tf.profile` for kernel times and peak memory; default true. */
  readonly profile?: boolean;
  /** Stops between runs with an `AbortedError`. */
  readonly signal?: AbortSignal;
}

/** Time spent in one kind of kernel during the profiled call. */
export interface KernelTime {
  /** tfjs kernel name (e.g. `'_FusedMatMul'`, `'Conv2D'`). */
  readonly name: string;
  /** Sum of the kernel times the backend reported, ms. */
  readonly totalMs: number;
  /** How many times the kernel ran in one call. */
  readonly count: number;
}

/** What {@link measureInference} measured. */
export interface InferenceMeasurement {
  /** Wall-clock time per call, ms: the model call plus `await out.data()` (so GPU work and the download of the output are included). */
  readonly latencyMs: LatencySummary;
  /** Examples per second at the median latency: `batchSize / (median / 1000)`. `Infinity` if the median is 0 (below the timer's resolution). */
  readonly throughputPerSecond: number;
  /** `input.shape[0]`. */
  readonly batchSize: number;
  /** `tf.getBackend()` during the measurement. */
  readonly backend: string;
  /**
   * Kernel times of the profiled call, slowest first. Absent when `profile` is false or when the
   * backend reports no kernel times (see `kernelTimesUnavailable`). cpu and wasm time each kernel
   * on the CPU clock; webgl needs the `EXT_disjoint_timer_query` extension and webgpu the
   * `timestamp-query` feature.
   */
  readonly kernels?: KernelTime[];
  /** Why kernel times are missing, as the backend said (e.g. webgl without timer queries). */
  readonly kernelTimesUnavailable?: string;
  /**
   * Largest number of bytes held by all live tensors after any kernel of the profiled call, per
   * tfjs's engine (`tf.profile(...).peakBytes`): it includes the model's weights and the input.
   * Absent when `profile` is false.
   */
  readonly peakBytes?: number;
  /** `peakBytes` minus the bytes held before the call: the call's own activation memory at its peak. */
  readonly peakBytesAdded?: number;
  /**
   * Tensors one model call created besides its output and did not dispose (0 for a model that does
   * not leak). measureInference runs every call inside `tf.tidy`, so it disposes them and leaks
   * nothing itself; called from your code without a tidy, such a model leaks this many per call.
   */
  readonly newTensors: number;
}

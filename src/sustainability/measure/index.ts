/**
 * Measured cost of inference: latency percentiles, throughput, tfjs kernel times and memory peak
 * on the caller's backend ({@link measureInference}).
 */
export { measureInference } from './measureInference.js';
export type { MeasureInferenceOptions, InferenceMeasurement, KernelTime } from './types.js';
export type { LatencySummary } from './percentiles.js';

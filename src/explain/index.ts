/**
 * Explainability: attributions of a model's outputs to its inputs and to its layers, and their
 * quality metrics, computing the numbers Captum computes, on tfjs tensors in the browser and
 * Node.
 *
 * Every method is `method(model, x, options)` and resolves to `{ attributions, convergenceDelta? }`
 * (tensors owned by the caller); `options.target` chooses the output to explain (class indices or
 * `'predicted'`).
 *
 * Guide: [explain](../../docs/explain.md).
 * @module responsible-tfjs/explain
 */
export type { AttributionMethod, AttributionResult, ExplainModelOutput, Target, TargetOptions } from './types.js';
export type { Baseline } from './baselines.js';
export * from './gradient/index.js';
export * from './layers/index.js';
export * from './perturbation/index.js';
export * from './metrics/index.js';
export * from './pictures/index.js';

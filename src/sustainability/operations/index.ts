/**
 * Operation counts of tfjs-layers models: MACs, FLOPs, parameters and activation memory per layer,
 * dense and sparse, with the counting conventions stated ({@link countOperations}).
 */
export { countOperations } from './countOperations.js';
export { UnsupportedLayerForCountingError, type UncountableLayer } from './errors.js';
export type { CountOperationsOptions, LayerCount, OperationCounts, OperationTotals } from './types.js';

/**
 * Sustainability: what a model costs to run, measured. {@link countOperations} counts MACs, FLOPs,
 * parameters and activation memory per layer (dense and sparse-aware, with the conventions stated);
 * {@link measureInference} times inference on the caller's backend (latency percentiles, throughput,
 * kernel times, memory peak); {@link measureEnergy} measures energy with Linux RAPL
 * ({@link readRaplEnergy}) or estimates it with a stated power model, and {@link carbonFromEnergy}
 * turns it into emissions from a grid intensity ({@link GRID_INTENSITY}, with source and year).
 * {@link distill} and {@link distillationLoss} train a small student on a large teacher (Hinton et
 * al. 2015), and {@link footprintReport} puts model variants side by side. Guide:
 * [sustainability](../../docs/sustainability.md).
 * @module responsible-tfjs/sustainability
 */
export * from './operations/index.js';
export * from './measure/index.js';
export * from './energy/index.js';
export * from './distillation/index.js';
export * from './report/index.js';

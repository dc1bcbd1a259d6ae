// Canaries for audits: input-space examples planted in the training data.
export type { CanarySet } from './types.js';
export { mislabelledCanaries, type MislabelledCanaryOptions } from './mislabelledCanaries.js';
export { outOfDistributionCanaries, type OutOfDistributionCanaryOptions } from './outOfDistributionCanaries.js';
export { insertCanaries, type InsertCanaryOptions, type CanaryTrainingSet } from './insertCanaries.js';

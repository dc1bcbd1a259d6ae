export { infidelity, type InfidelityOptions } from './infidelity.js';
export { sensitivityMax, type SensitivityMaxOptions, type SensitivityNorm } from './sensitivityMax.js';
export type { ExplanationBatch, ExplanationFunction, ExplanationSpec } from './explanation.js';
export type {
  InfidelityPerturbation, InfidelityPerturbationBatch, InfidelityPerturbationResult, PerturbationBatch, SensitivityPerturbation,
  SensitivityPerturbationBatch,
} from './perturbations.js';

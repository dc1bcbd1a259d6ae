// Noise mechanisms: calibration (plain doubles) and noisy releases (numbers, arrays, tensors).
export { gaussianSigma, type GaussianSigmaOptions, type GaussianCalibration } from './gaussianSigma.js';
export { gaussianDelta, type GaussianDeltaOptions } from './gaussianDelta.js';
export { gaussianEpsilon, type GaussianEpsilonOptions } from './gaussianEpsilon.js';
export { laplaceDelta, type LaplaceDeltaOptions } from './laplaceDelta.js';
export { laplaceMechanism, type LaplaceMechanismOptions } from './laplaceMechanism.js';
export { gaussianMechanism, type GaussianMechanismOptions } from './gaussianMechanism.js';
export {
  discreteLaplaceMechanism,
  discreteGaussianMechanism,
  type DiscreteLaplaceMechanismOptions,
  type DiscreteGaussianMechanismOptions,
  type IntegerValue,
} from './discreteMechanisms.js';
export type { NumericValue, NoisyValue, NoisyRelease, NominalGuarantee } from './release.js';

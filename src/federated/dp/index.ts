// User-level DP for federated learning: clipping, Gaussian noise (central or distributed),
// adaptive clipping and user-level accounting.
export { updateNorm } from './updateNorm.js';
export { clipUpdate, type ClipUpdateOptions, type ClipUpdateResult } from './clipUpdate.js';
export { addGaussianNoise, type AddGaussianNoiseOptions } from './addGaussianNoise.js';
export {
  distributedNoiseStd,
  effectiveDistributedNoiseMultiplier,
  type DistributedNoiseStdOptions,
  type EffectiveDistributedNoiseMultiplierOptions,
} from './distributedNoise.js';
export { adaptiveNoiseMultipliers, type AdaptiveNoiseMultipliersOptions, type AdaptiveNoiseMultipliers } from './adaptiveNoiseMultipliers.js';
export {
  createQuantileClipState,
  quantileClipIndicator,
  type QuantileClipState,
  type CreateQuantileClipStateOptions,
} from './quantileClipState.js';
export {
  updateQuantileClip,
  updateQuantileClipFromNorms,
  type QuantileClipInput,
  type UpdateQuantileClipFromNormsOptions,
} from './updateQuantileClip.js';
export { userLevelPrivacy, type ClientSampling, type UserLevelPrivacyOptions, type UserLevelPrivacy } from './userLevelPrivacy.js';
export { userLevelNoiseMultiplier, type UserLevelNoiseMultiplierOptions } from './userLevelNoiseMultiplier.js';

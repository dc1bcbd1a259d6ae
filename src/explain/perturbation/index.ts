/** Perturbation methods: occlusion, feature ablation, exact Shapley values, Kernel SHAP and LIME. */
export { occlusion, type OcclusionOptions } from './occlusion.js';
export { featureAblation, type FeatureAblationOptions } from './featureAblation.js';
export { shapleyValues, MAX_EXACT_SHAPLEY_FEATURES, type ShapleyValuesOptions } from './shapleyValues.js';
export { kernelShap, type KernelShapOptions } from './kernelShap.js';
export { lime, type LimeDistance, type LimeOptions } from './lime.js';
export type { FeatureMask, FeatureIdArray } from './featureMask.js';
export type { PerturbationOptions } from './settings.js';

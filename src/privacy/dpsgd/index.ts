// DP-SGD for tfjs-layers models: vectorised per-example gradients, clipping, noise, training.
export { perExampleGradients, type PerExampleGradients, type PerExampleOptions } from './perExampleGradients.js';
export { perExampleGradientNorms, type PerExampleNorms } from './perExampleGradientNorms.js';
export { checkPerExampleGradients, type CheckPerExampleOptions, type PerExampleCheck } from './checkPerExampleGradients.js';
export { checkModelSupport, type ModelSupportReport } from './checkModelSupport.js';
export { UnsupportedLayerError, type UnsupportedLayer } from './errors.js';
export { clipAndNoise, type ClipAndNoiseOptions, type ClipAndNoiseResult } from './clipAndNoise.js';
export type { ClippingMode } from './clipping.js';
export { poissonBatches, type PoissonBatchOptions } from './poissonBatches.js';
export { dpSgdStep, type DpSgdStepOptions, type DpSgdStepResult } from './dpSgdStep.js';
export { fitPrivately, type FitPrivatelyOptions, type FitPrivatelyResult, type PrivateHistory } from './fitPrivately.js';
export { fitWithPerExampleEngine, type EngineFitOptions, type EngineFitResult } from './fitWithPerExampleEngine.js';
export type { TrainingCallbacks, TrainingLogs } from '../../core/training/callbacks.js';

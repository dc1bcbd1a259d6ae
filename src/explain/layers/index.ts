// The methods that change the backward pass of a LayersModel or read one of its layers.
export { deepLift, type DeepLiftOptions } from './deepLift.js';
export { deepLiftShap, type DeepLiftShapOptions } from './deepLiftShap.js';
export { guidedBackprop, deconvolution, type ModifiedReluOptions } from './modifiedRelu.js';
export { layerGradCam, type LayerGradCamOptions, type LayerGradCamResult } from './layerGradCam.js';
export { interpolateAttribution, type InterpolationMode } from './interpolateAttribution.js';

// The gradient methods: saliency, input × gradient, integrated gradients, GradientSHAP and the noise tunnel.
export { saliency, type SaliencyOptions } from './saliency.js';
export { inputXGradient, type InputXGradientOptions } from './inputXGradient.js';
export { integratedGradients, type IntegratedGradientsOptions } from './integratedGradients.js';
export type { IntegrationMethod } from './quadrature.js';
export { gradientShap, type GradientShapOptions } from './gradientShap.js';
export { noiseTunnel, type NoiseTunnelOptions, type NoiseTunnelSettings, type NoiseTunnelType } from './noiseTunnel.js';

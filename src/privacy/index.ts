/**
 * Differential privacy for TensorFlow.js: how much noise to add and how much privacy was spent.
 * DP-SGD trains a `tf.LayersModel` with per-example clipping and Gaussian noise
 * ({@link fitPrivately} for a whole run, {@link dpSgdStep} for your own loop,
 * {@link perExampleGradients} and {@link clipAndNoise} as building blocks, {@link poissonBatches}
 * for the sampling, {@link checkModelSupport} to see whether a model's layers are supported).
 * Accountants track the privacy spent as plain JavaScript doubles, without tfjs
 * ({@link RdpAccountant}, {@link PldAccountant}, {@link createAccountant}, {@link PrivacyBudget};
 * {@link getNoiseMultiplier} and {@link calibrate} invert them), and noise mechanisms release single
 * values with floating-point-safe samplers ({@link laplaceMechanism}, {@link gaussianMechanism},
 * {@link discreteLaplaceMechanism}, {@link discreteGaussianMechanism}; {@link gaussianSigma}
 * calibrates). Guides: [DP-SGD](../../docs/dp-sgd.md) and
 * [privacy accounting and mechanisms](../../docs/privacy-accounting.md).
 * @module responsible-tfjs/privacy
 */
export * from './accounting/index.js';
export * from './mechanisms/index.js';
export * from './budget/index.js';
export * from './errors.js';
export * from './dpsgd/index.js';

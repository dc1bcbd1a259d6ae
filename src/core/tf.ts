/**
 * The one place the library imports TensorFlow.js from. Modules import tfjs through here so that
 * a future move (another tfjs major, a different core package) touches a single file.
 * Nothing here selects or registers a backend: that is the caller's choice.
 */
export * from '@tensorflow/tfjs-core';
export type { LayersModel, Sequential, SymbolicTensor } from '@tensorflow/tfjs-layers';

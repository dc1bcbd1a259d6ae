/**
 * Smaller tfjs-layers models. Magnitude pruning, in one shot ({@link pruneByMagnitude}) or
 * gradually while training ({@link pruningCallback} with {@link polynomialDecay} or
 * {@link constantSparsity}); post-training quantization to int8, uint8, int16, uint16 or float16
 * ({@link quantizeModel} for a model, {@link quantize} and {@link dequantize} for one tensor);
 * quantization-aware training ({@link quantizationAwareTraining}, {@link fakeQuantize}); a compact
 * weights format ({@link encodeQuantizedWeights}, {@link decodeQuantizedWeights},
 * {@link loadQuantizedWeights}); and {@link compressionReport} for what a model costs (parameters,
 * non-zeros, bytes, multiply-accumulates). Guide: [compression](../../docs/compression.md).
 * @module responsible-tfjs/compression
 */
export { float32ToFloat16Bits, float16BitsToFloat32 } from './float16.js';
export type { QuantDtype, QuantScheme, QuantizeOptions, QuantizedTensor } from './quantization/types.js';
export { quantizeArray } from './quantization/quantizeArray.js';
export { quantize } from './quantization/quantize.js';
export { dequantize, dequantizeArray } from './quantization/dequantize.js';
export { prunedWeightCount, type PruningCountRule } from './pruning/counts.js';
export type { PruneOptions, PruningMask, PrunedTensorReport, PruningReport } from './pruning/types.js';
export { pruneByMagnitude, type ModelPruneResult, type WeightsPruneResult } from './pruning/pruneByMagnitude.js';
export {
  constantSparsity, polynomialDecay, type PruningSchedule, type ConstantSparsityOptions, type PolynomialDecayOptions,
} from './pruning/schedules.js';
export { pruningCallback, type PruningController, type PruningCallbackOptions } from './pruning/pruningCallback.js';
export { fakeQuantize, type FakeQuantizeOptions } from './quantization/fakeQuantize.js';
export { compressionReport, type CompressionReport, type LayerCompressionReport } from './report/compressionReport.js';
export {
  quantizeModel, type QuantizeModelOptions, type QuantizeModelResult, type QuantizedModelWeights, type QuantizedWeightEntry,
  type QuantizationReport, type QuantizedTensorReport,
} from './quantization/quantizeModel.js';
export { encodeQuantizedWeights, decodeQuantizedWeights, loadQuantizedWeights, type EncodeOptions } from './quantization/serialize.js';
export {
  quantizationAwareTraining, type QuantizationAwareTrainingController, type QuantizationAwareTrainingOptions,
} from './quantization/quantizationAwareTraining.js';

import { assertBackend } from '../../core/backend.js';
import { add, sub, tensor, tidy, type LayersModel, type Tensor } from '../../core/tf.js';
import { invalid, optionsObject } from '../../core/validate.js';
import { isLayersModel, modelWeights, selectLayers, type WeightRef } from '../internal/layers.js';
import { dequantizeArray } from './dequantize.js';
import { quantizeArrayAs } from './quantizeArray.js';
import type { QuantizeOptions } from './types.js';

/**
 * Options of {@link quantizationAwareTraining}: how kernels are fake-quantized ({@link quantize}'s
 * rules; `'float16'` and `'tfjs'` included), and which layers.
 */
export interface QuantizationAwareTrainingOptions extends QuantizeOptions {
  /** Only these layers (by name); all kernels by default. */
  readonly layers?: readonly string[];
}

/**
 * Quantization-aware training of a `tf.LayersModel`'s kernels, usable as a `model.fit` callback or
 * as a step hook in a custom loop. Keeps a float32 copy of every kernel during each batch.
 *
 * @example
 * ```ts
 * const qat = quantizationAwareTraining(model, { dtype: 'int8', scheme: 'symmetric', axis: -1 });
 * await model.fit(x, y, { epochs: 3, callbacks: [qat] });
 * await qat.finish();
 * ```
 */
export interface QuantizationAwareTrainingController {
  /** Saves the float kernels and replaces them by their quantize-dequantize values for the forward pass. */
  onBatchBegin(): Promise<void>;
  /** Applies the optimizer's update (made at the quantized point) to the float kernels. */
  onBatchEnd(): Promise<void>;
  /**
   * Frees the controller's tensors. Between batches the model holds its float kernels, ready for
   * {@link quantizeModel}; if a batch was begun and not ended, its float kernels are restored.
   */
  finish(): Promise<void>;
}

/**
 * Creates a quantization-aware-training hook: before each batch the kernels are replaced by their
 * fake-quantized values (so the loss and gradients are computed at the quantized weights); after
 * the optimizer step its update is added to the float "shadow" kernels. This is the straight-through
 * estimator applied to the weights: the gradient with respect to the quantized kernel is used as
 * the gradient of the float kernel, for every entry (min-max ranges clamp at most the extreme value,
 * which PyTorch's STE would give a zero gradient). For activations, or for per-entry STE masks,
 * use {@link fakeQuantize} inside your own forward function.
 *
 * @param model - The model to train; its kernels are overwritten during training.
 * @param options - dtype, scheme, axis, layers.
 * @returns A controller; pass it in `callbacks` and call `finish()` after training.
 * @throws {@link InvalidArgumentError} for unsupported options (checked against every kernel's shape).
 * @example
 * ```ts
 * import { quantizationAwareTraining, quantizeModel } from 'responsible-tfjs/compression';
 * const qat = quantizationAwareTraining(model, { dtype: 'int8', scheme: 'symmetric', axis: -1 });
 * await model.fit(x, y, { epochs: 3, batchSize: 32, callbacks: [qat] });
 * await qat.finish();
 * const { weights } = await quantizeModel(model, { dtype: 'int8', scheme: 'symmetric', axis: -1 });
 * ```
 */
export function quantizationAwareTraining(model: LayersModel, options: QuantizationAwareTrainingOptions): QuantizationAwareTrainingController {
  const fn = 'quantizationAwareTraining';
  assertBackend(fn);
  if (!isLayersModel(model)) invalid(fn, 'model', model, 'a tf.LayersModel');
  const opts = optionsObject(fn, 'options', options);
  const refs: WeightRef[] = selectLayers(fn, modelWeights(fn, model), opts.layers, model).filter((w) => w.role === 'kernel');
  const qopts: QuantizeOptions = { dtype: opts.dtype, ...(opts.scheme !== undefined ? { scheme: opts.scheme } : {}), ...(opts.axis !== undefined ? { axis: opts.axis } : {}) };
  // Validate against every kernel now, not in the middle of training.
  for (const r of refs) {
    const shape = [...r.variable.shape] as number[];
    quantizeArrayAs(fn, new Float32Array(shape.reduce((a, b) => a * b, 1)), shape, qopts);
  }
  let shadows: Tensor[] | null = null;
  let quantized: Tensor[] | null = null;
  const release = (): void => {
    shadows?.forEach((t) => t.dispose());
    quantized?.forEach((t) => t.dispose());
    shadows = null;
    quantized = null;
  };
  return {
    onBatchBegin: async () => {
      release();
      const data = await Promise.all(refs.map((r) => r.variable.read().data() as Promise<Float32Array>));
      shadows = refs.map((r) => tidy(() => add(r.variable.read(), 0)));
      quantized = refs.map((r, i) => {
        const shape = [...r.variable.shape] as number[];
        return tensor(dequantizeArray(quantizeArrayAs(fn, data[i]!, shape, qopts)), shape, 'float32');
      });
      refs.forEach((r, i) => r.variable.write(quantized![i]!));
    },
    onBatchEnd: async () => {
      if (shadows === null || quantized === null) return;
      refs.forEach((r, i) => {
        const next = tidy(() => add(shadows![i]!, sub(r.variable.read(), quantized![i]!)));
        r.variable.write(next);
        next.dispose();
      });
      release();
    },
    finish: async () => {
      // Between batches the model already holds the float kernels; a batch left open is closed without an update.
      if (shadows !== null) refs.forEach((r, i) => r.variable.write(shadows![i]!));
      release();
    },
  };
}

import { assertBackend } from '../../core/backend.js';
import { tensor, type LayersModel } from '../../core/tf.js';
import { booleanValue, finiteArray, optionsObject } from '../../core/validate.js';
import { modelWeights, selectLayers } from '../internal/layers.js';
import { dequantizeArray } from './dequantize.js';
import { quantizeArrayAs } from './quantizeArray.js';
import type { QuantizedTensor, QuantizeOptions } from './types.js';

/**
 * Options of {@link quantizeModel}: the {@link QuantizeOptions} applied to every kernel, plus what
 * to include and whether to write the result into the model.
 */
export interface QuantizeModelOptions extends QuantizeOptions {
  /** Quantize biases too (the tfjs converter's `--quantize_uint8` with no pattern does). Default false. */
  readonly includeBias?: boolean;
  /** Write the dequantized values into the model's weights (simulated quantization). Default false. */
  readonly applyToModel?: boolean;
  /** Quantize only these layers (by name); their other weights stay float32. */
  readonly layers?: readonly string[];
}

/**
 * One weight of a {@link QuantizedModelWeights}: quantized, or kept as float32.
 */
export interface QuantizedWeightEntry {
  /** Weight name (`layer/kernel`). */
  readonly name: string;
  /** Weight shape. */
  readonly shape: readonly number[];
  /** The quantized weight, when it was quantized. */
  readonly quantized?: QuantizedTensor;
  /** The float32 values, when it was not. */
  readonly float32?: Float32Array;
}

/**
 * Every float32 weight of a model in layer order, quantized or kept: enough to restore the model
 * with {@link loadQuantizedWeights}, and to store with {@link encodeQuantizedWeights}.
 */
export interface QuantizedModelWeights {
  /** Entries in the order of `model.weights` (float32 weights only). */
  readonly entries: readonly QuantizedWeightEntry[];
}

/**
 * Error and size of one quantized weight.
 */
export interface QuantizedTensorReport {
  /** Weight name. */
  readonly name: string;
  /** Storage type. */
  readonly dtype: string;
  /** Entries. */
  readonly size: number;
  /** max |dequantized - original|. */
  readonly maxAbsError: number;
  /** mean |dequantized - original|. */
  readonly meanAbsError: number;
}

/**
 * What {@link quantizeModel} did: sizes before and after, and the dequantization error.
 */
export interface QuantizationReport {
  /** Per quantized weight. */
  readonly tensors: readonly QuantizedTensorReport[];
  /** Bytes of all float32 weights. */
  readonly bytesBefore: number;
  /** Bytes after: quantized values, their scales and zero points (4 bytes each), float32 rest. */
  readonly bytesAfter: number;
  /** `bytesBefore / bytesAfter`. */
  readonly ratio: number;
  /** Largest error over all quantized weights. */
  readonly maxAbsError: number;
}

/**
 * Result of {@link quantizeModel}.
 */
export interface QuantizeModelResult {
  /** The quantized weights (plain data). */
  readonly weights: QuantizedModelWeights;
  /** Sizes and errors. */
  readonly report: QuantizationReport;
}

/** Storage bytes of a quantized tensor: values plus 4 bytes per scale, zero point and min. */
export function quantizedBytes(q: QuantizedTensor): number {
  const params = q.dtype === 'float16' ? 0 : (Array.isArray(q.scale) ? q.scale.length : 1) * 2 + (q.min !== undefined ? 1 : 0);
  return q.values.byteLength + 4 * params;
}

/**
 * Post-training quantization of every kernel of a `tf.LayersModel` (and of the biases with
 * `includeBias`) with {@link quantize}'s rules. The model is left alone unless `applyToModel`
 * is set, in which case its weights are replaced by their dequantized values, so the model then
 * computes what the quantized model computes (float32 activations, as in a fake-quantized model).
 *
 * @param model - The model.
 * @param options - dtype, scheme, axis (e.g. `-1` for per output channel), includeBias,
 *   applyToModel, layers.
 * @returns The quantized weights (plain data; no tensors to dispose) and a size and error report.
 * @throws {@link InvalidArgumentError} for unsupported options, an axis out of range for some
 *   kernel, or non-finite weights.
 * @example
 * ```ts
 * import { quantizeModel, encodeQuantizedWeights } from 'responsible-tfjs/compression';
 * const { weights, report } = await quantizeModel(model, { dtype: 'int8', scheme: 'symmetric', axis: -1 });
 * console.log(report.ratio, report.maxAbsError);
 * const bytes = encodeQuantizedWeights(weights); // ArrayBuffer to store or send
 * ```
 */
export async function quantizeModel(model: LayersModel, options: QuantizeModelOptions): Promise<QuantizeModelResult> {
  const fn = 'quantizeModel';
  assertBackend(fn);
  const opts = optionsObject(fn, 'options', options);
  const includeBias = booleanValue(fn, 'options.includeBias', opts.includeBias ?? false);
  const applyToModel = booleanValue(fn, 'options.applyToModel', opts.applyToModel ?? false);
  const all = modelWeights(fn, model);
  const chosen = new Set(selectLayers(fn, all, opts.layers, model));
  const qopts: QuantizeOptions = { dtype: opts.dtype, ...(opts.scheme !== undefined ? { scheme: opts.scheme } : {}), ...(opts.axis !== undefined ? { axis: opts.axis } : {}) };
  const data = await Promise.all(all.map((w) => w.variable.read().data() as Promise<Float32Array>));
  const entries: QuantizedWeightEntry[] = [];
  const tensors: QuantizedTensorReport[] = [];
  let bytesAfter = 0;
  all.forEach((w, i) => {
    const values = data[i]!;
    const shape = [...w.variable.shape] as number[];
    const quantizeIt = chosen.has(w) && (w.role === 'kernel' || (includeBias && w.role === 'bias'));
    if (!quantizeIt) {
      entries.push({ name: w.name, shape, float32: Float32Array.from(values) });
      bytesAfter += values.byteLength;
      return;
    }
    finiteArray(fn, `weights of ${w.name}`, values);
    // A bias is 1-D: a per-channel axis meant for kernels is applied to it as axis 0.
    const o = w.role === 'bias' && qopts.axis !== undefined ? { ...qopts, axis: 0 } : qopts;
    const q = quantizeArrayAs(fn, values, shape, o);
    const deq = dequantizeArray(q);
    let maxErr = 0;
    let sumErr = 0;
    for (let j = 0; j < deq.length; j++) {
      const e = Math.abs((deq[j] as number) - (values[j] as number));
      if (e > maxErr) maxErr = e;
      sumErr += e;
    }
    tensors.push({ name: w.name, dtype: q.dtype, size: deq.length, maxAbsError: maxErr, meanAbsError: deq.length === 0 ? 0 : sumErr / deq.length });
    entries.push({ name: w.name, shape, quantized: q });
    bytesAfter += quantizedBytes(q);
    if (applyToModel) {
      const t = tensor(deq, shape, 'float32');
      w.variable.write(t);
      t.dispose();
    }
  });
  const bytesBefore = data.reduce((s, d) => s + d.byteLength, 0);
  return {
    weights: { entries },
    report: {
      tensors, bytesBefore, bytesAfter, ratio: bytesAfter === 0 ? 1 : bytesBefore / bytesAfter,
      maxAbsError: tensors.reduce((m, t) => Math.max(m, t.maxAbsError), 0),
    },
  };
}

/**
 * Panel 5: the trained digits model pruned by magnitude (one shot, no fine-tuning) and its kernels
 * quantized to int8, with the encoded size and the test accuracy at each stage. Sizes are the
 * bytes of the encoded weights file the library writes (dense, or the sparse layout: a bitmap
 * plus the non-zero entries).
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { encodeQuantizedWeights, pruneByMagnitude, quantizeModel, type QuantizedModelWeights } from 'responsible-tfjs/compression';
import type { DigitsSplit } from '../../../shared/datasets.js';
import { accuracyOf, checkSetting, digitsMlp, throwIfAborted, type TaskControl } from './common.js';

export interface CompressionSettings {
  /** Fraction of each kernel's weights set to zero, in [0, 0.99]. */
  readonly sparsity: number;
}

export const COMPRESSION_DEFAULTS: CompressionSettings = { sparsity: 0.8 };

export interface CompressionStage {
  readonly name: string;
  readonly testAccuracy: number;
  /** Bytes of the weights file, every weight stored. */
  readonly denseBytes: number;
  /** Bytes of the weights file in the sparse layout. */
  readonly sparseBytes: number;
}

export interface CompressionResult {
  readonly stages: readonly CompressionStage[];
}

/** Compresses a copy of `model` (the model itself is left as it is). */
export async function compressModel(
  model: tfl.LayersModel,
  test: DigitsSplit,
  settings: CompressionSettings,
  control: TaskControl = {},
): Promise<CompressionResult> {
  const task = 'compressModel';
  checkSetting(task, 'sparsity', settings.sparsity, 0, 0.99);
  const copy = digitsMlp(1);
  const weights = model.getWeights();
  copy.setWeights(weights);
  const xTest = tf.tensor2d(test.x, [test.n, 64]);
  const stages: CompressionStage[] = [];
  const record = async (name: string, encoded: QuantizedModelWeights): Promise<void> => {
    stages.push({
      name,
      testAccuracy: await accuracyOf(copy, xTest, test.y),
      denseBytes: encodeQuantizedWeights(encoded).byteLength,
      sparseBytes: encodeQuantizedWeights(encoded, { sparse: true }).byteLength,
    });
    control.onProgress?.({ fraction: stages.length / 3, message: name });
  };
  try {
    await record('float32', await floatWeights(copy));
    throwIfAborted(control.signal, task);
    await pruneByMagnitude(copy, { sparsity: settings.sparsity, scope: 'layer' });
    await record(`pruned ${Math.round(100 * settings.sparsity)} %`, await floatWeights(copy));
    throwIfAborted(control.signal, task);
    const int8 = await quantizeModel(copy, { dtype: 'int8', scheme: 'symmetric', axis: -1, applyToModel: true });
    await record(`pruned ${Math.round(100 * settings.sparsity)} % + int8`, int8.weights);
    return { stages };
  } finally {
    xTest.dispose();
    copy.dispose();
  }
}

async function floatWeights(model: tfl.LayersModel): Promise<QuantizedModelWeights> {
  const entries = await Promise.all(model.weights.map(async (w) => {
    const value = w.read();
    return { name: w.originalName, shape: w.shape as number[], float32: Float32Array.from(await value.data()) };
  }));
  return { entries };
}

/**
 * Panel 3: why the trained model reads a test digit the way it does: integrated gradients
 * (Sundararajan et al. 2017) from a black baseline, and plain saliency for comparison, both for the
 * predicted class.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { integratedGradients, saliency } from 'responsible-tfjs/explain';
import type { DigitsSplit } from '../../../shared/datasets.js';
import { checkSetting, type TaskControl } from './common.js';

export interface ExplanationSettings {
  /** The test row to explain. */
  readonly row: number;
  /** Integration points of integrated gradients (Gauss-Legendre). */
  readonly steps: number;
}

export const EXPLANATION_DEFAULTS: ExplanationSettings = { row: 0, steps: 32 };

export interface ExplanationResult {
  readonly row: number;
  readonly label: number;
  readonly prediction: number;
  /** Softmax probability of the predicted class. */
  readonly probability: number;
  /** The 64 pixels, row-major 8 × 8, in [0, 1]. */
  readonly pixels: Float32Array;
  /** Integrated-gradients attribution of each pixel to the predicted logit. */
  readonly integratedGradients: Float32Array;
  /** |gradient| of the predicted logit at each pixel. */
  readonly saliency: Float32Array;
  /** Sum of the attributions minus (logit at the digit − logit at the black baseline). */
  readonly convergenceDelta: number;
}

/** Attributions of one test digit; progress reports the two methods. */
export async function explainDigit(
  model: tfl.LayersModel,
  test: DigitsSplit,
  settings: ExplanationSettings,
  control: TaskControl = {},
): Promise<ExplanationResult> {
  const task = 'explainDigit';
  checkSetting(task, 'row', settings.row, 0, test.n - 1, true);
  checkSetting(task, 'steps', settings.steps, 2, 512, true);
  const pixels = Float32Array.from(test.x.subarray(settings.row * 64, settings.row * 64 + 64));
  const x = tf.tensor2d(pixels, [1, 64]);
  try {
    const probabilities = tf.tidy(() => tf.softmax(model.predict(x) as tf.Tensor));
    const p = await probabilities.data();
    probabilities.dispose();
    let prediction = 0;
    for (let k = 1; k < p.length; k++) if (p[k]! > p[prediction]!) prediction = k;
    const ig = await integratedGradients(model, x, { target: [prediction], steps: settings.steps, returnConvergenceDelta: true, signal: control.signal });
    control.onProgress?.({ fraction: 0.5, message: 'integrated gradients done' });
    const sal = await saliency(model, x, { target: [prediction] });
    const [igValues, delta, salValues] = await Promise.all([ig.attributions.data(), ig.convergenceDelta!.data(), sal.attributions.data()]);
    tf.dispose([ig.attributions, ig.convergenceDelta!, sal.attributions]);
    control.onProgress?.({ fraction: 1, message: 'done' });
    return {
      row: settings.row, label: test.y[settings.row]!, prediction, probability: p[prediction]!, pixels,
      integratedGradients: igValues as Float32Array, saliency: salValues as Float32Array, convergenceDelta: delta[0]!,
    };
  } finally {
    x.dispose();
  }
}

/**
 * Panel 2: the robust accuracy of the trained digits model under PGD (L-inf) at several radii, and
 * one test digit next to the adversarial version that fools the model.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { seededRng } from 'responsible-tfjs';
import { pgd, robustAccuracy } from 'responsible-tfjs/robustness';
import type { DigitsSplit } from '../../../shared/datasets.js';
import { checkSetting, throwIfAborted, type TaskControl } from './common.js';

export interface RobustnessSettings {
  /** Radii of the L-inf ball, in pixel units (pixels are in [0, 1]). */
  readonly epsilons: readonly number[];
  /** PGD steps (step size epsilon / 4, random start). */
  readonly steps: number;
  /** How many test rows to attack (the first ones). */
  readonly rows: number;
  /** Seed of the random starts. */
  readonly seed: number;
}

export const ROBUSTNESS_DEFAULTS: RobustnessSettings = { epsilons: [0, 0.05, 0.1, 0.15, 0.2, 0.3], steps: 10, rows: 450, seed: 1 };

export interface CurvePoint {
  readonly epsilon: number;
  readonly robustAccuracy: number;
}

/** A digit the attack flipped, for the side-by-side picture. */
export interface AdversarialDigit {
  /** Its row in the test split. */
  readonly row: number;
  readonly label: number;
  readonly epsilon: number;
  readonly clean: Float32Array;
  readonly adversarial: Float32Array;
  readonly cleanPrediction: number;
  readonly adversarialPrediction: number;
}

export interface RobustnessResult {
  readonly curve: readonly CurvePoint[];
  /** The first attacked row the largest radius flipped (absent when none was flipped). */
  readonly example?: AdversarialDigit;
}

/** PGD radius by radius; progress reports each finished point of the curve. */
export async function robustnessCurve(
  model: tfl.LayersModel,
  test: DigitsSplit,
  settings: RobustnessSettings,
  control: TaskControl<CurvePoint> = {},
): Promise<RobustnessResult> {
  const task = 'robustnessCurve';
  checkSetting(task, 'steps', settings.steps, 1, 200, true);
  checkSetting(task, 'rows', settings.rows, 1, test.n, true);
  if (settings.epsilons.length === 0) throw new RangeError(`${task}: epsilons must not be empty`);
  settings.epsilons.forEach((e, i) => checkSetting(task, `epsilons[${i}]`, e, 0, 1));
  const n = settings.rows;
  const x = tf.tensor2d(test.x.subarray(0, n * 64), [n, 64]);
  const y = test.y.subarray(0, n);
  const attack = (epsilon: number) => (m: tfl.LayersModel | ((x: tf.Tensor) => tf.Tensor), xb: tf.Tensor, yb: tf.Tensor1D) =>
    pgd(m as tfl.LayersModel, xb, yb, { epsilon, stepSize: epsilon / 4, steps: settings.steps, rng: seededRng(`playground-pgd-${settings.seed}-${epsilon}`) });
  try {
    const curve: CurvePoint[] = [];
    for (const [i, epsilon] of settings.epsilons.entries()) {
      throwIfAborted(control.signal, task);
      const accuracy = epsilon === 0
        ? await robustAccuracy(model, x, y, async (_m, xb) => tf.clone(xb), { batchSize: n, signal: control.signal })
        : await robustAccuracy(model, x, y, attack(epsilon), { batchSize: n, signal: control.signal });
      const point = { epsilon, robustAccuracy: accuracy };
      curve.push(point);
      control.onProgress?.({ fraction: (i + 1) / (settings.epsilons.length + 1), message: `epsilon ${epsilon}`, point });
    }
    throwIfAborted(control.signal, task);
    const example = await firstFlipped(model, x, y, Math.max(...settings.epsilons), attack);
    control.onProgress?.({ fraction: 1, message: 'done' });
    return example ? { curve, example } : { curve };
  } finally {
    x.dispose();
  }
}

async function firstFlipped(
  model: tfl.LayersModel,
  x: tf.Tensor2D,
  y: Int32Array,
  epsilon: number,
  attack: (epsilon: number) => (m: tfl.LayersModel, xb: tf.Tensor, yb: tf.Tensor1D) => Promise<tf.Tensor>,
): Promise<AdversarialDigit | undefined> {
  if (epsilon === 0) return undefined;
  const labels = tf.tensor1d(y, 'int32');
  const adversarial = await attack(epsilon)(model, x, labels);
  const predictions = tf.tidy(() => tf.stack([tf.argMax(model.predict(x) as tf.Tensor, 1), tf.argMax(model.predict(adversarial) as tf.Tensor, 1)]));
  const [p, pixels, advPixels] = await Promise.all([predictions.data(), x.data(), adversarial.data()]);
  tf.dispose([labels, adversarial, predictions]);
  const n = y.length;
  for (let row = 0; row < n; row++) {
    if (p[row] === y[row] && p[n + row] !== y[row]) {
      return {
        row, label: y[row]!, epsilon,
        clean: Float32Array.from(pixels.subarray(row * 64, row * 64 + 64)),
        adversarial: Float32Array.from(advPixels.subarray(row * 64, row * 64 + 64)),
        cleanPrediction: p[row]!, adversarialPrediction: p[n + row]!,
      };
    }
  }
  return undefined;
}

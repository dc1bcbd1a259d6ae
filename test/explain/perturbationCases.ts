/**
 * The Captum settings of the stored occlusion and feature-ablation cases, turned into our
 * options (tfjs layout). Unknown settings throw, so that a new reference case cannot be compared
 * with the wrong options.
 */
import * as tf from '@tensorflow/tfjs-core';
import adult from '../fixtures/explain/adult_model.json';
import { referenceTargets, type ExplainModelName, type ReferenceCase } from './fixtures.js';

/** Perturbation tolerance of the notes: 3e-5 + 1e-4·|value|. */
export const PERTURBATION_TOLERANCE = { atol: 3e-5, rtol: 1e-4 } as const;

/** The Adult training mean of the 10 features (the "train mean" baseline), float32 values. */
export function adultTrainMean(): tf.Tensor1D {
  return tf.tensor1d(adult.train_mean_features_float32);
}

/** The case's targets ('pred' or 'true'). */
export function caseTargets(name: ExplainModelName, c: ReferenceCase): number[] {
  const which = c['target'];
  if (which !== 'pred' && which !== 'true') throw new Error(`unknown target ${String(which)}`);
  return referenceTargets(name, which);
}

/** Captum's per-axis tuple in our layout: CNN NCHW (C, H, W) becomes NHWC (H, W, C). */
export function toOurAxes(name: ExplainModelName, axes: number[]): number[] {
  if (name !== 'cnn') return axes;
  const [c, h, w] = axes as [number, number, number];
  return [h, w, c];
}

/** The case's baseline: 0 or the Adult train mean (a caller-owned tensor). */
export function caseBaseline(c: ReferenceCase): number | tf.Tensor {
  const b = c.settings?.['baselines'] ?? 0;
  if (b === 0) return 0;
  if (b === 'train mean') return adultTrainMean();
  throw new Error(`unknown baseline ${JSON.stringify(b)}`);
}

const KNOWN = new Set(['baselines', 'feature_mask', 'perturbations_per_eval', 'sliding_window_shapes', 'strides', 'input_layout', 'note']);

/** Throws on a setting this file does not translate. */
export function checkKnownSettings(c: ReferenceCase): void {
  for (const key of Object.keys(c.settings ?? {})) if (!KNOWN.has(key)) throw new Error(`untranslated setting ${key}`);
}

/**
 * Helpers of the metric tests: the fixed perturbations stored in metrics.json as perturbation
 * functions, the explanations the stored cases were computed with, written here with plain
 * `tf.grad` (signed saliency, input × gradient; feature ablation for Adult), and the mapping from a
 * metric case to the attribution case holding the same attributions.
 */
import * as tf from '@tensorflow/tfjs-core';
import metricsRef from '../fixtures/explain/metrics.json';
import models from '../fixtures/robustness/models.json';
import type {
  ExplanationFunction, InfidelityPerturbation, SensitivityPerturbation,
} from '../../src/explain/index.js';
import { exampleShape, explainModel, type ExplainModelName } from './fixtures.js';

/** One stored metric case. */
export interface MetricCase {
  readonly model: ExplainModelName;
  readonly metric: 'infidelity' | 'sensitivity_max';
  readonly explanation: string;
  readonly deterministic: boolean;
  readonly settings: Record<string, unknown>;
  readonly value_f32?: number[];
  readonly value_f64?: number[];
  readonly seeds?: number[];
  readonly values_per_seed?: number[][];
  readonly mean_over_seeds?: number[];
  readonly sd_over_seeds?: number[];
}

interface NoiseSet {
  readonly infidelity_perturbations: number[][];
  readonly sensitivity_unit_noise: number[][];
}

const ref = metricsRef as unknown as { cases: Record<string, MetricCase>; noise: Record<ExplainModelName, NoiseSet> };

/** Every stored metric case as [key, case]. */
export function metricCases(): Array<[string, MetricCase]> {
  return Object.entries(ref.cases);
}

/** The attribution case of attributions_<model>.json holding a metric case's attributions (meta.attributions). */
export function attributionCaseKey(model: ExplainModelName, explanation: string): string {
  const suffix: Record<string, string> = {
    saliency_abs_false: 'saliency/abs_false',
    input_x_gradient: 'input_x_gradient',
    ig_gausslegendre_n50: 'ig/gausslegendre/n50',
    deeplift: 'deeplift',
    guided_backprop: 'guided_backprop',
    feature_ablation: 'feature_ablation/no_mask',
  };
  const s = suffix[explanation];
  if (s === undefined) throw new Error(`no attribution case for ${explanation}`);
  return `${model}/pred/${s}`;
}

/** Rows `first .. first + copies` of a stored `[samples, F]` noise, tiled so that row `i·copies + k` gets sample `first + k`. */
function tiledNoise(noise: number[][], xs: tf.Tensor, copies: number, first: number): tf.Tensor {
  const rows = noise.slice(first, first + copies);
  const batch = (xs.shape[0] as number) / copies;
  return tf.reshape(tf.tile(tf.tensor2d(rows), [batch, 1]), xs.shape);
}

/** The case's deterministic infidelity perturbation: I_k = noise.infidelity_perturbations[k], perturbed = x − I_k. */
export function storedInfidelityPerturbation(model: ExplainModelName): InfidelityPerturbation {
  const noise = ref.noise[model].infidelity_perturbations;
  return (xs, { copies, firstSample }) => {
    const perturbation = tiledNoise(noise, xs, copies, firstSample);
    return { perturbation, perturbed: tf.sub(xs, perturbation) };
  };
}

/** The fixed-noise sensitivity perturbation: x + radius · u_k with the stored unit noise. */
export function storedSensitivityPerturbation(model: ExplainModelName): SensitivityPerturbation {
  const noise = ref.noise[model].sensitivity_unit_noise;
  return (xs, { copies, firstSample, radius }) => tf.add(xs, tf.mul(radius, tiledNoise(noise, xs, copies, firstSample)));
}

/** The stored noise as plain arrays (for float64 recomputations in the tests). */
export function storedNoise(model: ExplainModelName): NoiseSet {
  return ref.noise[model];
}

/**
 * The digits CNN as a plain function over the stored weights (`tf.conv2d`, unfused): its input
 * gradient needs no filter gradient, which tfjs 4.22's wasm backend lacks (the fused convolution
 * of a Conv2D layer differentiates its filter too) and which is slow on cpu.
 */
export function cnnFunction(): { forward: (x: tf.Tensor) => tf.Tensor; dispose: () => void } {
  const layers = (models as unknown as { cnn: { layers: Array<{ kernel?: number[]; kernelShape?: number[]; bias?: number[]; biasShape?: number[] }> } }).cnn.layers;
  const weights = layers.filter((l) => l.kernel !== undefined).map((l) => [tf.tensor(l.kernel!, l.kernelShape), tf.tensor(l.bias!, l.biasShape)] as const);
  const [c1, c2, d] = weights as unknown as [readonly [tf.Tensor4D, tf.Tensor1D], readonly [tf.Tensor4D, tf.Tensor1D], readonly [tf.Tensor2D, tf.Tensor1D]];
  const forward = (x: tf.Tensor): tf.Tensor => tf.tidy(() => {
    const h1 = tf.relu(tf.add(tf.conv2d(x as tf.Tensor4D, c1[0], 1, 'same'), c1[1]));
    const h2 = tf.relu(tf.add(tf.conv2d(h1 as tf.Tensor4D, c2[0], 1, 'same'), c2[1]));
    return tf.add(tf.matMul(tf.reshape(h2, [x.shape[0] as number, -1]), d[0]), d[1]);
  });
  return { forward, dispose: () => tf.dispose(weights.flat()) };
}

/**
 * The scores Captum sees for a reference model: the digits logits (the CNN through
 * {@link cnnFunction}), or the Adult probabilities `[1 − p, p]`.
 */
export function captumScores(name: ExplainModelName): { forward: (x: tf.Tensor) => tf.Tensor; dispose: () => void } {
  if (name === 'cnn') return cnnFunction();
  const model = explainModel(name);
  const forward = (x: tf.Tensor): tf.Tensor => tf.tidy(() => {
    const out = model.apply(x) as tf.Tensor;
    return name === 'adult' ? tf.concat([tf.sub(1, out), out], 1) : out;
  });
  return { forward, dispose: () => model.dispose() };
}

/** The target output of every row (`targets`: one class per row). */
export function targetOutput(forward: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, targets: tf.Tensor1D): tf.Tensor1D {
  const scores = forward(x);
  return tf.sum(tf.mul(scores, tf.oneHot(targets, scores.shape[1] as number)), 1);
}

/** One class per row of a batch of `copies` copies of each example. */
export function repeatedTargets(targets: readonly number[], copies: number): tf.Tensor1D {
  return tf.tensor1d(targets.flatMap((t) => new Array<number>(copies).fill(t)), 'int32');
}

/** Whether {@link plainExplanation} has the explanation of a case. */
export function hasPlainExplanation(kind: string, name: ExplainModelName): boolean {
  return kind === 'saliency_abs_false' || kind === 'input_x_gradient' || (kind === 'feature_ablation' && name === 'adult');
}

/**
 * Plain `tf.grad` explanations of the stored cases, for a fixed target per example (the
 * reference's `pred`, repeated for the perturbed copies as Captum expands `target`):
 * signed saliency, input × gradient, and feature ablation with baseline 0 (one feature at a time).
 */
export function plainExplanation(kind: string, forward: (x: tf.Tensor) => tf.Tensor, name: ExplainModelName, targets: readonly number[]): ExplanationFunction {
  const gradient = (x: tf.Tensor, copies: number): tf.Tensor => {
    const t = repeatedTargets(targets, copies);
    const g = tf.grad((xi: tf.Tensor) => tf.sum(targetOutput(forward, xi, t)))(x);
    t.dispose();
    return g;
  };
  if (kind === 'saliency_abs_false') return (x, { copies }) => gradient(x, copies);
  if (kind === 'input_x_gradient') return (x, { copies }) => tf.tidy(() => tf.mul(x, gradient(x, copies)));
  if (kind === 'feature_ablation' && name === 'adult') {
    return (x, { copies }) => tf.tidy(() => {
      const t = repeatedTargets(targets, copies);
      const f = exampleShape(name)[0] as number;
      const base = targetOutput(forward, x, t);
      const columns: tf.Tensor[] = [];
      for (let j = 0; j < f; j++) {
        const keep = tf.sub(1, tf.oneHot(tf.tensor1d([j], 'int32'), f));
        columns.push(tf.sub(base, targetOutput(forward, tf.mul(x, keep), t)));
      }
      return tf.stack(columns, 1);
    });
  }
  throw new Error(`no plain explanation ${kind} for ${name}`);
}

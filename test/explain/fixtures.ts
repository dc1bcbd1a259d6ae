/**
 * Captum reference fixtures for the explain tests (test/fixtures/explain, copied from
 * shared/reference/explain; NOTES.md there explains every convention) and the three reference
 * models built as tfjs-layers models.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect } from 'vitest';
import models from '../fixtures/robustness/models.json';
import adult from '../fixtures/explain/adult_model.json';
import type { LayerSpec } from '../helpers/referenceModels.js';
import mlpRef from '../fixtures/explain/attributions_mlp.json';
import cnnRef from '../fixtures/explain/attributions_cnn.json';
import adultRef from '../fixtures/explain/attributions_adult.json';

export type ExplainModelName = 'mlp' | 'cnn' | 'adult';


/**
 * The digits MLP or CNN of the robustness references. With `separateRelu` (the default, as the
 * torch models Captum ran: `nn.ReLU` modules after linear layers), each ReLU is its own
 * `Activation` layer named `<layer>_relu`, so `conv2` outputs the pre-ReLU map; without it, the
 * ReLU is fused into the Dense/Conv2D layer.
 */
export function digitsModel(name: 'mlp' | 'cnn', options: { separateRelu?: boolean } = {}): tfl.Sequential {
  const separate = options.separateRelu ?? true;
  const spec = (models as unknown as Record<string, { inputShape: number[]; layers: LayerSpec[] }>)[name]!;
  const model = tfl.sequential();
  spec.layers.forEach((l, i) => {
    const first = i === 0 ? { inputShape: spec.inputShape } : {};
    const relu = l.activation === 'relu';
    const activation = relu && !separate ? 'relu' : 'linear';
    if (l.type === 'dense') model.add(tfl.layers.dense({ units: l.units!, activation, name: l.name, ...first }));
    else if (l.type === 'conv2d') {
      model.add(tfl.layers.conv2d({ filters: l.filters!, kernelSize: l.kernelSize!, padding: 'same', activation, name: l.name, ...first }));
    } else if (l.type === 'flatten') model.add(tfl.layers.flatten({ name: l.name, ...first }));
    else throw new Error(`unknown layer ${l.type}`);
    if (relu && separate) model.add(tfl.layers.activation({ activation: 'relu', name: `${l.name}_relu` }));
  });
  for (const l of spec.layers) {
    if (l.kernel === undefined) continue;
    const w = [tf.tensor(l.kernel, l.kernelShape), tf.tensor(l.bias!, l.biasShape)];
    model.getLayer(l.name).setWeights(w);
    tf.dispose(w);
  }
  return model;
}

/** The Adult logistic regression: `Dense(1, 'sigmoid')`, probabilities `[1 - p, p]` as two classes. */
export function adultModel(): tfl.Sequential {
  const model = tfl.sequential();
  model.add(tfl.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [10], name: 'logistic' }));
  const w = [tf.tensor2d(adult.coef_float32, [10, 1]), tf.tensor1d([adult.intercept_float32])];
  model.getLayer('logistic').setWeights(w);
  tf.dispose(w);
  return model;
}

/** The model of a reference file by name. */
export function explainModel(name: ExplainModelName): tfl.Sequential {
  return name === 'adult' ? adultModel() : digitsModel(name);
}

interface RefFile {
  readonly inputs: { readonly x: unknown; readonly y_true: number[]; readonly y_pred: number[] };
  readonly meta: { readonly shap_baselines: { readonly x: unknown } } & Record<string, unknown>;
  readonly cases: Record<string, ReferenceCase>;
}

/** One stored Captum result. */
export interface ReferenceCase {
  readonly attr: unknown;
  readonly shape?: number[];
  readonly delta?: unknown;
  readonly settings?: Record<string, unknown>;
  readonly fragile?: number[];
  readonly [key: string]: unknown;
}

const files: Record<ExplainModelName, RefFile> = {
  mlp: mlpRef as unknown as RefFile,
  cnn: cnnRef as unknown as RefFile,
  adult: adultRef as unknown as RefFile,
};

/** Input shape of one example (tfjs layout: the CNN is NHWC [8, 8, 1]). */
export function exampleShape(name: ExplainModelName): number[] {
  return name === 'mlp' ? [64] : name === 'cnn' ? [8, 8, 1] : [10];
}

/** The 50 reference rows as a tensor in the model's layout. */
export function referenceInputs(name: ExplainModelName): tf.Tensor {
  return tf.tensor((files[name].inputs.x as number[][]).flat(3) as number[], [50, ...exampleShape(name)]);
}

/** Target classes of the reference rows. */
export function referenceTargets(name: ExplainModelName, which: 'pred' | 'true'): number[] {
  return which === 'pred' ? files[name].inputs.y_pred : files[name].inputs.y_true;
}

/** The ten SHAP baselines (digits train rows 0..9, or Adult train rows) in the model's layout. */
export function shapBaselines(name: ExplainModelName): tf.Tensor {
  const x = files[name].meta.shap_baselines.x as number[][];
  return tf.tensor(x.flat(3) as number[], [x.length, ...exampleShape(name)]);
}

/** A stored case, e.g. `referenceCase('mlp', 'mlp/pred/saliency/abs_true')`. */
export function referenceCase(name: ExplainModelName, key: string): ReferenceCase {
  const c = files[name].cases[key];
  if (c === undefined) throw new Error(`no reference case ${key}; have ${Object.keys(files[name].cases).join(', ')}`);
  return c;
}

/** Every stored case key of a model (for loops over the methods). */
export function referenceCaseKeys(name: ExplainModelName): string[] {
  return Object.keys(files[name].cases);
}

/** Flattens nested arrays of numbers. */
export function flat(values: unknown): number[] {
  return (values as unknown[]).flat(Infinity as 1) as number[];
}

/**
 * Element-wise comparison with the notes' tolerance `atol + rtol·|expected|` (gradient methods:
 * 1e-5 + 1e-4·|value|), skipping the rows listed as fragile. Reports the worst element.
 */
export function expectCloseToReference(actual: ArrayLike<number>, expected: unknown, options: { atol?: number; rtol?: number; rows?: number; skipRows?: readonly number[] } = {}): void {
  const exp = flat(expected);
  expect(actual.length).toBe(exp.length);
  const atol = options.atol ?? 1e-5;
  const rtol = options.rtol ?? 1e-4;
  const perRow = exp.length / (options.rows ?? 50);
  const skip = new Set(options.skipRows ?? []);
  let worst = { i: -1, excess: 0, a: 0, e: 0 };
  for (let i = 0; i < exp.length; i++) {
    if (skip.has(Math.floor(i / perRow))) continue;
    const a = actual[i] as number;
    const e = exp[i] as number;
    const excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (!(excess <= worst.excess) || Number.isNaN(a)) worst = { i, excess: Number.isNaN(a) ? Infinity : excess, a, e };
  }
  expect(worst.i, `element ${worst.i} (row ${Math.floor(worst.i / perRow)}): got ${worst.a}, Captum ${worst.e}`).toBe(-1);
}

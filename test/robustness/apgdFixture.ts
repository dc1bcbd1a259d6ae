/**
 * The torchattacks APGD reference (reference/robustness2/apgd.json) and the helpers the APGD tests
 * share: the 100 test rows, the stored float32 starts laid out as full batches, per-row results.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import ref from '../fixtures/robustness2/apgd.json';
import digits from '../fixtures/robustness/digits_test.json';
import { referenceInputShape, type ReferenceModelName } from './referenceModels.js';

export const N = 100;
export const D = 64;

export interface ApgdCase {
  readonly key: string;
  readonly model: ReferenceModelName;
  readonly attack: 'apgd_ce' | 'apgd_dlr' | 'apgdt';
  readonly eps: number;
  readonly steps: number;
  readonly start_seed0: string;
  readonly robust_acc_per_seed: number[];
  readonly seed0: {
    readonly adv: number[];
    readonly success: number[];
    readonly margin_f64: number[];
    readonly 'rows_near_boundary_abs_margin_below_1e-3': number[];
  };
}

export const cases: ApgdCase[] = Object.entries(ref.cases as unknown as Record<string, Omit<ApgdCase, 'key'>>)
  .map(([key, c]) => ({ key, ...c }));

export const labels100: number[] = digits.labels.slice(0, N);

/** Rows 0..n-1 of the test set in the model's input layout. */
export function inputs(name: ReferenceModelName, n = N): tf.Tensor {
  return tf.tensor(digits.x.slice(0, n * D), [n, ...referenceInputShape(name)]);
}

/** The stored seed-0 start of a case as a full batch: the attacked rows' start, x elsewhere. */
export function storedStart(c: ApgdCase): tf.Tensor {
  const s = (ref.starts_seed0 as unknown as Record<string, { start_rows: number[]; x0: number[] }>)[c.start_seed0]!;
  const flat = digits.x.slice(0, N * D);
  s.start_rows.forEach((row, j) => {
    for (let k = 0; k < D; k++) flat[row * D + k] = s.x0[j * D + k]!;
  });
  return tf.tensor(flat, [N, ...referenceInputShape(c.model)]);
}

/** The rows torchattacks attacked (clean-correct) for a case's model. */
export function attackedRows(c: ApgdCase): number[] {
  return (ref.starts_seed0 as unknown as Record<string, { start_rows: number[] }>)[c.start_seed0]!.start_rows;
}

/** Per row: the predicted class and the margin `logit[label] − max other` of the float32 model. */
export async function predictionsAndMargins(model: LayersModel, x: tf.Tensor, labels: readonly number[]): Promise<{ pred: number[]; margin: number[] }> {
  const logits = (await tf.tidy(() => model.predict(x) as tf.Tensor).array()) as number[][];
  const pred = logits.map((row) => row.indexOf(Math.max(...row)));
  const margin = logits.map((row, i) => {
    const t = labels[i]!;
    return row[t]! - Math.max(...row.filter((_, j) => j !== t));
  });
  return { pred, margin };
}

/** Largest |a − b| over row `i`'s D values. */
export function rowDifference(a: ArrayLike<number>, b: ArrayLike<number>, i: number): number {
  let d = 0;
  for (let k = i * D; k < (i + 1) * D; k++) d = Math.max(d, Math.abs((a[k] as number) - (b[k] as number)));
  return d;
}

/** Mean over the stored seeds of torchattacks' robust accuracy. */
export function referenceMeanRobustAccuracy(c: ApgdCase): number {
  return c.robust_acc_per_seed.reduce((s, v) => s + v, 0) / c.robust_acc_per_seed.length;
}

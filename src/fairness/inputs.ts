/**
 * Input types shared by the fairness functions, their validation, and the async adapter that
 * reads tfjs tensors into plain arrays.
 */
import { isTensor } from '../core/labels.js';
import type { Tensor } from '../core/tf.js';
import { invalid, sameLength } from '../core/validate.js';

/**
 * A column of numbers: a plain array or a typed array (read tensors first with {@link fromTensors}).
 */
export type NumberArray = ArrayLike<number>;

/**
 * One sensitive value (a group label): a string or a finite number.
 */
export type SensitiveValue = string | number;

/**
 * One sensitive feature: a value per row.
 */
export type SensitiveColumn = ArrayLike<SensitiveValue>;

/**
 * Sensitive features: one column, or an object of named columns whose value combinations form
 * intersectional groups (as Fairlearn's `sensitive_features` DataFrame).
 */
export type SensitiveFeatures = SensitiveColumn | Readonly<Record<string, SensitiveColumn>>;

/** True when `value` is one column (array or typed array) rather than an object of named columns. */
export function isColumn(value: unknown): value is SensitiveColumn {
  return Array.isArray(value) || ArrayBuffer.isView(value);
}

/**
 * Normalises sensitive features into named columns of length `n` (Fairlearn names one column
 * `sensitive_feature_0`). Errors name `argument` (and `argument.name` for a named column); the
 * length is `expectedName`'s, or without `n` the first column's.
 */
export function sensitiveColumns(
  fn: string, value: unknown, n: number | undefined, argument = 'sensitiveFeatures', expectedName = 'yTrue',
): { names: string[]; columns: SensitiveColumn[] } {
  if (isTensor(value)) invalid(fn, argument, value, 'an array or an object of arrays', 'Read tensors first: await fromTensors({...})');
  if (isColumn(value)) {
    if (n !== undefined) sameLength(fn, argument, value.length, n, expectedName);
    return { names: ['sensitive_feature_0'], columns: [value] };
  }
  if (typeof value !== 'object' || value === null) {
    invalid(fn, argument, value, 'an array of group labels or an object of named arrays');
  }
  const names = Object.keys(value);
  if (names.length === 0) invalid(fn, argument, value, 'an object with at least one named column');
  let length = n;
  let lengthName = expectedName;
  const columns = names.map((name) => {
    const col = (value as Record<string, unknown>)[name];
    if (!isColumn(col)) invalid(fn, `${argument}.${name}`, col, 'an array of group labels');
    if (length === undefined) {
      length = col.length;
      lengthName = `${argument}.${name}`;
    } else sameLength(fn, `${argument}.${name}`, col.length, length, lengthName);
    return col;
  });
  return { names, columns };
}

/**
 * Checks a numeric column: an array-like of finite numbers of the expected length. With
 * `elements: false` only the container and length are checked (for callers that check every
 * element more strictly afterwards, e.g. {@link binaryColumn}).
 */
export function numberColumn(fn: string, argument: string, value: unknown, n?: number, expectedName = 'yTrue', elements = true): NumberArray {
  if (isTensor(value)) invalid(fn, argument, value, 'an array or typed array', 'Read tensors first: await fromTensors({...})');
  if (!isColumn(value)) invalid(fn, argument, value, 'an array or typed array of numbers');
  if (n !== undefined) sameLength(fn, argument, value.length, n, expectedName);
  const col = value as ArrayLike<unknown>;
  if (!elements || value instanceof Int32Array || value instanceof Uint8Array || value instanceof Int8Array || value instanceof Uint16Array || value instanceof Int16Array || value instanceof Uint32Array) {
    return col as NumberArray;
  }
  for (let i = 0; i < col.length; i++) {
    const v = col[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) invalid(fn, `${argument}[${i}]`, v, 'a finite number');
  }
  return col as NumberArray;
}

/** Checks that every value is 0 or 1 (Fairlearn's `pos_label=1` binary metrics). */
export function binaryColumn(fn: string, argument: string, value: NumberArray): void {
  for (let i = 0; i < value.length; i++) {
    const v = value[i];
    if (v !== 0 && v !== 1) {
      if (typeof v !== 'number' || !Number.isFinite(v)) invalid(fn, `${argument}[${i}]`, v, 'a finite number');
      invalid(fn, `${argument}[${i}]`, v, 'a binary label 0 or 1');
    }
  }
}

/** Checks optional sample weights: finite numbers >= 0 of length `n`. */
export function weightColumn(fn: string, value: unknown, n: number): NumberArray | undefined {
  if (value === undefined) return undefined;
  const w = numberColumn(fn, 'sampleWeight', value, n);
  for (let i = 0; i < w.length; i++) if ((w[i] as number) < 0) invalid(fn, `sampleWeight[${i}]`, w[i], 'a finite number >= 0');
  return w;
}

/** Checks that a column is not empty (Fairlearn raises on empty input). */
export function nonEmpty(fn: string, argument: string, n: number): void {
  if (n === 0) invalid(fn, argument, 'an empty array', 'a non-empty array');
}

/**
 * The type {@link fromTensors} returns: every tensor field (and every tensor inside a
 * `sensitiveFeatures` object) replaced by its values.
 *
 * @example
 * ```ts
 * type R = FromTensors<{ yPred: Tensor; k: number }>; // { yPred: Float32Array | Int32Array | ...; k: number }
 * ```
 */
export type FromTensors<T> = {
  [K in keyof T]: T[K] extends Tensor
    ? NumberArray & SensitiveColumn
    : T[K] extends Readonly<Record<string, Tensor | SensitiveColumn>>
      ? T[K] extends ArrayLike<unknown> ? T[K] : { [F in keyof T[K]]: SensitiveColumn }
      : T[K];
};

async function read(t: Tensor): Promise<NumberArray & SensitiveColumn> {
  if (t.rank > 1 && !(t.rank === 2 && t.shape[1] === 1)) {
    invalid('fromTensors', 'tensor', t, 'a 1-D tensor (or a [n, 1] column)');
  }
  if (t.dtype === 'string') return (await t.data()) as unknown as string[] as unknown as NumberArray & SensitiveColumn;
  return (await t.data()) as unknown as NumberArray & SensitiveColumn;
}

/**
 * Reads every tfjs tensor in an options object (top-level fields and the columns of a
 * `sensitiveFeatures` object) with `await tensor.data()`, so that the synchronous fairness
 * functions can take them. Tensors are not disposed: the caller still owns them. Non-tensor fields
 * pass through unchanged.
 *
 * @returns A copy of `options` with typed arrays in place of tensors.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { fromTensors, metricFrame, selectionRate } from 'responsible-tfjs/fairness';
 * const inputs = await fromTensors({ yTrue: tf.tensor1d([1, 0, 1]), yPred: tf.tensor1d([1, 1, 0]),
 *   sensitiveFeatures: tf.tensor1d([0, 1, 1], 'int32') });
 * const frame = metricFrame({ metrics: { selectionRate }, ...inputs });
 * ```
 */
export async function fromTensors<T extends object>(options: T): Promise<FromTensors<T>> {
  if (typeof options !== 'object' || options === null) invalid('fromTensors', 'options', options, 'an options object');
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (isTensor(value)) out[key] = await read(value);
    else if (key === 'sensitiveFeatures' && typeof value === 'object' && value !== null && !isColumn(value)) {
      const cols: Record<string, unknown> = {};
      for (const [name, col] of Object.entries(value as Record<string, unknown>)) cols[name] = isTensor(col) ? await read(col) : col;
      out[key] = cols;
    } else out[key] = value;
  }
  return out as FromTensors<T>;
}

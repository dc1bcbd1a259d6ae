/**
 * Feature masks of the perturbation methods (internal): which input elements are switched
 * together. A mask holds one integer id per element; the elements sharing an id form one feature
 * (a "player" for the Shapley methods).
 */
import { isTensor } from '../../core/labels.js';
import { tensorArgument } from '../../core/tensorArgument.js';
import type { Tensor } from '../../core/tf.js';
import { invalid } from '../../core/validate.js';

/** Feature ids as (nested) arrays of numbers in row-major order, e.g. `[[0, 0], [1, 1]]`. */
export type FeatureIdArray = readonly (number | FeatureIdArray)[];

/**
 * Groups input elements into features: one integer id per element, elements with the same id are
 * perturbed together. Either one example's mask (the input's shape without the batch axis, or
 * with a batch axis of 1), used for every example, or one mask per example (the input's shape).
 * A tensor (int32, or float32 holding integers), a typed array or (nested) arrays of numbers in
 * row-major order. Ids are any integers; they need not be contiguous.
 */
export type FeatureMask = Tensor | Int32Array | FeatureIdArray;

/** A validated mask: the distinct ids (the features) and the feature of every element. */
export interface ResolvedMask {
  /** Distinct ids, ascending; feature `j` is the group of elements whose id is `ids[j]`. */
  readonly ids: readonly number[];
  /** Feature index (into `ids`) of every element, `[featureSize]` or `[batch·featureSize]`. */
  readonly featureOf: Int32Array;
  /** Whether `featureOf` holds one mask per example. */
  readonly perExample: boolean;
}

/** Number of features (players) of a resolved mask. */
export function featureCount(mask: ResolvedMask): number {
  return mask.ids.length;
}

/** Offset of example `i`'s row of `featureOf`. */
export function maskOffset(mask: ResolvedMask, example: number, featureSize: number): number {
  return mask.perExample ? example * featureSize : 0;
}

/** The default mask: every element is its own feature (ids 0..featureSize-1). */
export function elementMask(featureSize: number): ResolvedMask {
  const featureOf = new Int32Array(featureSize);
  for (let e = 0; e < featureSize; e++) featureOf[e] = e;
  return { ids: Array.from(featureOf), featureOf, perExample: false };
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Validates `mask` against the batch `x` (`[batch, ...features]`) and returns the features.
 * `undefined` gives one feature per element. Refuses a shape that is neither one example's nor
 * the batch's, and ids that are not integers (safe integers, as JS numbers).
 */
export async function resolveFeatureMask(fn: string, argument: string, mask: unknown, x: Tensor): Promise<ResolvedMask> {
  const batch = x.shape[0] as number;
  const featureSize = x.size / batch;
  if (mask === undefined) return elementMask(featureSize);
  const one = x.shape.slice(1);
  const allowed = `integer feature ids of shape ${shapeText(one)} (one mask for every example) or ${shapeText(x.shape)} (one per example)`;
  let values: ArrayLike<number>;
  if (isTensor(mask)) {
    const t = tensorArgument(fn, argument, mask);
    const shapeOk = sameShape(t.shape, one) || sameShape(t.shape, [1, ...one]) || sameShape(t.shape, x.shape);
    if (!shapeOk) invalid(fn, argument, `a tensor of shape ${shapeText(t.shape)}`, allowed);
    if (t.dtype !== 'int32' && t.dtype !== 'float32') invalid(fn, argument, `a ${t.dtype} tensor`, `an int32 (or float32) tensor of ${allowed}`);
    values = (await t.data()) as ArrayLike<number>;
  } else if (Array.isArray(mask)) {
    values = (mask as unknown[]).flat(Infinity as 1) as number[];
  } else if (ArrayBuffer.isView(mask) && !(mask instanceof DataView)) {
    values = mask as unknown as ArrayLike<number>;
  } else {
    return invalid(fn, argument, mask, `a tensor or an array of ${allowed}`);
  }
  if (values.length !== featureSize && values.length !== batch * featureSize) {
    invalid(fn, argument, `${values.length} ids`, `${allowed}: ${featureSize} or ${batch * featureSize} ids`);
  }
  const distinct = new Set<number>();
  for (let e = 0; e < values.length; e++) {
    const v = values[e];
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) invalid(fn, `${argument}[${e}]`, v, 'an integer feature id');
    distinct.add(v);
  }
  const ids = [...distinct].sort((a, b) => a - b);
  const index = new Map<number, number>();
  ids.forEach((id, j) => index.set(id, j));
  const featureOf = new Int32Array(values.length);
  for (let e = 0; e < values.length; e++) featureOf[e] = index.get(values[e] as number) as number;
  return { ids, featureOf, perExample: values.length !== featureSize };
}

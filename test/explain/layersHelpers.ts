/**
 * Helpers of the tests of the layer methods (DeepLift, DeepLift SHAP, guided backpropagation,
 * deconvolution, Grad-CAM): rejected promises with a typed error, a check that a model is left as
 * it was, and small models built from explicit weights.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect } from 'vitest';
import { InvalidArgumentError } from '../../src/core/errors.js';

/** Asserts that `promise` rejects with an InvalidArgumentError naming `fn` and `argument`. */
export async function expectRejectsInvalid(promise: Promise<unknown>, fn: string, argument: string, message: RegExp): Promise<void> {
  let error: unknown;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  expect(error, argument).toBeInstanceOf(InvalidArgumentError);
  expect([(error as InvalidArgumentError).fn, (error as InvalidArgumentError).argument]).toEqual([fn, argument]);
  expect((error as Error).message).toMatch(message);
}

type AnyLayer = tfl.LayersModel['layers'][number];

function everyLayer(model: tfl.LayersModel): AnyLayer[] {
  const out: AnyLayer[] = [];
  const visit = (l: AnyLayer): void => {
    if (out.includes(l)) return;
    out.push(l);
    const inner = l as unknown as { layers?: AnyLayer[]; layer?: AnyLayer };
    if (Array.isArray(inner.layers)) inner.layers.forEach(visit);
    if (inner.layer !== undefined) visit(inner.layer);
  };
  model.layers.forEach(visit);
  return out;
}

/**
 * Records every layer's activation object and whether it has an own `call`, and the model's
 * outputs on `x`; `expectUnchanged()` asserts that all are as recorded (same objects, same
 * outputs to the last bit).
 */
export function snapshotModel(model: tfl.LayersModel, x: tf.Tensor): { expectUnchanged: () => void; dispose: () => void } {
  const layers = everyLayer(model);
  const state = layers.map((l) => ({
    activation: (l as unknown as { activation?: unknown }).activation,
    ownCall: Object.prototype.hasOwnProperty.call(l, 'call'),
  }));
  const before = model.predict(x) as tf.Tensor;
  return {
    expectUnchanged: () => {
      layers.forEach((l, i) => {
        expect((l as unknown as { activation?: unknown }).activation, `${l.name}.activation`).toBe(state[i]!.activation);
        expect(Object.prototype.hasOwnProperty.call(l, 'call'), `${l.name} has its own call`).toBe(state[i]!.ownCall);
      });
      const after = model.predict(x) as tf.Tensor;
      expect(Array.from(after.dataSync())).toEqual(Array.from(before.dataSync()));
      after.dispose();
    },
    dispose: () => before.dispose(),
  };
}

/** A deterministic pseudo-random array in [-scale, scale) (a small LCG: tests need no statistics). */
export function fixedValues(n: number, seed: number, scale = 1): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32 * 2 - 1) * scale;
  });
}

/** Sets every weight of the model to fixed pseudo-random values of the given scale. */
export function setFixedWeights(model: tfl.LayersModel, seed: number, scale = 0.5): void {
  const weights = model.getWeights();
  const fresh = weights.map((w, i) => tf.tensor(fixedValues(w.size, seed + 17 * i, scale), w.shape));
  model.setWeights(fresh);
  tf.dispose(fresh);
}

/** A layer that throws when it sees more rows than `maxRows` (to make a computation fail inside the model). */
export class ThrowOnLargeBatch extends tfl.layers.Layer {
  static readonly className = 'ThrowOnLargeBatch';
  constructor(private readonly maxRows: number) {
    super({});
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    if ((x.shape[0] as number) > this.maxRows) throw new Error(`ThrowOnLargeBatch: ${x.shape[0]} rows`);
    return tf.clone(x);
  }
}

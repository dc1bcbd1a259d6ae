import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { AbortedError, InvalidArgumentError } from '../../src/core/errors.js';
import { measureInference } from '../../src/sustainability/measure/index.js';
import { sortedQuantile, summarizeLatencies } from '../../src/sustainability/measure/percentiles.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';

/** Asserts that a promise rejects with an InvalidArgumentError naming `fn` and `argument`. */
async function expectRejectsInvalid(call: () => Promise<unknown>, argument: string, message: RegExp): Promise<void> {
  const error = await call().then(() => undefined, (e: unknown) => e);
  expect(error, argument).toBeInstanceOf(InvalidArgumentError);
  expect([(error as InvalidArgumentError).fn, (error as InvalidArgumentError).argument]).toEqual(['measureInference', argument]);
  expect((error as Error).message).toMatch(message);
}

describe('latency percentiles (Hyndman & Fan definition 7)', () => {
  it('matches hand-derived values on 1..10: h = (n - 1) q', () => {
    const xs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(sortedQuantile(xs, 0.5)).toBeCloseTo(5.5, 12); // h = 4.5
    expect(sortedQuantile(xs, 0.1)).toBeCloseTo(1.9, 12); // h = 0.9
    expect(sortedQuantile(xs, 0.9)).toBeCloseTo(9.1, 12); // h = 8.1
    expect(sortedQuantile(xs, 0)).toBe(1);
    expect(sortedQuantile(xs, 1)).toBe(10);
  });

  it('summarises unsorted runs, keeps run order, and adds p99 only from 100 runs', () => {
    const s = summarizeLatencies([3, 1, 2]);
    expect(s).toEqual({ median: 2, p10: 1.2, p90: 2.8, mean: 2, min: 1, max: 3, runs: [3, 1, 2] });
    const hundred = summarizeLatencies(Array.from({ length: 100 }, (_, i) => 100 - i));
    expect(hundred.p99).toBeCloseTo(99.01, 10); // h = 99 * 0.99 = 98.01 on 1..100
    expect(hundred.median).toBeCloseTo(50.5, 12);
  });
});

describeBackends('measureInference', (backend) => {
  const dense = (): tfl.LayersModel => tfl.sequential({ layers: [tfl.layers.dense({ units: 4, inputShape: [3], activation: 'relu' })] });

  it('reports ordered percentiles, the run count, throughput at the median and the backend', async () => {
    const model = dense();
    const x = tf.ones([5, 3]);
    const m = await measureInference(model, x, { warmup: 1, runs: 7 });
    const l = m.latencyMs;
    expect(l.runs).toHaveLength(7);
    expect(l.p99).toBeUndefined();
    expect(l.min).toBeLessThanOrEqual(l.p10);
    expect(l.p10).toBeLessThanOrEqual(l.median);
    expect(l.median).toBeLessThanOrEqual(l.p90);
    expect(l.p90).toBeLessThanOrEqual(l.max);
    expect(l.mean).toBeGreaterThanOrEqual(l.min);
    expect(l.mean).toBeLessThanOrEqual(l.max);
    expect(l.min).toBeGreaterThanOrEqual(0);
    expect(m.batchSize).toBe(5);
    expect(m.throughputPerSecond).toBeCloseTo(5 / (l.median / 1000), 6);
    expect(m.backend).toBe(backend);
    expect(x.isDisposed).toBe(false);
    x.dispose();
    model.dispose();
  });

  it('reports kernel times and the memory peak from tf.profile (cpu and wasm time every kernel)', async () => {
    const model = dense();
    const x = tf.ones([2, 3]);
    const m = await measureInference(model, x, { warmup: 1, runs: 2 });
    expect(m.kernelTimesUnavailable).toBeUndefined();
    expect(m.kernels!.length).toBeGreaterThan(0);
    expect(m.kernels!.some((k) => /MatMul/.test(k.name))).toBe(true);
    for (const k of m.kernels!) {
      expect(k.count).toBeGreaterThanOrEqual(1);
      expect(k.totalMs).toBeGreaterThanOrEqual(0);
    }
    const sorted = [...m.kernels!].sort((a, b) => b.totalMs - a.totalMs);
    expect(m.kernels).toEqual(sorted);
    // The peak includes the weights (3x4 + 4 floats) and the input (2x3 floats); the call adds at least its 2x4 output.
    expect(m.peakBytes!).toBeGreaterThanOrEqual((12 + 4 + 6 + 8) * 4);
    expect(m.peakBytesAdded!).toBeGreaterThanOrEqual(8 * 4);
    expect(m.newTensors).toBe(0);
    x.dispose();
    model.dispose();
  });

  it('leaves no tensors behind (model, function model, identity)', async () => {
    const model = dense();
    const w = tf.ones([3, 2]);
    const x = tf.ones([4, 3]);
    await expectNoLeaks(() => measureInference(model, x, { warmup: 0, runs: 2 }));
    // relu(matMul) without tidy leaks the matMul result: counted, yet disposed by measureInference.
    const leaky = await expectNoLeaks(() => measureInference((t) => tf.relu(tf.matMul(t, w)), x, { warmup: 1, runs: 2, profile: false }));
    expect(leaky.newTensors).toBe(1);
    const identity = await measureInference((t) => t, x, { warmup: 1, runs: 2 });
    expect(identity.newTensors).toBe(0);
    expect(x.isDisposed).toBe(false);
    // A model returning a tensor it holds: the tensor is neither counted nor disposed.
    const held = await expectNoLeaks(() => measureInference(() => w, x, { warmup: 1, runs: 2 }));
    expect(held.newTensors).toBe(0);
    expect(w.isDisposed).toBe(false);
    tf.dispose([w, x]);
    model.dispose();
  });

  it('counts the tensors a leaking model leaves behind, and disposes them', async () => {
    const x = tf.ones([2, 3]);
    const leaked: tf.Tensor[] = [];
    const leaky = (t: tf.Tensor): tf.Tensor => {
      leaked.push(tf.add(t, 1)); // never disposed by the model
      return tf.mul(t, 2);
    };
    const m = await measureInference(leaky, x, { warmup: 1, runs: 3 });
    expect(m.newTensors).toBe(1);
    expect(leaked).toHaveLength(1 + 3 + 1); // warmup, runs, the profiled call
    expect(leaked.every((t) => t.isDisposed)).toBe(true); // every call ran inside tidy
    x.dispose();
  });

  it('without profile, reports no kernels or peak, but still the leak count', async () => {
    const x = tf.ones([2, 3]);
    const m = await measureInference((t) => tf.mul(t, 2), x, { runs: 2, profile: false });
    expect(m.kernels).toBeUndefined();
    expect(m.peakBytes).toBeUndefined();
    expect(m.newTensors).toBe(0);
    x.dispose();
  });

  it('stops on an aborted signal', async () => {
    const x = tf.ones([2, 3]);
    const controller = new AbortController();
    controller.abort('enough');
    await expect(measureInference((t) => tf.mul(t, 2), x, { signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
    x.dispose();
  });

  it('throws typed errors for bad input', async () => {
    const x = tf.ones([2, 3]);
    const f = (t: tf.Tensor): tf.Tensor => tf.mul(t, 2);
    await expectRejectsInvalid(() => measureInference(f, x, { runs: 0 }), 'options.runs', /integer >= 1/);
    await expectRejectsInvalid(() => measureInference(f, x, { runs: 1.5 }), 'options.runs', /integer >= 1/);
    await expectRejectsInvalid(() => measureInference(f, x, { warmup: -1 }), 'options.warmup', /integer >= 0/);
    await expectRejectsInvalid(() => measureInference(f, x, { profile: 'yes' as unknown as boolean }), 'options.profile', /true or false/);
    await expectRejectsInvalid(() => measureInference(f, [[1, 2, 3]] as unknown as tf.Tensor), 'input', /tf\.Tensor/);
    const scalar = tf.scalar(1);
    await expectRejectsInvalid(() => measureInference(f, scalar), 'input', /rank >= 1/);
    const empty = tf.zeros([0, 3]);
    await expectRejectsInvalid(() => measureInference(f, empty), 'input', /at least one example/);
    await expectRejectsInvalid(() => measureInference({} as unknown as tf.Tensor as never, x), 'model', /LayersModel or a function/);
    await expectRejectsInvalid(() => measureInference((() => [1]) as unknown as typeof f, x, { warmup: 0, runs: 1 }), 'model', /returning one tf\.Tensor/);
    tf.dispose([x, scalar, empty]);
  });
});

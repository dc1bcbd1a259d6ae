/**
 * Bad input to the perturbation methods: typed errors naming the argument, no tensor left behind
 * on any error path, and an AbortSignal that stops a long run between forward calls.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { AbortedError, InvalidArgumentError } from '../../src/core/errors.js';
import { seededRng } from '../../src/core/rng.js';
import { featureAblation, kernelShap, lime, occlusion, shapleyValues } from '../../src/explain/index.js';
import { describeBackends } from '../helpers/backends.js';
import { digitsModel, referenceInputs } from './fixtures.js';

/** Awaits `call`, expects an InvalidArgumentError naming `fn` and `argument`, and no leak. */
async function expectRejected(call: () => Promise<unknown>, fn: string, argument: string, message: RegExp): Promise<void> {
  const before = tf.memory().numTensors;
  const error = await call().then(() => undefined, (e: unknown) => e);
  expect(error, argument).toBeInstanceOf(InvalidArgumentError);
  expect([(error as InvalidArgumentError).fn, (error as InvalidArgumentError).argument]).toEqual([fn, argument]);
  expect((error as Error).message).toMatch(message);
  expect(tf.memory().numTensors, `tensors left by the rejected ${fn} call`).toBe(before);
}

/** The first `n` reference rows. */
function firstRows(name: 'mlp' | 'cnn', n: number): tf.Tensor {
  const all = referenceInputs(name);
  const x = tf.slice(all, 0, n);
  all.dispose();
  return x;
}

describeBackends('perturbation methods: bad input', () => {
  it('occlusion names options.window and options.strides', async () => {
    const model = digitsModel('cnn');
    const x = firstRows('cnn', 3);
    await expectRejected(() => occlusion(model, x, {} as never), 'occlusion', 'options.window', /array of 3 positive integers/);
    await expectRejected(() => occlusion(model, x, { window: [2, 2] }), 'occlusion', 'options.window', /array of 3 positive integers/);
    await expectRejected(() => occlusion(model, x, { window: [2, 0, 1] }), 'occlusion', 'options.window', /positive integers/);
    await expectRejected(() => occlusion(model, x, { window: [9, 2, 1] }), 'occlusion', 'options.window', /no larger than the input's example shape \[8, 8, 1\]/);
    await expectRejected(() => occlusion(model, x, { window: [2, 2, 1], strides: [3, 1, 1] }), 'occlusion', 'options.strides', /no larger than the window/);
    await expectRejected(() => occlusion(model, x, { window: [2, 2, 1], strides: 0 }), 'occlusion', 'options.strides', /positive integer/);
    await expectRejected(() => occlusion(model, x, { window: [2, 2, 1], strides: [1, 1] }), 'occlusion', 'options.strides', /positive integer/);
    await expectRejected(() => occlusion(model, x, { window: [2, 2, 1], internalBatchSize: 0 }), 'occlusion', 'options.internalBatchSize', /integer >= 1/);
    const flatBaseline = tf.zeros([8, 8]);
    await expectRejected(() => occlusion(model, x, { window: [2, 2, 1], baseline: flatBaseline }), 'occlusion', 'options.baseline', /\[8, 8, 1\]/);
    flatBaseline.dispose();
    await expectRejected(() => occlusion(model, x, { window: [2, 2, 1], target: [0, 1, 10] }), 'occlusion', 'options.target[2]', /\[0, 10\)/);
    await expectRejected(() => occlusion(model, 'x' as never, { window: [2, 2, 1] }), 'occlusion', 'x', /tf\.Tensor/);
    tf.dispose(x);
    model.dispose();
  });

  it('feature masks: shape, integer ids, dtype; exact Shapley values refuse more than 16 players', async () => {
    const model = digitsModel('mlp');
    const x = firstRows('mlp', 2);
    const fns = [featureAblation, shapleyValues, kernelShap, lime] as const;
    const square = tf.zeros([8, 8], 'int32');
    const bool = tf.zeros([64], 'bool');
    for (const f of fns) {
      const name = f.name;
      await expectRejected(() => f(model, x, { featureMask: [0, 1, 2] }), name, 'options.featureMask', /64 or 128 ids/);
      await expectRejected(() => f(model, x, { featureMask: square }), name, 'options.featureMask', /shape \[64\].*or \[2, 64\]/);
      await expectRejected(() => f(model, x, { featureMask: bool }), name, 'options.featureMask', /int32/);
      await expectRejected(() => f(model, x, { featureMask: new Array(64).fill(0).map((_, e) => (e === 5 ? 0.5 : 0)) }), name, 'options.featureMask[5]', /integer feature id/);
    }
    const many = Array.from({ length: 64 }, (_, e) => e % 17);
    await expectRejected(() => shapleyValues(model, x, { featureMask: many }), 'shapleyValues', 'options.featureMask', /at most 16 features.*kernelShap/);
    await expectRejected(() => shapleyValues(model, x), 'shapleyValues', 'options.featureMask', /at most 16 features/);
    tf.dispose([x, square, bool]);
    model.dispose();
  });

  it('kernelShap and lime options', async () => {
    const model = digitsModel('mlp');
    const x = firstRows('mlp', 2);
    await expectRejected(() => kernelShap(model, x, { samples: 0 }), 'kernelShap', 'options.samples', /integer >= 1/);
    await expectRejected(() => kernelShap(model, x, { rng: Math.random as never }), 'kernelShap', 'options.rng', /Rng/);
    await expectRejected(() => lime(model, x, { samples: 2.5 }), 'lime', 'options.samples', /integer >= 1/);
    await expectRejected(() => lime(model, x, { kernelWidth: 0 }), 'lime', 'options.kernelWidth', /> 0/);
    await expectRejected(() => lime(model, x, { alpha: -1 }), 'lime', 'options.alpha', />= 0/);
    await expectRejected(() => lime(model, x, { distance: 'manhattan' as never }), 'lime', 'options.distance', /cosine/);
    tf.dispose(x);
    model.dispose();
  });

  it('a model error leaves no tensor behind', async () => {
    const x = tf.ones([3, 4]);
    const w = tf.ones([4, 2]);
    let calls = 0;
    let limit = 0;
    const failing = (t: tf.Tensor): tf.Tensor => {
      if (++calls > limit) throw new Error('model failed');
      return tf.matMul(t, w);
    };
    const before = tf.memory().numTensors;
    // Past the set-up call (and occlusion's unperturbed call), the first batch of perturbed rows fails.
    for (const [run, okCalls] of [[() => occlusion(failing, x, { window: [2] }), 2], [() => kernelShap(failing, x, { samples: 10, rng: seededRng(0) }), 1]] as const) {
      calls = 0;
      limit = okCalls;
      await expect(run()).rejects.toThrow('model failed');
      expect(calls).toBe(okCalls + 1);
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, w]);
  });

  it('stops on an aborted signal between forward calls, leaving nothing behind', async () => {
    const model = digitsModel('mlp');
    const x = referenceInputs('mlp');
    const aborted = AbortSignal.abort('stop');
    const early = await occlusion(model, x, { window: [4], signal: aborted }).then(() => undefined, (e: unknown) => e);
    expect(early).toBeInstanceOf(AbortedError);
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    let calls = 0;
    const counted = (t: tf.Tensor): tf.Tensor => {
      if (++calls === 5) controller.abort('stop');
      return model.predict(t) as tf.Tensor;
    };
    const error = await kernelShap(counted, x, { samples: 200, internalBatchSize: 100, signal: controller.signal, rng: seededRng(0) })
      .then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(AbortedError);
    expect((error as AbortedError).fn).toBe('kernelShap');
    expect(calls, 'stopped at the next forward call').toBe(5);
    expect(tf.memory().numTensors).toBe(before);
    await expectRejected(() => occlusion(model, x, { window: [4], signal: {} as never }), 'occlusion', 'options.signal', /AbortSignal/);
    tf.dispose(x);
    model.dispose();
  });
});

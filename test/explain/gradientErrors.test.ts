/**
 * Bad input to the gradient methods: typed errors naming the argument, the value and what is
 * allowed, nothing left behind on the error paths (validation, a model failing mid-gradient, an
 * abort), and no leaks on success.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { AbortedError, InvalidArgumentError, seededRng } from '../../src/core/index.js';
import {
  gradientShap, integratedGradients, inputXGradient, noiseTunnel, saliency, type AttributionMethod,
} from '../../src/explain/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';
import { adultModel, digitsModel } from './fixtures.js';

/** Awaits the rejection of `call`: an InvalidArgumentError of `fn` naming `argument`, its message matching `message`. */
async function expectInvalid(call: () => Promise<unknown>, fn: string, argument: string, message: RegExp): Promise<void> {
  const error = await call().then(() => undefined, (e: unknown) => e);
  expect(error, `${fn} ${argument}`).toBeInstanceOf(InvalidArgumentError);
  expect([(error as InvalidArgumentError).fn, (error as InvalidArgumentError).argument]).toEqual([fn, argument]);
  expect((error as Error).message).toMatch(message);
}

describeBackends('gradient methods: bad input, leaks, aborts', () => {
  it('bad targets: wrong shape, wrong length, out of range, not integers (every method)', async () => {
    const mlp = digitsModel('mlp', { separateRelu: false });
    const x = tf.randomUniform([4, 64], 0, 1, 'float32', 1);
    const set = tf.zeros([3, 64]);
    const calls: [string, (target: unknown) => Promise<unknown>][] = [
      ['saliency', (target) => saliency(mlp, x, { target } as never)],
      ['inputXGradient', (target) => inputXGradient(mlp, x, { target } as never)],
      ['integratedGradients', (target) => integratedGradients(mlp, x, { target, steps: 2 } as never)],
      ['gradientShap', (target) => gradientShap(mlp, x, { target, baselines: set } as never)],
      ['noiseTunnel', (target) => noiseTunnel(saliency, mlp, x, { target } as never)],
    ];
    const matrix = tf.zeros([4, 10], 'int32');
    const before = tf.memory().numTensors;
    for (const [fn, call] of calls) {
      await expectInvalid(() => call(matrix), fn, 'options.target', /one class index per example/);
      await expectInvalid(() => call([1, 2, 3]), fn, 'options.target', /one class index per example \(4\)/);
      await expectInvalid(() => call([1, 2, 3, 10]), fn, 'options.target[3]', /integer class index in \[0, 10\)/);
      await expectInvalid(() => call([1, 2.5, 3, 0]), fn, 'options.target[1]', /integer class index/);
      await expectInvalid(() => call('all'), fn, 'options.target', /'predicted'/);
    }
    expect(tf.memory().numTensors).toBe(before);
    // A single-unit model has two classes.
    const adult = adultModel();
    const people = tf.zeros([2, 10]);
    await expectInvalid(() => integratedGradients(adult, people, { target: [1, 2] }), 'integratedGradients', 'options.target[1]', /\[0, 2\)/);
    tf.dispose([x, set, matrix, people]);
    mlp.dispose();
    adult.dispose();
  });

  it('bad options: steps, method, internalBatchSize, baselines, abs, samples, stdevs, type, method functions', async () => {
    const mlp = digitsModel('mlp', { separateRelu: false });
    const x = tf.randomUniform([4, 64], 0, 1, 'float32', 2);
    const before = tf.memory().numTensors;
    const ig = 'integratedGradients';
    await expectInvalid(() => integratedGradients(mlp, x, { steps: 0 }), ig, 'options.steps', /an integer >= 1, got 0/);
    await expectInvalid(() => integratedGradients(mlp, x, { steps: 2.5 }), ig, 'options.steps', /an integer >= 1/);
    await expectInvalid(() => integratedGradients(mlp, x, { steps: 1, method: 'riemannLeft' }), ig, 'options.steps', /an integer >= 2 for 'riemannLeft'/);
    await expectInvalid(() => integratedGradients(mlp, x, { method: 'simpson' as never }), ig, 'options.method', /one of "riemannLeft"/);
    await expectInvalid(() => integratedGradients(mlp, x, { internalBatchSize: 0 }), ig, 'options.internalBatchSize', /an integer >= 1/);
    await expectInvalid(() => integratedGradients(mlp, x, { returnConvergenceDelta: 'yes' as never }), ig, 'options.returnConvergenceDelta', /true or false/);
    await expectInvalid(() => integratedGradients(mlp, x, { signal: {} as never }), ig, 'options.signal', /AbortSignal/);
    // Baselines: a wrong example shape, a wrong batch, not finite, not a tensor or number.
    const wrong = [tf.zeros([63]), tf.zeros([3, 64]), tf.zeros([4, 8, 8]), tf.fill([64], NaN), tf.zeros([64]), tf.zeros([0, 64])];
    await expectInvalid(() => integratedGradients(mlp, x, { baselines: wrong[0] }), ig, 'options.baselines', /shape \[64\] \(one baseline\) or \[4, 64\]/);
    await expectInvalid(() => integratedGradients(mlp, x, { baselines: wrong[1] }), ig, 'options.baselines', /a tensor of shape \[3, 64\]/);
    await expectInvalid(() => integratedGradients(mlp, x, { baselines: wrong[2] }), ig, 'options.baselines', /\[4, 64\]/);
    await expectInvalid(() => integratedGradients(mlp, x, { baselines: wrong[3] }), ig, 'options.baselines', /finite/);
    await expectInvalid(() => integratedGradients(mlp, x, { baselines: Infinity }), ig, 'options.baselines', /finite number/);
    await expectInvalid(() => integratedGradients(mlp, x, { baselines: [0, 1] as never }), ig, 'options.baselines', /a number or a tensor/);
    await expectInvalid(() => saliency(mlp, x, { abs: 1 as never }), 'saliency', 'options.abs', /true or false/);
    await expectInvalid(() => saliency(mlp, x, 'abs' as never), 'saliency', 'options', /options object/);
    // x itself.
    await expectInvalid(() => saliency(mlp, wrong[4]!, {}), 'saliency', 'x', /rank >= 2/);
    const gs = 'gradientShap';
    await expectInvalid(() => gradientShap(mlp, x, {} as never), gs, 'options.baselines', /\[baselines, 64\]/);
    await expectInvalid(() => gradientShap(mlp, x, { baselines: wrong[0]! }), gs, 'options.baselines', /\[baselines, 64\]/);
    await expectInvalid(() => gradientShap(mlp, x, { baselines: wrong[5]! }), gs, 'options.baselines', /at least one baseline/);
    await expectInvalid(() => gradientShap(mlp, x, { baselines: wrong[1]!, samples: 0 }), gs, 'options.samples', /an integer >= 1/);
    await expectInvalid(() => gradientShap(mlp, x, { baselines: wrong[1]!, stdevs: -0.1 }), gs, 'options.stdevs', />= 0/);
    await expectInvalid(() => gradientShap(mlp, x, { baselines: wrong[1]!, internalBatchSize: 0.5 }), gs, 'options.internalBatchSize', /an integer >= 1/);
    await expectInvalid(() => gradientShap(mlp, x, { baselines: wrong[1]!, rng: Math.random as never }), gs, 'options.rng', /an Rng/);
    const nt = 'noiseTunnel';
    await expectInvalid(() => noiseTunnel('saliency' as never, mlp, x), nt, 'method', /an attribution method/);
    await expectInvalid(() => noiseTunnel(saliency, mlp, x, { type: 'smoothgrad_sq' as never }), nt, 'options.type', /"smoothgradSq"/);
    await expectInvalid(() => noiseTunnel(saliency, mlp, x, { samples: 0 }), nt, 'options.samples', /an integer >= 1/);
    await expectInvalid(() => noiseTunnel(saliency, mlp, x, { stdevs: -1 }), nt, 'options.stdevs', />= 0/);
    await expectInvalid(() => noiseTunnel(saliency, mlp, x, { samplesBatchSize: 0 }), nt, 'options.samplesBatchSize', /an integer >= 1/);
    // Errors of the inner method come out as they are (named by the method).
    await expectInvalid(() => noiseTunnel(integratedGradients, mlp, x, { steps: 0 }), ig, 'options.steps', /an integer >= 1/);
    // A method that does not resolve to attributions of the noisy batch's shape.
    const badShape: AttributionMethod = async (_m, input) => ({ attributions: tf.zeros([input.shape[0]!, 3]) });
    const notAResult: AttributionMethod = async () => 42 as never;
    await expectInvalid(() => noiseTunnel(badShape, mlp, x, { samples: 2 }), nt, 'method', /of shape \[8, 64\] for 8 noisy rows/);
    await expectInvalid(() => noiseTunnel(notAResult, mlp, x, { samples: 2 }), nt, 'method', /an attribution method resolving to/);
    const badDelta: AttributionMethod = async (_m, input) => ({ attributions: tf.zerosLike(input), convergenceDelta: tf.zeros([3]) });
    await expectInvalid(() => noiseTunnel(badDelta, mlp, x, { samples: 2 }), nt, 'method', /whole number of values per row/);
    tf.dispose(wrong);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    mlp.dispose();
  });

  it('a model failing in the middle of the gradient passes leaves nothing behind', async () => {
    const w = tf.randomNormal([64, 10], 0, 0.1, 'float32', 3);
    let calls = 0;
    let failAt = 0;
    const failing = (input: tf.Tensor): tf.Tensor => {
      if (calls++ === failAt) throw new Error('model failed');
      return tf.matMul(input as tf.Tensor2D, w);
    };
    const x = tf.randomUniform([4, 64], 0, 1, 'float32', 4);
    const set = tf.zeros([2, 64]);
    const before = tf.memory().numTensors;
    // Call 0 is the clean forward pass; later calls are gradient passes (chunks of 4 rows).
    for (failAt of [1, 3]) {
      calls = 0;
      await expect(integratedGradients(failing, x, { steps: 4, internalBatchSize: 4 })).rejects.toThrow('model failed');
      calls = 0;
      await expect(gradientShap(failing, x, { baselines: set, samples: 3, internalBatchSize: 4, rng: seededRng(1) })).rejects.toThrow('model failed');
      calls = 0;
      await expect(noiseTunnel(saliency, failing, x, { samples: 4, samplesBatchSize: 1, stdevs: 0.1 })).rejects.toThrow('model failed');
    }
    calls = 0;
    failAt = 1;
    await expect(saliency(failing, x)).rejects.toThrow('model failed');
    // Past the attributions: the convergence delta's forward pass fails.
    calls = 0;
    failAt = 2;
    await expect(integratedGradients(failing, x, { steps: 4, returnConvergenceDelta: true })).rejects.toThrow('model failed');
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([w, x, set]);
  });

  it('an abort stops between passes with AbortedError, leaving nothing behind', async () => {
    const mlp = digitsModel('mlp', { separateRelu: false });
    const x = tf.randomUniform([4, 64], 0, 1, 'float32', 5);
    const set = tf.zeros([2, 64]);
    const before = tf.memory().numTensors;
    const aborted = AbortSignal.abort();
    await expect(integratedGradients(mlp, x, { signal: aborted })).rejects.toBeInstanceOf(AbortedError);
    // Aborted while running: the model itself aborts during the second of 10 gradient passes.
    const controller = new AbortController();
    let calls = 0;
    const aborting = (input: tf.Tensor): tf.Tensor => {
      if (++calls === 3) controller.abort();
      return mlp.apply(input) as tf.Tensor;
    };
    const running = expect(integratedGradients(aborting, x, { steps: 10, internalBatchSize: 4, signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
    const stopped = new AbortController();
    const shap = expect(gradientShap(mlp, x, { baselines: set, samples: 10, internalBatchSize: 4, signal: stopped.signal })).rejects.toBeInstanceOf(AbortedError);
    stopped.abort();
    const tunnel = expect(noiseTunnel(saliency, mlp, x, { samples: 10, samplesBatchSize: 1, signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortedError);
    await Promise.all([running, shap, tunnel]);
    expect(calls).toBe(3);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, set]);
    mlp.dispose();
  });

  it('no leaks: every method, with deltas, chunks and the noise tunnel over each', async () => {
    const cnn = digitsModel('cnn', { separateRelu: false });
    const x = tf.randomUniform([3, 8, 8, 1], 0, 1, 'float32', 6);
    const set = tf.randomUniform([4, 8, 8, 1], 0, 1, 'float32', 7);
    await expectNoLeaks(() => saliency(cnn, x));
    await expectNoLeaks(() => inputXGradient(cnn, x, { target: [1, 2, 3] }));
    const perExample = tf.slice(set, 0, 3);
    await expectNoLeaks(() => integratedGradients(cnn, x, { steps: 5, internalBatchSize: 2, returnConvergenceDelta: true, baselines: perExample }));
    await expectNoLeaks(() => gradientShap(cnn, x, { baselines: set, samples: 3, stdevs: 0.1, internalBatchSize: 4, returnConvergenceDelta: true, rng: seededRng(1) }));
    await expectNoLeaks(() => noiseTunnel(integratedGradients, cnn, x, { type: 'vargrad', samples: 3, samplesBatchSize: 2, stdevs: 0.1, steps: 3, returnConvergenceDelta: true, rng: seededRng(2) }));
    await expectNoLeaks(() => noiseTunnel(gradientShap, cnn, x, { type: 'smoothgradSq', samples: 2, baselines: set, rng: seededRng(3) }));
    tf.dispose([x, set, perExample]);
    cnn.dispose();
  });
});

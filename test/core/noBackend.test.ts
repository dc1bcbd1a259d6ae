// Runs with no tfjs backend registered: this file imports no backend package, and vitest's forks
// pool gives each test file a fresh process (tfjs keeps its engine on the global object). Only
// the last test registers one, to check that the error goes away.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { NoBackendError, ResponsibleError, seededRng } from '../../src/core/index.js';
import { assertBackend } from '../../src/core/backend.js';
import {
  compressionReport,
  dequantize,
  fakeQuantize,
  loadQuantizedWeights,
  pruneByMagnitude,
  pruningCallback,
  quantize,
  quantizationAwareTraining,
  quantizeArray,
  quantizeModel,
} from '../../src/compression/index.js';
import {
  checkPerExampleGradients,
  clipAndNoise,
  createAccountant,
  dpSgdStep,
  laplaceMechanism,
  perExampleGradientNorms,
  perExampleGradients,
  poissonBatches,
} from '../../src/privacy/index.js';

const PACKAGES = [
  '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-backend-webgl',
  '@tensorflow/tfjs-backend-webgpu',
  '@tensorflow/tfjs',
];

/** Calls `f` (sync or async) and returns what it threw or rejected with. */
async function thrown(f: () => unknown): Promise<unknown> {
  try {
    await f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

// Arguments are never looked at: the backend check comes first.
const any = undefined as never;

describe('without a registered backend', () => {
  it('tfjs itself has no backend and fails with its untyped message', () => {
    expect(tf.engine().backendNames()).toEqual([]);
    expect(tf.getBackend()).toBeUndefined();
    expect(() => tf.scalar(1)).toThrow('No backend found in registry.');
  });

  it('assertBackend throws a NoBackendError that names the function and what to import', () => {
    const e = (() => {
      try {
        assertBackend('myFunction');
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(NoBackendError);
    expect(e).toBeInstanceOf(ResponsibleError);
    const err = e as NoBackendError;
    expect(err.code).toBe('NO_BACKEND');
    expect(err.name).toBe('NoBackendError');
    expect(err.fn).toBe('myFunction');
    expect(err.message).toMatch(/^myFunction: no TensorFlow\.js backend is registered/);
    for (const p of PACKAGES) expect(err.message).toContain(`'${p}'`);
    expect(err.message).toContain('backend selection');
    expect(err.message).toContain('tf.ready()');
    // The check neither initialises nor registers anything.
    expect(tf.engine().backendNames()).toEqual([]);
    expect(tf.getBackend()).toBeUndefined();
  });

  it('every entry point that makes tensors throws it, under its own name', async () => {
    const q = quantizeArray(new Float32Array([0.5, -1]), [2], { dtype: 'int8' });
    const calls: [string, () => unknown][] = [
      ['dequantize', () => dequantize(q)],
      ['quantize', () => quantize(any, { dtype: 'int8' })],
      ['fakeQuantize', () => fakeQuantize(any, { dtype: 'int8' })],
      ['quantizeModel', () => quantizeModel(any, { dtype: 'int8' })],
      ['pruneByMagnitude', () => pruneByMagnitude(any as tf.Tensor[], { sparsity: 0.5 })],
      ['pruningCallback', () => pruningCallback(any, any)],
      ['quantizationAwareTraining', () => quantizationAwareTraining(any, { dtype: 'int8' })],
      ['loadQuantizedWeights', () => loadQuantizedWeights(any, any)],
      ['compressionReport', () => compressionReport(any)],
      ['perExampleGradients', () => perExampleGradients(any, any, any)],
      ['perExampleGradientNorms', () => perExampleGradientNorms(any, any, any)],
      ['checkPerExampleGradients', () => checkPerExampleGradients(any, any, any)],
      ['clipAndNoise', () => clipAndNoise(any, any)],
      ['dpSgdStep', () => dpSgdStep(any, any, any, any)],
    ];
    for (const [name, call] of calls) {
      const e = await thrown(call);
      expect(e, name).toBeInstanceOf(NoBackendError);
      expect((e as NoBackendError).fn, name).toBe(name);
    }
  });

  it('functions on plain numbers need no backend', () => {
    const q = quantizeArray(new Float32Array([0.5, -1]), [2], { dtype: 'int8' });
    expect(q.values.length).toBe(2);
    const release = laplaceMechanism([1, 2], { sensitivity: 1, epsilon: 1, rng: seededRng(1) });
    expect(release.value).toHaveLength(2);
    expect(createAccountant('rdp').step({ noiseMultiplier: 1.1, sampleRate: 0.01 }, 10).getEpsilon(1e-5)).toBeGreaterThan(0);
    expect([...poissonBatches({ numExamples: 10, sampleRate: 0.5, steps: 2, rng: seededRng(0) })]).toHaveLength(2);
  });

  it('passes once a backend is registered', async () => {
    tf.env().set('PROD', true); // no Node banner
    await import('@tensorflow/tfjs-backend-cpu');
    expect(tf.engine().backendNames()).toContain('cpu');
    expect(() => assertBackend('myFunction')).not.toThrow();
    const t = dequantize(quantizeArray(new Float32Array([0.5, -1]), [2], { dtype: 'int8' }));
    expect(t.shape).toEqual([2]);
    t.dispose();
  });
});

/** countOperations's typed errors: unsupported layers (all named), bad batch sizes, non-models. */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { InvalidArgumentError, ResponsibleError } from '../../src/core/errors.js';
import { countOperations, UnsupportedLayerForCountingError } from '../../src/sustainability/operations/index.js';
import { describeBackends } from '../helpers/backends.js';

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

async function expectInvalid(p: Promise<unknown>, argument: string, allowed: RegExp): Promise<void> {
  const e = await rejection(p);
  expect(e).toBeInstanceOf(InvalidArgumentError);
  expect(e).toMatchObject({ fn: 'countOperations', argument });
  expect((e as Error).message).toMatch(allowed);
}

function mlp(): tfl.Sequential {
  return tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [4], units: 2 })] });
}

describeBackends('countOperations errors', () => {
  it('names every unsupported layer, with its path and class', async () => {
    // Recurrent kernels get a Glorot initializer: tfjs's default orthogonal one uses chained ops that tfjs-core alone lacks.
    const x = tfl.input({ shape: [5, 3] });
    const lstm = tfl.layers.lstm({ units: 4, returnSequences: true, recurrentInitializer: 'glorotUniform', name: 'my_lstm' }).apply(x) as tfl.SymbolicTensor;
    const inner = tfl.sequential({ name: 'inner', layers: [tfl.layers.gru({ inputShape: [5, 4], units: 2, recurrentInitializer: 'glorotUniform', name: 'my_gru' })] });
    const out = tfl.layers.dense({ units: 1, name: 'head' }).apply(inner.apply(lstm) as tfl.SymbolicTensor) as tfl.SymbolicTensor;
    const e = await rejection(countOperations(tfl.model({ inputs: x, outputs: out })));
    expect(e).toBeInstanceOf(UnsupportedLayerForCountingError);
    expect(e).toBeInstanceOf(ResponsibleError);
    expect((e as UnsupportedLayerForCountingError).code).toBe('UNSUPPORTED_LAYER');
    expect((e as UnsupportedLayerForCountingError).layers.map((l) => [l.path, l.className])).toEqual([
      ['my_lstm', 'LSTM'], ['inner/my_gru', 'GRU'],
    ]);
    expect((e as Error).message).toMatch(/2 layers.*\n.*my_lstm \(LSTM\).*\n.*inner\/my_gru \(GRU\)/);
  });

  it('refuses shapes it cannot count (variable-length inputs)', async () => {
    const model = tfl.sequential({ layers: [tfl.layers.embedding({ inputDim: 10, outputDim: 2, inputShape: [null as unknown as number], name: 'emb' })] });
    const e = await rejection(countOperations(model));
    expect(e).toBeInstanceOf(UnsupportedLayerForCountingError);
    expect((e as UnsupportedLayerForCountingError).layers[0]).toMatchObject({ name: 'emb', className: 'Embedding' });
    expect((e as Error).message).toMatch(/unknown dimensions/);
  });

  it('rejects batch sizes that are not positive integers, and a non-boolean sparse flag', async () => {
    const model = mlp();
    for (const batchSize of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '8']) {
      await expectInvalid(countOperations(model, { batchSize: batchSize as number }), 'options.batchSize', /an integer >= 1/);
    }
    await expectInvalid(countOperations(model, { sparse: 'yes' as unknown as boolean }), 'options.sparse', /true or false/);
    await expectInvalid(countOperations(model, 3 as never), 'options', /an options object/);
  });

  it('rejects what is not a built model', async () => {
    const t = tf.zeros([2]);
    for (const notModel of [null, undefined, 42, {}, { layers: [] }, (x: unknown) => x, t]) {
      await expectInvalid(countOperations(notModel as never), 'model', /a tf\.LayersModel/);
    }
    t.dispose();
    await expectInvalid(countOperations(tfl.sequential()), 'model', /a built model.*inputShape/);
  });
});

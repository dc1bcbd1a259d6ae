/**
 * SimpleRNN, LSTM and GRU: the unrolled per-example gradients equal each example's gradient
 * computed alone by tfjs's autodiff through the layer's own `call`, to 1e-5 (relative to
 * max(1, |reference|)), with returnSequences true and false, after an Embedding and on float
 * sequences. On wasm the engine runs on wasm; the reference loop runs there too, except for
 * Embedding models (wasm has no UnsortedSegmentSum gradient kernel), whose reference runs on cpu.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { seededRng } from '../../../src/core/index.js';
import {
  checkPerExampleGradients, dpSgdStep, fitPrivately, perExampleGradientNorms, perExampleGradients, UnsupportedLayerError,
} from '../../../src/privacy/index.js';
import { gruCell } from '../../../src/privacy/dpsgd/rules/gru.js';
import { LAYER_RULES } from '../../../src/privacy/dpsgd/rules/index.js';
import { lstmCell } from '../../../src/privacy/dpsgd/rules/lstm.js';
import { recurrentGhostNorms, type CellMath } from '../../../src/privacy/dpsgd/rules/recurrent.js';
import { simpleRnnCell } from '../../../src/privacy/dpsgd/rules/simpleRnn.js';
import type { LayerLike } from '../../../src/privacy/dpsgd/types.js';
import { describeBackends, useBackend } from '../../helpers/backends.js';
import { expectNoLeaks } from '../../helpers/leaks.js';
import { clippedMean, instantiate, loopGradients, outputsProbabilities, relativeError, seededInput, seedWeights, type ModelCase } from './models.js';

const BATCH = 3;
/** The default orthogonal initializer needs tfjs's chained ops, absent with tfjs-core alone; weights are seeded anyway. */
const NO_ORTHOGONAL = { recurrentInitializer: 'glorotUniform' } as const;
const TOLERANCE = 1e-5;

const seq = (layers: tfl.layers.Layer[]): tfl.LayersModel => tfl.sequential({ layers });
const embedding = (): tfl.layers.Layer => tfl.layers.embedding({ inputDim: 7, outputDim: 3, inputLength: 5 });

const RECURRENT_CASES: readonly ModelCase[] = [
  {
    name: 'Embedding + SimpleRNN + Dense (softmax)',
    inputShape: [5], vocab: 7, classes: 3, convolutional: true,
    build: () => seq([embedding(), tfl.layers.simpleRNN({ ...NO_ORTHOGONAL, units: 4 }), tfl.layers.dense({ units: 3, activation: 'softmax' })]),
  },
  {
    name: 'float sequences + SimpleRNN (relu, returnSequences, no bias) + Flatten',
    inputShape: [4, 3], classes: 3, convolutional: false,
    build: () =>
      seq([
        tfl.layers.simpleRNN({ ...NO_ORTHOGONAL, inputShape: [4, 3], units: 5, activation: 'relu', useBias: false, returnSequences: true }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 3 }),
      ]),
  },
  {
    name: 'Embedding + LSTM (returnSequences) + GlobalAveragePooling1D',
    inputShape: [5], vocab: 7, classes: 3, convolutional: true,
    build: () =>
      seq([embedding(), tfl.layers.lstm({ ...NO_ORTHOGONAL, units: 4, returnSequences: true }), tfl.layers.globalAveragePooling1d({}), tfl.layers.dense({ units: 3 })]),
  },
  {
    name: 'float sequences + stacked LSTM (sigmoid gates, unitForgetBias) + Dense',
    inputShape: [4, 3], classes: 3, convolutional: false,
    build: () =>
      seq([
        tfl.layers.lstm({ ...NO_ORTHOGONAL, inputShape: [4, 3], units: 3, returnSequences: true, recurrentActivation: 'sigmoid', unitForgetBias: true }),
        tfl.layers.lstm({ ...NO_ORTHOGONAL, units: 4 }),
        tfl.layers.dense({ units: 3, activation: 'softmax' }),
      ]),
  },
  {
    name: 'Embedding + GRU + Dense',
    inputShape: [5], vocab: 7, classes: 3, convolutional: true,
    build: () => seq([embedding(), tfl.layers.gru({ ...NO_ORTHOGONAL, units: 4 }), tfl.layers.dense({ units: 3, activation: 'softmax' })]),
  },
  {
    name: 'float sequences + GRU (returnSequences, no bias) + Flatten',
    inputShape: [4, 3], classes: 3, convolutional: false,
    build: () =>
      seq([tfl.layers.gru({ ...NO_ORTHOGONAL, inputShape: [4, 3], units: 4, returnSequences: true, useBias: false }), tfl.layers.flatten(), tfl.layers.dense({ units: 3 })]),
  },
  {
    name: 'Embedding (no inputLength: variable length) + GRU + Dense',
    inputShape: [6], vocab: 7, classes: 3, convolutional: true,
    build: () => seq([tfl.layers.embedding({ inputDim: 7, outputDim: 3 }), tfl.layers.gru({ ...NO_ORTHOGONAL, units: 3 }), tfl.layers.dense({ units: 3 })]),
  },
  {
    name: 'float sequences + generic RNN of an LSTMCell (returnSequences) + GlobalAveragePooling1D',
    inputShape: [4, 3], classes: 3, convolutional: false,
    build: () =>
      seq([
        tfl.layers.rnn({ cell: tfl.layers.lstmCell({ ...NO_ORTHOGONAL, units: 3 }), inputShape: [4, 3], returnSequences: true }),
        tfl.layers.globalAveragePooling1d({}),
        tfl.layers.dense({ units: 3 }),
      ]),
  },
];

describeBackends('recurrent per-example gradients', (backend) => {
  for (const c of RECURRENT_CASES) {
    const refBackend = backend === 'wasm' && c.convolutional ? 'cpu' : backend;
    describe(c.name, () => {
      it(`equals the per-example autodiff loop (reference on ${refBackend})`, async () => {
        const { model, x, y } = instantiate(c, BATCH);
        const r = perExampleGradients(model, x, y);
        expect(r.names).toEqual(model.trainableWeights.map((w) => w.name));
        const mine = await Promise.all(r.gradients.map(async (g) => (await g.data()) as Float32Array));
        expect(r.gradients.every((g, k) => g.shape[0] === BATCH && g.size === BATCH * model.trainableWeights[k]!.read().size)).toBe(true);
        tf.dispose([...r.gradients, r.losses]);
        await useBackend(refBackend);
        const ref = await loopGradients(model, x, y, outputsProbabilities(model));
        await useBackend(backend);
        for (let k = 0; k < mine.length; k++) {
          const per = mine[k]!.length / BATCH;
          for (let i = 0; i < BATCH; i++) {
            const err = relativeError(mine[k]!.subarray(i * per, (i + 1) * per), ref[i]![k]!);
            expect(err, `${r.names[k]} example ${i}`).toBeLessThan(TOLERANCE);
          }
        }
        x.dispose();
        model.dispose();
      });

      it('ghost norms equal the norms of the materialised gradients', async () => {
        const { model, x, y } = instantiate(c, BATCH, 2);
        const { gradients, losses } = perExampleGradients(model, x, y);
        const expected = new Float64Array(BATCH);
        for (const g of gradients) {
          const v = await g.data();
          const per = v.length / BATCH;
          for (let i = 0; i < v.length; i++) expected[Math.floor(i / per)]! += (v[i] as number) ** 2;
        }
        const { norms, layerNorms } = perExampleGradientNorms(model, x, y);
        const got = await norms.data();
        for (let i = 0; i < BATCH; i++) expect(got[i]).toBeCloseTo(Math.sqrt(expected[i]!), 4);
        tf.dispose([...gradients, losses, norms, layerNorms, x]);
        model.dispose();
      });

      it('a noise-free dpSgdStep moves the weights by the mean clipped gradient (weighted sums)', async () => {
        const { model, x, y } = instantiate(c, BATCH, 3);
        const { gradients, losses } = perExampleGradients(model, x, y);
        const per = await Promise.all(gradients.map(async (g) => (await g.data()) as Float32Array));
        const expected = clippedMean(per, BATCH, 0.05, BATCH);
        const before = await Promise.all(model.trainableWeights.map(async (w) => Array.from(await w.read().data())));
        const optimizer = tf.train.sgd(1);
        await dpSgdStep(model, x, y, { optimizer, maxGradNorm: 0.05, noiseMultiplier: 0, expectedBatchSize: BATCH });
        const after = await Promise.all(model.trainableWeights.map(async (w) => Array.from(await w.read().data())));
        after.forEach((w, k) => w.forEach((v, j) => expect(before[k]![j]! - v).toBeCloseTo(expected[k]![j]!, 6)));
        tf.dispose([...gradients, losses, x]);
        optimizer.dispose();
        model.dispose();
      });
    });
  }

  // Small layers materialise their per-example gradients instead; check the ghost form directly.
  const ghostCases: [string, CellMath, (returnSequences: boolean) => tfl.layers.Layer][] = [
    ['SimpleRNN', simpleRnnCell, (returnSequences) => tfl.layers.simpleRNN({ ...NO_ORTHOGONAL, inputShape: [5, 3], units: 4, returnSequences })],
    ['LSTM', lstmCell, (returnSequences) => tfl.layers.lstm({ ...NO_ORTHOGONAL, inputShape: [5, 3], units: 4, returnSequences })],
    ['GRU', gruCell, (returnSequences) => tfl.layers.gru({ ...NO_ORTHOGONAL, inputShape: [5, 3], units: 4, returnSequences })],
  ];
  for (const [name, math, build] of ghostCases) {
    it(`${name} ghost norms equal the squared norms of its per-example gradients`, async () => {
      for (const returnSequences of [false, true]) {
        const model = seq([build(returnSequences)]);
        seedWeights(model, 4);
        const layer = model.layers[0] as unknown as LayerLike;
        const input = seededInput([BATCH, 5, 3], 5);
        const outputGrad = seededInput(returnSequences ? [BATCH, 5, 4] : [BATCH, 4], 6);
        const [ghost, exact] = tf.tidy(() => {
          const call = { input, outputGrad };
          const perExample = LAYER_RULES[name]!.perExample(layer, call);
          const squared = perExample.map((g) => tf.sum(tf.square(tf.reshape(g, [BATCH, -1])), 1));
          return [recurrentGhostNorms(layer, math, call), tf.addN(squared)];
        });
        const [g, e] = await Promise.all([ghost!.data(), exact!.data()]);
        // The Gram form carries a rounding margin that keeps it above the exact value (common.ts).
        for (let i = 0; i < BATCH; i++) {
          expect(g[i]! / e[i]!).toBeGreaterThan(1 - 1e-6);
          expect(g[i]! / e[i]!).toBeLessThan(1 + 1e-4);
        }
        await expectNoLeaks(() => tf.tidy(() => recurrentGhostNorms(layer, math, { input, outputGrad })));
        tf.dispose([ghost!, exact!, input, outputGrad]);
        model.dispose();
      }
    });
  }

  it('checkPerExampleGradients passes on a float-sequence GRU model', async () => {
    const { model, x, y } = instantiate(RECURRENT_CASES[5]!, 4);
    const check = await expectNoLeaks(() => checkPerExampleGradients(model, x, y));
    expect(check.ok).toBe(true);
    expect(check.maxError).toBeLessThan(TOLERANCE);
    x.dispose();
    model.dispose();
  });

  it('leaks no tensors (perExampleGradients, norms, fitPrivately)', async () => {
    for (const c of [RECURRENT_CASES[0]!, RECURRENT_CASES[3]!, RECURRENT_CASES[4]!]) {
      const { model, x, y } = instantiate(c, 8);
      await expectNoLeaks(() => perExampleGradients(model, x, y));
      await expectNoLeaks(() => perExampleGradientNorms(model, x, y));
      const optimizer = tf.train.sgd(0.1);
      const run = () =>
        fitPrivately(model, x, y, { epochs: 1, batchSize: 4, maxGradNorm: 1, noiseMultiplier: 1.1, delta: 1e-5, optimizer, rng: seededRng(3) });
      const result = await expectNoLeaks(run);
      expect(result.history.epsilon).toHaveLength(1);
      x.dispose();
      optimizer.dispose();
      model.dispose();
    }
  });
});


describeBackends('recurrent options the engine refuses', () => {
  const refused = async (build: () => tfl.LayersModel, className: string, reason: RegExp, inputShape = [4, 3]): Promise<void> => {
    const model = build();
    seedWeights(model, 1);
    const x = seededInput([2, ...inputShape], 1);
    let error: unknown;
    try {
      perExampleGradients(model, x, [0, 1]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnsupportedLayerError);
    const layer = (error as UnsupportedLayerError).layers.find((l) => l.className === className);
    expect(layer?.reason, (error as Error).message).toMatch(reason);
    expect((error as Error).message).toContain(layer!.name);
    x.dispose();
    model.dispose();
  };
  const head = (): tfl.layers.Layer => tfl.layers.dense({ units: 2 });

  it('goBackwards, stateful, dropout, recurrentDropout and recurrentRegularizer', async () => {
    await refused(() => seq([tfl.layers.lstm({ ...NO_ORTHOGONAL, inputShape: [4, 3], units: 2, goBackwards: true }), head()]), 'LSTM', /goBackwards/);
    await refused(() => seq([tfl.layers.gru({ ...NO_ORTHOGONAL, batchInputShape: [2, 4, 3], units: 2, stateful: true }), head()]), 'GRU', /stateful/);
    await refused(() => seq([tfl.layers.simpleRNN({ ...NO_ORTHOGONAL, inputShape: [4, 3], units: 2, dropout: 0.2 }), head()]), 'SimpleRNN', /dropout/);
    await refused(() => seq([tfl.layers.lstm({ ...NO_ORTHOGONAL, inputShape: [4, 3], units: 2, recurrentDropout: 0.2 }), head()]), 'LSTM', /recurrentDropout/);
    await refused(
      () => seq([tfl.layers.gru({ ...NO_ORTHOGONAL, inputShape: [4, 3], units: 2, recurrentRegularizer: tfl.regularizers.l2() }), head()]),
      'GRU',
      /recurrentRegularizer/,
    );
  });

  it('returnState', async () => {
    const build = (): tfl.LayersModel => {
      const input = tfl.input({ shape: [4, 3] });
      const [out] = tfl.layers.lstm({ ...NO_ORTHOGONAL, units: 2, returnState: true }).apply(input) as tfl.SymbolicTensor[];
      return tfl.model({ inputs: input, outputs: head().apply(out!) as tfl.SymbolicTensor });
    };
    await refused(build, 'LSTM', /returnState/);
  });

  it('a mask from an Embedding with maskZero or a Masking layer', async () => {
    const masked = (): tfl.LayersModel =>
      seq([tfl.layers.embedding({ inputDim: 5, outputDim: 3, inputLength: 4, maskZero: true }), tfl.layers.simpleRNN({ ...NO_ORTHOGONAL, units: 2 }), head()]);
    await refused(masked, 'SimpleRNN', /mask/, [4]);
    await refused(() => seq([tfl.layers.masking({ inputShape: [4, 3] }), tfl.layers.gru({ ...NO_ORTHOGONAL, units: 2 }), head()]), 'GRU', /mask .*masking/);
  });

  it('a generic RNN of stacked cells', async () => {
    const cells = [tfl.layers.simpleRNNCell({ ...NO_ORTHOGONAL, units: 2 }), tfl.layers.simpleRNNCell({ ...NO_ORTHOGONAL, units: 2 })];
    await refused(() => seq([tfl.layers.rnn({ cell: cells, inputShape: [4, 3] }), head()]), 'RNN', /cells other than/);
  });

  it('Bidirectional stays unsupported', async () => {
    await refused(() => seq([tfl.layers.bidirectional({ layer: tfl.layers.lstm({ ...NO_ORTHOGONAL, units: 2 }) as tfl.RNN, inputShape: [4, 3] }), head()]), 'Bidirectional', /recurrent/);
  });
}, ['cpu']);

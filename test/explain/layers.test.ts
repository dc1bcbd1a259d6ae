/**
 * Guided backpropagation and deconvolution: every stored Captum case (the digits models with
 * separate ReLU layers and with fused ReLUs), the modified ReLU gradient recomputed by hand for
 * every form of ReLU (and the activations that must keep their gradient), nested models, the model
 * left as it was, bad input and memory.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { deconvolution, guidedBackprop } from '../../src/explain/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';
import { digitsModel, expectCloseToReference, referenceCase, referenceCaseKeys, referenceInputs, referenceTargets } from './fixtures.js';
import { expectRejectsInvalid, fixedValues, snapshotModel, ThrowOnLargeBatch } from './layersHelpers.js';

const METHODS = { guided_backprop: guidedBackprop, deconvolution } as const;

describeBackends('guidedBackprop and deconvolution against Captum', () => {
  for (const name of ['mlp', 'cnn'] as const) {
    for (const [method, run] of Object.entries(METHODS)) {
      const keys = referenceCaseKeys(name).filter((k) => k.endsWith(`/${method}`));
      it(`${name}: every ${method} case (${keys.length}), separate ReLU layers and fused ReLUs`, async () => {
        expect(keys.length).toBeGreaterThanOrEqual(1);
        const x = referenceInputs(name);
        for (const separateRelu of [true, false]) {
          const model = digitsModel(name, { separateRelu });
          for (const key of keys) {
            const c = referenceCase(name, key);
            const target = referenceTargets(name, key.split('/')[1] as 'pred' | 'true');
            const { attributions } = await run(model, x, { target });
            expect(attributions.shape).toEqual(x.shape);
            expectCloseToReference(await attributions.data(), c.attr, { skipRows: c.fragile ?? [] });
            attributions.dispose();
          }
          model.dispose();
        }
        x.dispose();
      });
    }
  }
});

/** Dense(4 -> 6) + a ReLU in some form + Dense(6 -> 3), fixed weights, and its numbers. */
function reluNet(form: 'fused' | 'activation' | 'layer' | 'clipped' | 'leaky'): {
  model: tfl.Sequential; w1: number[][]; c1: number[]; w2: number[][];
} {
  const model = tfl.sequential();
  model.add(tfl.layers.dense({ units: 6, inputShape: [4], activation: form === 'fused' ? 'relu' : 'linear' }));
  if (form === 'activation') model.add(tfl.layers.activation({ activation: 'relu' }));
  if (form === 'layer') model.add(tfl.layers.reLU());
  if (form === 'clipped') model.add(tfl.layers.reLU({ maxValue: 1 }));
  if (form === 'leaky') model.add(tfl.layers.leakyReLU({ alpha: 0.2 }));
  model.add(tfl.layers.dense({ units: 3, useBias: false }));
  const w1 = Array.from({ length: 4 }, (_, i) => fixedValues(6, 40 + i, 1.5));
  const c1 = fixedValues(6, 9, 0.5);
  const w2 = Array.from({ length: 6 }, (_, i) => fixedValues(3, 60 + i, 1));
  const weights = [tf.tensor2d(w1), tf.tensor1d(c1), tf.tensor2d(w2)];
  model.setWeights(weights);
  tf.dispose(weights);
  return { model, w1, c1, w2 };
}

/** W1 · backward(W2[:, t], z) per row, in float64. */
function backprop(net: ReturnType<typeof reluNet>, x: number[][], t: number[], backward: (g: number, z: number) => number): number[] {
  return x.flatMap((xi, i) => {
    const z = net.c1.map((c, j) => c + xi.reduce((s, v, k) => s + v * net.w1[k]![j]!, 0));
    const gz = z.map((zj, j) => backward(net.w2[j]![t[i]!]!, zj));
    return xi.map((_, k) => gz.reduce((s, g, j) => s + g * net.w1[k]![j]!, 0));
  });
}

describeBackends('modified ReLU gradients recomputed by hand', () => {
  const x = Array.from({ length: 6 }, (_, i) => fixedValues(4, 80 + i, 2));
  const t = [0, 1, 2, 2, 1, 0];
  const guided = (g: number, z: number): number => Math.max(0, z > 0 ? g : 0);
  const deconv = (g: number): number => Math.max(0, g);

  it('every ReLU form (fused, Activation, ReLU layer): guided relu(g·1[z>0]), deconvolution relu(g)', async () => {
    for (const form of ['fused', 'activation', 'layer'] as const) {
      const net = reluNet(form);
      const xt = tf.tensor2d(x);
      const g = await guidedBackprop(net.model, xt, { target: t });
      const d = await deconvolution(net.model, xt, { target: t });
      expectCloseToReference(await g.attributions.data(), backprop(net, x, t, guided), { rows: 6 });
      expectCloseToReference(await d.attributions.data(), backprop(net, x, t, deconv), { rows: 6 });
      tf.dispose([xt, g.attributions, d.attributions]);
      net.model.dispose();
    }
  });

  it('a clipped ReLU (maxValue) and LeakyReLU keep their normal gradient, as Captum leaves non-nn.ReLU modules', async () => {
    const plain: Record<string, (g: number, z: number) => number> = {
      clipped: (g, z) => (z > 0 && z < 1 ? g : 0),
      leaky: (g, z) => (z > 0 ? g : 0.2 * g),
    };
    for (const form of ['clipped', 'leaky'] as const) {
      const net = reluNet(form);
      const xt = tf.tensor2d(x);
      for (const run of [guidedBackprop, deconvolution]) {
        const r = await run(net.model, xt, { target: t });
        expectCloseToReference(await r.attributions.data(), backprop(net, x, t, plain[form]!), { rows: 6 });
        r.attributions.dispose();
      }
      xt.dispose();
      net.model.dispose();
    }
  });

  it('a nested Sequential inside a functional model is hooked like the flat model', async () => {
    const inner = digitsModel('cnn');
    const input = tfl.input({ shape: [8, 8, 1] });
    const outer = tfl.model({ inputs: input, outputs: inner.apply(input) as tfl.SymbolicTensor });
    const x = referenceInputs('cnn');
    const key = 'cnn/pred/guided_backprop';
    const { attributions } = await guidedBackprop(outer, x, { target: referenceTargets('cnn', 'pred') });
    expectCloseToReference(await attributions.data(), referenceCase('cnn', key).attr);
    tf.dispose([x, attributions]);
    outer.dispose();
  });
});

describeBackends('guidedBackprop and deconvolution: model state, errors and memory', () => {
  it('the model is unchanged after a call and after a call that throws inside the model', async () => {
    const model = digitsModel('mlp', { separateRelu: false });
    const x = tf.tidy(() => tf.slice(referenceInputs('mlp'), 0, 5));
    const snapshot = snapshotModel(model, x);
    for (const run of [guidedBackprop, deconvolution]) (await run(model, x)).attributions.dispose();
    snapshot.expectUnchanged();
    snapshot.dispose();

    // A layer that throws on every second call: each method predicts the targets (first call),
    // then fails inside its gradient pass (second call), with the ReLUs swapped.
    let calls = 0;
    const armed = new ThrowOnLargeBatch(Number.POSITIVE_INFINITY);
    const originalCall = armed.call.bind(armed);
    armed.call = (inputs: tf.Tensor | tf.Tensor[]) => {
      calls++;
      if (calls % 2 === 0) throw new Error('armed layer');
      return originalCall(inputs);
    };
    const throwing = tfl.sequential({ layers: [tfl.layers.dense({ units: 4, activation: 'relu', inputShape: [64] }), armed, tfl.layers.dense({ units: 3 })] });
    const layerState = throwing.layers.map((l) => (l as unknown as { activation?: unknown }).activation);
    await expectNoLeaks(async () => {
      await expect(guidedBackprop(throwing, x)).rejects.toThrow(/armed layer/);
      await expect(deconvolution(throwing, x)).rejects.toThrow(/armed layer/);
    });
    throwing.layers.forEach((l, i) => expect((l as unknown as { activation?: unknown }).activation).toBe(layerState[i]));
    tf.dispose(x);
    model.dispose();
    throwing.dispose();
  });

  it('typed errors name the argument', async () => {
    const model = digitsModel('mlp');
    const x = tf.tidy(() => tf.slice(referenceInputs('mlp'), 0, 3));
    const asFunction = (t: tf.Tensor): tf.Tensor => model.apply(t) as tf.Tensor;
    await expectRejectsInvalid(guidedBackprop(asFunction, x), 'guidedBackprop', 'model', /LayersModel/);
    await expectRejectsInvalid(deconvolution(asFunction, x), 'deconvolution', 'model', /LayersModel/);
    await expectRejectsInvalid(guidedBackprop(model, x, { target: [0, 11, 2] }), 'guidedBackprop', 'options.target[1]', /\[0, 10\)/);
    await expectRejectsInvalid(deconvolution(model, x, 'predicted' as unknown as { target: 'predicted' }), 'deconvolution', 'options', /options object/);
    tf.dispose(x);
    model.dispose();
  });

  it('leaves no tensors behind', async () => {
    const model = digitsModel('cnn');
    const x = tf.tidy(() => tf.slice(referenceInputs('cnn'), 0, 3));
    await expectNoLeaks(() => guidedBackprop(model, x));
    await expectNoLeaks(() => deconvolution(model, x, { target: [1, 2, 3] }));
    x.dispose();
    model.dispose();
  });
});

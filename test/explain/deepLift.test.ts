/**
 * DeepLift and DeepLift SHAP: every stored Captum case (attributions_{mlp,cnn,adult}.json, the
 * digits models with separate ReLU layers and with fused ReLUs), Captum's rules recomputed by hand
 * on small models (the rescale rule for every hooked activation, in both forms; the softmax and
 * maxpool rules, which the stored cases do not exercise), completeness on max-pooling CNNs, shared
 * and nested layers, and the model left as it was.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import adult from '../fixtures/explain/adult_model.json';
import { AbortedError } from '../../src/core/errors.js';
import { deepLift, deepLiftShap } from '../../src/explain/index.js';
import { hookSites } from '../../src/explain/model/modelLayers.js';
import { withSwappedOps } from '../../src/explain/model/swap.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';
import {
  adultModel, digitsModel, expectCloseToReference, flat, referenceCase, referenceCaseKeys, referenceInputs, referenceTargets,
  shapBaselines, type ExplainModelName,
} from './fixtures.js';
import { expectRejectsInvalid, fixedValues, setFixedWeights, snapshotModel, ThrowOnLargeBatch } from './layersHelpers.js';

/**
 * Delta tolerance. A delta is float32 round-off (the attributions of these piecewise-linear models
 * add up exactly), taken around logits of up to about 50 whose float32 spacing is 4e-6: ours and
 * Captum's differ by a few of those spacings.
 */
const DELTA_TOLERANCE = { atol: 5e-5, rtol: 1e-4 };

function modelsOf(name: ExplainModelName): Array<{ label: string; model: tfl.LayersModel }> {
  if (name === 'adult') return [{ label: 'Dense(1, sigmoid)', model: adultModel() }];
  return [
    { label: 'separate ReLU layers', model: digitsModel(name) },
    { label: 'fused ReLUs', model: digitsModel(name, { separateRelu: false }) },
  ];
}

function targetsOf(name: ExplainModelName, key: string): number[] {
  return referenceTargets(name, key.split('/')[1] as 'pred' | 'true');
}

/** Captum's multiplier times (x - b) without DeepLift's rules: the plain gradient × (x - b). */
function gradientTimesDifference(model: tfl.LayersModel, x: tf.Tensor, targets: number[]): tf.Tensor {
  return tf.tidy(() => {
    const t = tf.oneHot(tf.tensor1d(targets, 'int32'), 10);
    const g = tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(model.apply(xi) as tf.Tensor, t)))(x);
    return tf.mul(g, x);
  });
}

describeBackends('deepLift and deepLiftShap against Captum', () => {
  for (const name of ['mlp', 'cnn', 'adult'] as const) {
    const keys = referenceCaseKeys(name).filter((k) => /\/deeplift(_trainmean)?$/.test(k));
    it(`${name}: every deeplift case (${keys.length}), both ReLU forms, with Captum's deltas`, async () => {
      expect(keys.length).toBeGreaterThanOrEqual(1);
      const x = referenceInputs(name);
      for (const { label, model } of modelsOf(name)) {
        for (const key of keys) {
          const c = referenceCase(name, key);
          const baselines = key.endsWith('_trainmean') ? tf.tensor1d(adult.train_mean_features_float32) : undefined;
          const r = await deepLift(model, x, { target: targetsOf(name, key), baselines, returnConvergenceDelta: true });
          expect(r.attributions.shape, `${key} ${label}`).toEqual(x.shape);
          expectCloseToReference(await r.attributions.data(), c.attr, { skipRows: c.fragile ?? [] });
          expectCloseToReference(await r.convergenceDelta!.data(), c.delta, DELTA_TOLERANCE);
          tf.dispose([r.attributions, r.convergenceDelta!, baselines ?? []]);
        }
        model.dispose();
      }
      x.dispose();
    });

    const shapKeys = referenceCaseKeys(name).filter((k) => k.endsWith('/deeplift_shap'));
    it(`${name}: every deeplift_shap case (${shapKeys.length}), both ReLU forms, deltas per pair input-major`, async () => {
      expect(shapKeys.length).toBe(1);
      const x = referenceInputs(name);
      const baselines = shapBaselines(name);
      for (const { model } of modelsOf(name)) {
        for (const key of shapKeys) {
          const c = referenceCase(name, key);
          const r = await deepLiftShap(model, x, { target: targetsOf(name, key), baselines, returnConvergenceDelta: true });
          expectCloseToReference(await r.attributions.data(), c.attr, { skipRows: c.fragile ?? [] });
          expect(r.convergenceDelta!.shape).toEqual([50 * 10]);
          expectCloseToReference(await r.convergenceDelta!.data(), c.delta, { ...DELTA_TOLERANCE, rows: 500 });
          tf.dispose([r.attributions, r.convergenceDelta!]);
        }
        model.dispose();
      }
      tf.dispose([x, baselines]);
    });
  }

  it('the rules are active: Captum\'s DeepLift differs from gradient × input on these models', async () => {
    const model = digitsModel('mlp', { separateRelu: false });
    const x = referenceInputs('mlp');
    const key = 'mlp/pred/deeplift';
    const plain = gradientTimesDifference(model, x, targetsOf('mlp', key));
    const reference = flat(referenceCase('mlp', key).attr);
    const values = await plain.data();
    let gap = 0;
    for (let i = 0; i < reference.length; i++) gap = Math.max(gap, Math.abs(values[i]! - reference[i]!));
    expect(gap).toBeGreaterThan(0.05);
    tf.dispose([plain, x]);
    model.dispose();
  });
});

/** The activation functions DeepLift rescales, in float64. */
const ACTIVATIONS: Record<string, (z: number) => number> = {
  relu: (z) => Math.max(0, z),
  elu: (z) => (z > 0 ? z : Math.exp(z) - 1),
  leakyRelu: (z) => (z > 0 ? z : 0.3 * z),
  sigmoid: (z) => 1 / (1 + Math.exp(-z)),
  tanh: (z) => Math.tanh(z),
  softplus: (z) => Math.log1p(Math.exp(z)),
};

/** An activation form: the first Dense layer's own activation, and a layer after it (if separate). */
interface ActivationForm {
  readonly label: string;
  readonly fused: 'relu' | 'elu' | 'sigmoid' | 'tanh' | 'softplus' | 'linear';
  readonly separate?: () => tfl.layers.Layer;
}

/** The activation fused into the Dense layer (where tfjs has the name) and as separate layers. */
function activationForms(kind: string): ActivationForm[] {
  const forms: ActivationForm[] = [];
  if (kind !== 'leakyRelu') {
    const name = kind as ActivationForm['fused'];
    forms.push({ label: `Dense(activation: '${kind}')`, fused: name });
    forms.push({ label: `Activation('${kind}')`, fused: 'linear', separate: () => tfl.layers.activation({ activation: name }) });
  }
  if (kind === 'relu') forms.push({ label: 'ReLU layer', fused: 'linear', separate: () => tfl.layers.reLU() });
  if (kind === 'elu') forms.push({ label: 'ELU layer', fused: 'linear', separate: () => tfl.layers.elu() });
  if (kind === 'leakyRelu') forms.push({ label: 'LeakyReLU layer', fused: 'linear', separate: () => tfl.layers.leakyReLU({ alpha: 0.3 }) });
  return forms;
}

/** Dense(4 -> 6) + activation + Dense(6 -> 3), with fixed weights. */
function oneHiddenLayer(form: ActivationForm): { model: tfl.Sequential; w1: number[][]; c1: number[]; w2: number[][]; c2: number[] } {
  const model = tfl.sequential();
  model.add(tfl.layers.dense({ units: 6, inputShape: [4], activation: form.fused }));
  if (form.separate !== undefined) model.add(form.separate());
  model.add(tfl.layers.dense({ units: 3 }));
  const w1 = Array.from({ length: 4 }, (_, i) => fixedValues(6, 11 + i, 1.5));
  const c1 = fixedValues(6, 5, 0.5);
  const w2 = Array.from({ length: 6 }, (_, i) => fixedValues(3, 31 + i, 1));
  const c2 = fixedValues(3, 7, 0.5);
  const weights = [tf.tensor2d(w1), tf.tensor1d(c1), tf.tensor2d(w2), tf.tensor1d(c2)];
  model.setWeights(weights);
  tf.dispose(weights);
  return { model, w1, c1, w2, c2 };
}

/** Captum's DeepLift on Dense + f + Dense, in float64: multiplier W1·(W2[:,t] ⊙ Δf/Δz). */
function rescaleReference(f: (z: number) => number, net: ReturnType<typeof oneHiddenLayer>, x: number[][], b: number[][], t: number[]): number[] {
  const out: number[] = [];
  x.forEach((xi, i) => {
    const bi = b[i]!;
    const z = net.c1.map((c, j) => c + xi.reduce((s, v, k) => s + v * net.w1[k]![j]!, 0));
    const z0 = net.c1.map((c, j) => c + bi.reduce((s, v, k) => s + v * net.w1[k]![j]!, 0));
    const gz = z.map((zj, j) => {
      const dIn = zj - z0[j]!;
      const slope = Math.abs(dIn) < 1e-10 ? 0 : (f(zj) - f(z0[j]!)) / dIn;
      return net.w2[j]![t[i]!]! * slope;
    });
    xi.forEach((v, k) => out.push((v - bi[k]!) * gz.reduce((s, g, j) => s + g * net.w1[k]![j]!, 0)));
  });
  return out;
}

describeBackends('deepLift rules recomputed by hand', () => {
  const x = Array.from({ length: 5 }, (_, i) => fixedValues(4, 100 + i, 2));
  const b = Array.from({ length: 5 }, (_, i) => fixedValues(4, 200 + i, 1));
  const targets = [0, 1, 2, 1, 0];

  for (const kind of Object.keys(ACTIVATIONS)) {
    it(`rescale rule on ${kind}, every form of the activation (exactly complete)`, async () => {
      const forms = activationForms(kind);
      expect(forms.length).toBeGreaterThanOrEqual(1);
      for (const form of forms) {
        const net = oneHiddenLayer(form);
        const xt = tf.tensor2d(x);
        const bt = tf.tensor2d(b);
        const r = await deepLift(net.model, xt, { baselines: bt, target: targets, returnConvergenceDelta: true });
        expectCloseToReference(await r.attributions.data(), rescaleReference(ACTIVATIONS[kind]!, net, x, b, targets), { rows: 5 });
        expect(net.model.layers.length, form.label).toBe(form.separate === undefined ? 2 : 3);
        for (const d of await r.convergenceDelta!.data()) expect(Math.abs(d), form.label).toBeLessThan(1e-5);
        tf.dispose([xt, bt, r.attributions, r.convergenceDelta!]);
        net.model.dispose();
      }
    });
  }

  it('softmax rule (layer and fused activation): rescale, then minus the mean over the whole doubled batch', async () => {
    const w = Array.from({ length: 4 }, (_, i) => fixedValues(3, 50 + i, 1.5));
    const c = fixedValues(3, 60, 0.5);
    const softmax = (z: number[]): number[] => {
      const m = Math.max(...z);
      const e = z.map((v) => Math.exp(v - m));
      const s = e.reduce((a, v) => a + v, 0);
      return e.map((v) => v / s);
    };
    const logits = (row: number[]): number[] => c.map((cj, j) => cj + row.reduce((s, v, k) => s + v * w[k]![j]!, 0));
    // Captum: g = one-hot(t) on the input and the baseline rows alike; U = g·Δout/Δin on both
    // halves; the rule subtracts mean(U) over all 2N·3 elements.
    const u = x.map((xi, i) => {
      const z = logits(xi);
      const z0 = logits(b[i]!);
      const p = softmax(z);
      const p0 = softmax(z0);
      return z.map((zj, j) => (j === targets[i] ? 1 : 0) * (p[j]! - p0[j]!) / (zj - z0[j]!));
    });
    const mean = (2 * u.flat().reduce((a, v) => a + v, 0)) / (2 * x.length * 3);
    const expected = x.flatMap((xi, i) => xi.map((v, k) => (v - b[i]![k]!) * u[i]!.reduce((s, uj, j) => s + (uj - mean) * w[k]![j]!, 0)));
    for (const fused of [true, false]) {
      const model = tfl.sequential();
      model.add(tfl.layers.dense({ units: 3, inputShape: [4], activation: fused ? 'softmax' : 'linear' }));
      if (!fused) model.add(tfl.layers.softmax());
      const weights = [tf.tensor2d(w), tf.tensor1d(c)];
      model.setWeights(weights);
      const [xt, bt] = [tf.tensor2d(x), tf.tensor2d(b)];
      const r = await deepLift(model, xt, { baselines: bt, target: targets });
      expectCloseToReference(await r.attributions.data(), expected, { rows: 5 });
      tf.dispose([...weights, xt, bt, r.attributions]);
      model.dispose();
    }
  });

  it('maxpool rule: g·[max(o,o_ref) - o_ref; o - max(o,o_ref)] unpooled to each half\'s argmax', async () => {
    // MaxPooling2D(2) on 4x4 -> Flatten -> Dense(2): the attribution of pixel p is S_p, the sum
    // of what the input's and the baseline's windows unpool to p.
    const n = 3;
    const xv = Array.from({ length: n }, (_, i) => fixedValues(16, 300 + i, 2));
    const bv = Array.from({ length: n }, (_, i) => fixedValues(16, 400 + i, 2));
    const w = Array.from({ length: 4 }, (_, i) => fixedValues(2, 500 + i, 1));
    const t = [0, 1, 1];
    const argmaxAndMax = (img: number[], wr: number, wc: number): [number, number] => {
      let best = -Infinity;
      let at = -1;
      for (const [dr, dc] of [[0, 0], [0, 1], [1, 0], [1, 1]] as const) {
        const p = (2 * wr + dr) * 4 + 2 * wc + dc;
        if (img[p]! > best) [best, at] = [img[p]!, p];
      }
      return [at, best];
    };
    const expected: number[] = [];
    for (let i = 0; i < n; i++) {
      const s = new Array<number>(16).fill(0);
      for (let wr = 0; wr < 2; wr++) {
        for (let wc = 0; wc < 2; wc++) {
          const g = w[wr * 2 + wc]![t[i]!]!;
          const [px, o] = argmaxAndMax(xv[i]!, wr, wc);
          const [pb, oRef] = argmaxAndMax(bv[i]!, wr, wc);
          const m = Math.max(o, oRef);
          s[px] = s[px]! + g * (m - oRef);
          s[pb] = s[pb]! + g * (o - m);
        }
      }
      expected.push(...s);
    }
    const model = tfl.sequential();
    model.add(tfl.layers.maxPooling2d({ poolSize: 2, inputShape: [4, 4, 1] }));
    model.add(tfl.layers.flatten());
    model.add(tfl.layers.dense({ units: 2, useBias: false }));
    const kernel = tf.tensor2d(w);
    model.setWeights([kernel]);
    const [xt, bt] = [tf.tensor4d(xv.flat(), [n, 4, 4, 1]), tf.tensor4d(bv.flat(), [n, 4, 4, 1])];
    const r = await deepLift(model, xt, { baselines: bt, target: t, returnConvergenceDelta: true });
    expectCloseToReference(await r.attributions.data(), expected, { rows: n });
    for (const d of await r.convergenceDelta!.data()) expect(Math.abs(d)).toBeLessThan(1e-5);
    tf.dispose([kernel, xt, bt, r.attributions, r.convergenceDelta!]);
    model.dispose();
  });

  it('max-pooling CNNs are complete: the attributions add up to f(x) - f(b) up to float32 round-off', async () => {
    const x = tf.tidy(() => tf.slice(referenceInputs('cnn'), 0, 12));
    const reversed = tf.tidy(() => tf.reverse(x, 0));
    for (const separate of [false, true]) {
      const model = tfl.sequential();
      const relu = (): void => {
        if (separate) model.add(tfl.layers.reLU());
      };
      const act = separate ? 'linear' : 'relu';
      model.add(tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: act, inputShape: [8, 8, 1] }));
      relu();
      model.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
      model.add(tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: act }));
      relu();
      model.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
      model.add(tfl.layers.flatten());
      model.add(tfl.layers.dense({ units: 10 }));
      setFixedWeights(model, 7, 0.6);
      for (const baselines of [0, reversed]) {
        const r = await deepLift(model, x, { baselines, returnConvergenceDelta: true });
        const outputs = tf.tidy(() => tf.max(tf.abs(model.predict(x) as tf.Tensor)));
        const scale = (await outputs.data())[0]!;
        const deltas = await r.convergenceDelta!.data();
        for (const d of deltas) expect(Math.abs(d)).toBeLessThan(2e-6 * Math.max(1, scale) * 16);
        // Gradient × (x - b) on the same model is far from complete.
        const plain = await deepLiftLikeGradient(model, x, baselines, r.attributions);
        expect(plain).toBeGreaterThan(1e-3);
        tf.dispose([r.attributions, r.convergenceDelta!, outputs]);
      }
      model.dispose();
    }
    tf.dispose([x, reversed]);
  });
});

/** Largest |Σ gradient × (x - b) - Σ attributions| over the rows: how far plain gradients are from DeepLift. */
async function deepLiftLikeGradient(model: tfl.LayersModel, x: tf.Tensor, baselines: number | tf.Tensor, attributions: tf.Tensor): Promise<number> {
  const gap = tf.tidy(() => {
    const b = typeof baselines === 'number' ? tf.fill(x.shape, baselines) : baselines;
    const predicted = tf.argMax(model.predict(x) as tf.Tensor, 1);
    const t = tf.oneHot(predicted, 10);
    // The plain gradient, through the library's unfused Conv2D (tfjs's fused one needs a filter
    // gradient kernel the wasm backend lacks) and with every activation unchanged.
    const g = withSwappedOps(hookSites(model), (op) => op, () => tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(model.apply(xi) as tf.Tensor, t)))(x));
    const plain = tf.sum(tf.reshape(tf.mul(g, tf.sub(x, b)), [x.shape[0]!, -1]), 1);
    const ours = tf.sum(tf.reshape(attributions, [x.shape[0]!, -1]), 1);
    return tf.max(tf.abs(tf.sub(plain, ours)));
  });
  const value = (await gap.data())[0]!;
  gap.dispose();
  return value;
}

describeBackends('deepLift on model structures', () => {
  it('a layer used twice (shared) gets its rule at each use, like two copies of it', async () => {
    const shared = tfl.layers.dense({ units: 4, activation: 'relu' });
    const head = tfl.layers.dense({ units: 3 });
    const input = tfl.input({ shape: [4] });
    const sharedModel = tfl.model({ inputs: input, outputs: head.apply(shared.apply(shared.apply(input))) as tfl.SymbolicTensor });
    setFixedWeights(sharedModel, 3, 0.9);
    const copies = tfl.sequential({
      layers: [
        tfl.layers.dense({ units: 4, activation: 'relu', inputShape: [4] }),
        tfl.layers.dense({ units: 4, activation: 'relu' }),
        tfl.layers.dense({ units: 3 }),
      ],
    });
    const [k, c] = shared.getWeights();
    copies.setWeights([k!, c!, k!, c!, ...head.getWeights()]);
    const x = tf.tensor2d(Array.from({ length: 6 }, (_, i) => fixedValues(4, 700 + i, 2)));
    const a = await deepLift(sharedModel, x, { target: [0, 1, 2, 0, 1, 2], returnConvergenceDelta: true });
    const bRes = await deepLift(copies, x, { target: [0, 1, 2, 0, 1, 2] });
    expectCloseToReference(await a.attributions.data(), Array.from(await bRes.attributions.data()), { rows: 6, atol: 1e-6 });
    for (const d of await a.convergenceDelta!.data()) expect(Math.abs(d)).toBeLessThan(1e-5);
    tf.dispose([x, a.attributions, a.convergenceDelta!, bRes.attributions]);
    sharedModel.dispose();
    copies.dispose();
  });

  it('a nested Sequential inside a functional model is hooked like the flat model', async () => {
    const inner = digitsModel('mlp');
    const input = tfl.input({ shape: [64] });
    const outer = tfl.model({ inputs: input, outputs: inner.apply(input) as tfl.SymbolicTensor });
    const x = referenceInputs('mlp');
    const key = 'mlp/pred/deeplift';
    const r = await deepLift(outer, x, { target: targetsOf('mlp', key) });
    expectCloseToReference(await r.attributions.data(), referenceCase('mlp', key).attr);
    tf.dispose([x, r.attributions]);
    outer.dispose();
  });

  it('the model is unchanged after a call, and after a call that throws inside the model', async () => {
    const model = digitsModel('cnn');
    const x = tf.tidy(() => tf.slice(referenceInputs('cnn'), 0, 4));
    const snapshot = snapshotModel(model, x);
    const r = await deepLift(model, x, { returnConvergenceDelta: true });
    snapshot.expectUnchanged();
    tf.dispose([r.attributions, r.convergenceDelta!]);
    snapshot.dispose();

    // The model accepts the batch but not DeepLift's doubled batch: the error comes from inside
    // the swapped region, which must be restored and leave nothing behind.
    const throwing = tfl.sequential({ layers: [tfl.layers.dense({ units: 5, activation: 'relu', inputShape: [64] }), new ThrowOnLargeBatch(4), tfl.layers.dense({ units: 3 })] });
    const xs = tf.tidy(() => tf.slice(referenceInputs('mlp'), 0, 4));
    const throwingSnapshot = snapshotModel(throwing, xs);
    const zeroBaseline = tf.zeros([1, 64]);
    await expectNoLeaks(async () => {
      await expect(deepLift(throwing, xs)).rejects.toThrow(/ThrowOnLargeBatch: 8 rows/);
      await expect(deepLiftShap(throwing, xs, { baselines: zeroBaseline })).rejects.toThrow(/ThrowOnLargeBatch/);
    });
    throwingSnapshot.expectUnchanged();
    throwingSnapshot.dispose();
    tf.dispose([x, xs, zeroBaseline]);
    model.dispose();
    throwing.dispose();
  });
});

describeBackends('deepLift options, errors and memory', () => {
  it('internalBatchSize splits the work without changing the results', async () => {
    const model = digitsModel('mlp');
    const x = tf.tidy(() => tf.slice(referenceInputs('mlp'), 0, 11));
    const baselines = tf.tidy(() => tf.slice(shapBaselines('mlp'), 0, 3));
    const whole = await deepLift(model, x, { returnConvergenceDelta: true });
    const split = await deepLift(model, x, { returnConvergenceDelta: true, internalBatchSize: 4 });
    expectCloseToReference(await split.attributions.data(), Array.from(await whole.attributions.data()), { rows: 11, atol: 1e-6 });
    expectCloseToReference(await split.convergenceDelta!.data(), Array.from(await whole.convergenceDelta!.data()), { rows: 11, atol: 1e-6 });
    const shapWhole = await deepLiftShap(model, x, { baselines, returnConvergenceDelta: true });
    const shapSplit = await deepLiftShap(model, x, { baselines, returnConvergenceDelta: true, internalBatchSize: 7 });
    expectCloseToReference(await shapSplit.attributions.data(), Array.from(await shapWhole.attributions.data()), { rows: 11, atol: 1e-6 });
    expect(shapSplit.convergenceDelta!.shape).toEqual([33]);
    expectCloseToReference(await shapSplit.convergenceDelta!.data(), Array.from(await shapWhole.convergenceDelta!.data()), { rows: 33, atol: 1e-6 });
    tf.dispose([x, baselines, whole.attributions, whole.convergenceDelta!, split.attributions, split.convergenceDelta!]);
    tf.dispose([shapWhole.attributions, shapWhole.convergenceDelta!, shapSplit.attributions, shapSplit.convergenceDelta!]);
    model.dispose();
  });

  it('deepLiftShap with one baseline is deepLift against it; without the option no delta is returned', async () => {
    const model = digitsModel('mlp', { separateRelu: false });
    const x = tf.tidy(() => tf.slice(referenceInputs('mlp'), 0, 6));
    const one = tf.tidy(() => tf.slice(shapBaselines('mlp'), 2, 1));
    const shap = await deepLiftShap(model, x, { baselines: one });
    const single = await deepLift(model, x, { baselines: tf.reshape(one, [64]) });
    expect(shap.convergenceDelta).toBeUndefined();
    expect(single.convergenceDelta).toBeUndefined();
    expectCloseToReference(await shap.attributions.data(), Array.from(await single.attributions.data()), { rows: 6, atol: 1e-6 });
    tf.dispose([x, one, shap.attributions, single.attributions]);
    model.dispose();
  });

  it('multiplyByInputs: false returns the multipliers; a large eps falls back to the plain gradient everywhere', async () => {
    const model = digitsModel('mlp', { separateRelu: false });
    const x = tf.tidy(() => tf.slice(referenceInputs('mlp'), 0, 7));
    const baselines = tf.tidy(() => tf.slice(shapBaselines('mlp'), 0, 7));
    const attributions = await deepLift(model, x, { baselines });
    const multipliers = await deepLift(model, x, { baselines, multiplyByInputs: false });
    const rebuilt = tf.tidy(() => tf.mul(tf.sub(x, baselines), multipliers.attributions));
    expectCloseToReference(await rebuilt.data(), Array.from(await attributions.attributions.data()), { rows: 7, atol: 1e-6 });
    const shapMultipliers = await deepLiftShap(model, x, { baselines, multiplyByInputs: false });
    expect(shapMultipliers.attributions.shape).toEqual(x.shape);

    // |Δin| < eps everywhere: every nonlinearity keeps its gradient, so DeepLift is gradient × x.
    const target = [0, 1, 2, 3, 4, 5, 6];
    const plain = gradientTimesDifference(model, x, target);
    const flatEps = await deepLift(model, x, { target, eps: 1e9 });
    expectCloseToReference(await flatEps.attributions.data(), Array.from(await plain.data()), { rows: 7, atol: 1e-6 });
    const rescaled = await deepLift(model, x, { target });
    expect(Math.max(...Array.from(await tf.tidy(() => tf.abs(tf.sub(rescaled.attributions, plain))).data()))).toBeGreaterThan(1e-3);
    tf.dispose([x, baselines, attributions.attributions, multipliers.attributions, rebuilt, shapMultipliers.attributions, plain, flatEps.attributions, rescaled.attributions]);
    model.dispose();
  });

  it('typed errors name the argument', async () => {
    const model = digitsModel('mlp');
    const x = tf.tidy(() => tf.slice(referenceInputs('mlp'), 0, 3));
    const plainFunction = (t: tf.Tensor): tf.Tensor => model.apply(t) as tf.Tensor;
    await expectRejectsInvalid(deepLift(plainFunction, x), 'deepLift', 'model', /LayersModel.*plain function/);
    await expectRejectsInvalid(deepLiftShap(plainFunction, x, { baselines: x }), 'deepLiftShap', 'model', /LayersModel/);
    await expectRejectsInvalid(deepLift(model, x, { baselines: tf.zeros([2, 64]) }), 'deepLift', 'options.baselines', /shape/);
    await expectRejectsInvalid(deepLift(model, x, { target: [0, 1, 10] }), 'deepLift', 'options.target[2]', /\[0, 10\)/);
    await expectRejectsInvalid(deepLift(model, x, { target: [0, 1] }), 'deepLift', 'options.target', /one class index per example/);
    await expectRejectsInvalid(deepLift(model, x, { internalBatchSize: 0 }), 'deepLift', 'options.internalBatchSize', /integer >= 1/);
    await expectRejectsInvalid(deepLift(model, x, { returnConvergenceDelta: 'yes' as unknown as boolean }), 'deepLift', 'options.returnConvergenceDelta', /true or false/);
    await expectRejectsInvalid(deepLift(model, x, { eps: -1 }), 'deepLift', 'options.eps', />= 0/);
    await expectRejectsInvalid(deepLiftShap(model, x, { baselines: x, multiplyByInputs: 0 as unknown as boolean }), 'deepLiftShap', 'options.multiplyByInputs', /true or false/);
    await expectRejectsInvalid(deepLiftShap(model, x, undefined as unknown as { baselines: tf.Tensor }), 'deepLiftShap', 'options.baselines', /\[baselines, 64\]/);
    await expectRejectsInvalid(deepLiftShap(model, x, { baselines: tf.zeros([4, 63]) }), 'deepLiftShap', 'options.baselines', /\[baselines, 64\]/);
    await expectRejectsInvalid(deepLift(model, tf.tensor1d([1, 2])), 'deepLift', 'x', /rank >= 2/);
    tf.dispose(x);
    model.dispose();
  });

  it('an aborted signal stops the computation with an AbortedError', async () => {
    const model = digitsModel('mlp');
    const x = tf.tidy(() => tf.slice(referenceInputs('mlp'), 0, 4));
    const controller = new AbortController();
    controller.abort();
    await expect(deepLift(model, x, { signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
    await expect(deepLiftShap(model, x, { baselines: x, signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
    tf.dispose(x);
    model.dispose();
  });

  it('leaves no tensors behind (results, deltas, chunks, errors)', async () => {
    const model = digitsModel('cnn', { separateRelu: false });
    const x = tf.tidy(() => tf.slice(referenceInputs('cnn'), 0, 3));
    const baselines = tf.tidy(() => tf.slice(shapBaselines('cnn'), 0, 2));
    await expectNoLeaks(() => deepLift(model, x, { returnConvergenceDelta: true, internalBatchSize: 2 }));
    await expectNoLeaks(() => deepLiftShap(model, x, { baselines, returnConvergenceDelta: true, internalBatchSize: 3 }));
    const wrongBaselines = tf.zeros([2, 8, 8, 1]);
    await expectNoLeaks(async () => {
      await expect(deepLift(model, x, { baselines: wrongBaselines })).rejects.toThrow();
    });
    tf.dispose([x, baselines, wrongBaselines]);
    model.dispose();
  });
});

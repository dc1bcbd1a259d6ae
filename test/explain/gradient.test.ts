/**
 * Saliency, input × gradient and integrated gradients against every stored Captum case of
 * attributions_{mlp,cnn,adult}.json (the notes' tolerance for gradient methods:
 * 1e-5 + 1e-4·|value|), the stored convergence deltas included.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import adult from '../fixtures/explain/adult_model.json';
import { integratedGradients, inputXGradient, saliency } from '../../src/explain/index.js';
import type { IntegrationMethod } from '../../src/explain/index.js';
import { pathRule } from '../../src/explain/gradient/quadrature.js';
import { describeBackends } from '../helpers/backends.js';
import {
  digitsModel, explainModel, expectCloseToReference, referenceCase, referenceCaseKeys, referenceInputs, referenceTargets,
  type ExplainModelName,
} from './fixtures.js';

const MODELS: readonly ExplainModelName[] = ['mlp', 'cnn', 'adult'];

/** Captum's method names in the case keys, as this library spells them. */
const METHODS: Record<string, IntegrationMethod> = {
  riemann_left: 'riemannLeft',
  riemann_right: 'riemannRight',
  riemann_middle: 'riemannMiddle',
  riemann_trapezoid: 'riemannTrapezoid',
  gausslegendre: 'gaussLegendre',
};

/** The case's target classes (pred: Captum's argmax on the clean input; true: the labels). */
function targetsOf(name: ExplainModelName, key: string): number[] {
  return referenceTargets(name, key.split('/')[1] as 'pred' | 'true');
}

function fragileRows(name: ExplainModelName, key: string): number[] {
  return (referenceCase(name, key).fragile as number[] | undefined) ?? [];
}

/**
 * Rows whose integration path passes within `margin` of a ReLU kink: a pre-activation at one of
 * the path points `α_k x` is so close to 0 (2e-7: a few float32 round-offs of these sums of 64 to
 * 72 products of order 1) that round-off decides the ReLU's side, and a
 * backend summing in another order than torch may take the other side (one path point's gradient
 * then changes by a step: on wasm, CNN row 14 at Gauss-Legendre n=50, point α = 0.36, has a conv2
 * pre-activation of 7e-8). Such rows are fragile in float32 and skipped, as the notes skip theirs.
 * Found from the model itself (its separate-ReLU form, forward only), not from a list.
 */
function kinkRows(name: ExplainModelName, x: tf.Tensor, alphas: Float32Array, margin = 2e-7): number[] {
  if (name === 'adult') return [];
  const probe = digitsModel(name);
  const names = probe.layers.map((l) => l.name);
  const preRelu = probe.layers.filter((l) => names.includes(`${l.name}_relu`)).map((l) => l.output as tfl.SymbolicTensor);
  const taps = tfl.model({ inputs: probe.inputs, outputs: preRelu });
  const batch = x.shape[0]!;
  const closest = tf.tidy(() => {
    const points = tf.reshape(tf.mul(tf.reshape(tf.tensor1d(alphas), [-1, 1, ...x.shape.slice(1).map(() => 1)]), tf.expandDims(x, 0)), [-1, ...x.shape.slice(1)]);
    const outs = [taps.predict(points)].flat();
    const perLayer = outs.map((z) => tf.min(tf.reshape(tf.abs(z), [alphas.length, batch, -1]), [0, 2]));
    return tf.min(tf.stack(perLayer), 0);
  });
  const values = closest.dataSync();
  closest.dispose();
  probe.dispose();
  const rows: number[] = [];
  values.forEach((v, i) => { if (v < margin) rows.push(i); });
  return rows;
}

/** Delta tolerance: the stored float32 deltas differ from float64 by up to 8e-6 (CNN logits near 50). */
const DELTA_TOLERANCE = { atol: 3e-5, rtol: 1e-4 };

describeBackends('explain gradient methods against Captum', () => {
  for (const name of MODELS) {
    const keys = referenceCaseKeys(name);
    expect(keys.filter((k) => k.includes('/ig/')).length).toBeGreaterThanOrEqual(10);

    it(`${name}: saliency (abs true and false) and input × gradient, every target set`, async () => {
      const model = explainModel(name);
      const x = referenceInputs(name);
      const cases = keys.filter((k) => k.includes('/saliency/') || k.endsWith('/input_x_gradient'));
      expect(cases.length).toBeGreaterThanOrEqual(3);
      for (const key of cases) {
        const target = targetsOf(name, key);
        const c = referenceCase(name, key);
        const { attributions } = key.endsWith('/input_x_gradient')
          ? await inputXGradient(model, x, { target })
          : await saliency(model, x, { target, abs: (c.settings as { abs: boolean }).abs });
        expect(attributions.shape).toEqual(x.shape);
        expectCloseToReference(await attributions.data(), c.attr, { skipRows: fragileRows(name, key) });
        attributions.dispose();
      }
      x.dispose();
      model.dispose();
    });

    // One test per stored case (the CNN's 2,500-row cases take a second or more on the cpu backend).
    for (const key of keys.filter((k) => k.includes('/ig/'))) {
      it(`${key}: integrated gradients and Captum's delta`, async () => {
        const model = explainModel(name);
        const x = referenceInputs(name);
        const c = referenceCase(name, key);
        const settings = c.settings as { n_steps: number; method: string; baselines: string };
        expect(settings.baselines).toBe('zeros');
        const method = METHODS[settings.method]!;
        const { attributions, convergenceDelta } = await integratedGradients(model, x, {
          target: targetsOf(name, key), steps: settings.n_steps, method, returnConvergenceDelta: true,
        });
        const kinks = kinkRows(name, x, pathRule(method, settings.n_steps).alphas);
        // A float32 kink is rare: if many rows were skipped, something else would be wrong.
        expect(kinks.length).toBeLessThanOrEqual(2);
        const skipRows = [...fragileRows(name, key), ...kinks];
        expectCloseToReference(await attributions.data(), c.attr, { skipRows });
        expectCloseToReference(await convergenceDelta!.data(), c.delta, { ...DELTA_TOLERANCE, skipRows });
        tf.dispose([x, attributions, convergenceDelta!]);
        model.dispose();
      });
    }
  }

  it('adult: integrated gradients from the training mean (one example as every baseline)', async () => {
    const model = explainModel('adult');
    const x = referenceInputs('adult');
    const key = 'adult/pred/ig_trainmean/gausslegendre/n50';
    const c = referenceCase('adult', key);
    const mean = tf.tensor1d(adult.train_mean_features_float32);
    const { attributions, convergenceDelta } = await integratedGradients(model, x, {
      target: targetsOf('adult', key), baselines: mean, steps: 50, method: 'gaussLegendre', returnConvergenceDelta: true,
    });
    expectCloseToReference(await attributions.data(), c.attr);
    expectCloseToReference(await convergenceDelta!.data(), c.delta, DELTA_TOLERANCE);
    // The same baseline given per example gives the same numbers.
    const perExample = tf.tile(tf.reshape(mean, [1, 10]), [50, 1]);
    const again = await integratedGradients(model, x, { target: targetsOf('adult', key), baselines: perExample });
    expectCloseToReference(await again.attributions.data(), c.attr);
    tf.dispose([x, mean, perExample, attributions, convergenceDelta!, again.attributions]);
    model.dispose();
  });

  it("the 'predicted' target and the default options reproduce Captum's pred cases", async () => {
    for (const name of MODELS) {
      const model = explainModel(name);
      const x = referenceInputs(name);
      const sal = await saliency(model, x);
      expectCloseToReference(await sal.attributions.data(), referenceCase(name, `${name}/pred/saliency/abs_true`).attr);
      // Captum's defaults: gausslegendre, 50 steps, zero baselines.
      const ig = await integratedGradients(model, x);
      expect(ig.convergenceDelta).toBeUndefined();
      const skipRows = kinkRows(name, x, pathRule('gaussLegendre', 50).alphas);
      expectCloseToReference(await ig.attributions.data(), referenceCase(name, `${name}/pred/ig/gausslegendre/n50`).attr, { skipRows });
      tf.dispose([x, sal.attributions, ig.attributions]);
      model.dispose();
    }
  });

  it('the CNN with its ReLUs fused into the conv layers (the same function) gives the same saliency and IG', async () => {
    const model = digitsModel('cnn', { separateRelu: false });
    const rows = 8;
    const x = tf.slice(referenceInputs('cnn'), 0, rows);
    const target = referenceTargets('cnn', 'pred').slice(0, rows);
    const sal = await saliency(model, x, { target, abs: false });
    expectCloseToReference(await sal.attributions.data(), (referenceCase('cnn', 'cnn/pred/saliency/abs_false').attr as unknown[]).slice(0, rows), { rows });
    const c = referenceCase('cnn', 'cnn/pred/ig/riemann_middle/n20');
    const { attributions, convergenceDelta } = await integratedGradients(model, x, { target, steps: 20, method: 'riemannMiddle', returnConvergenceDelta: true });
    expectCloseToReference(await attributions.data(), (c.attr as unknown[]).slice(0, rows), { rows });
    expectCloseToReference(await convergenceDelta!.data(), (c.delta as number[]).slice(0, rows), { ...DELTA_TOLERANCE, rows });
    tf.dispose([x, sal.attributions, attributions, convergenceDelta!]);
    model.dispose();
  });

  it('the separate-ReLU model is restored after the gradient passes (same predictions, no swapped call left)', async () => {
    const model = explainModel('cnn');
    const x = tf.slice(referenceInputs('cnn'), 0, 4);
    const before = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync());
    const { attributions } = await integratedGradients(model, x, { steps: 4 });
    expect(Array.from(tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync()))).toEqual(Array.from(before));
    expect(model.layers.some((l) => Object.prototype.hasOwnProperty.call(l, 'call'))).toBe(false);
    tf.dispose([x, attributions]);
    model.dispose();
  });

  it('internalBatchSize (larger, smaller than the batch, not a multiple) changes nothing beyond round-off', async () => {
    const model = explainModel('cnn');
    const x = referenceInputs('cnn');
    const c = referenceCase('cnn', 'cnn/pred/ig/riemann_trapezoid/n20');
    const target = referenceTargets('cnn', 'pred');
    for (const internalBatchSize of [1000, 137, 50, 7]) {
      const { attributions, convergenceDelta } = await integratedGradients(model, x, {
        target, steps: 20, method: 'riemannTrapezoid', internalBatchSize, returnConvergenceDelta: true,
      });
      expectCloseToReference(await attributions.data(), c.attr);
      expectCloseToReference(await convergenceDelta!.data(), c.delta, DELTA_TOLERANCE);
      tf.dispose([attributions, convergenceDelta!]);
    }
    x.dispose();
    model.dispose();
  });
});

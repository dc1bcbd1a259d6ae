/**
 * Conv1D and SeparableConv2D beyond the shared model cases (models.ts runs their autodiff check):
 * dilated layers against an equivalent undilated model (tfjs cannot differentiate dilated
 * convolutions, so the reference is the same network with zeros between the kernel taps), the
 * rules' weighted sums against their per-example gradients, private training without leaks, and
 * the options the engine refuses.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { seededRng } from '../../../src/core/index.js';
import {
  checkModelSupport, checkPerExampleGradients, dpSgdStep, fitPrivately, perExampleGradients, UnsupportedLayerError,
} from '../../../src/privacy/index.js';
import { capture } from '../../../src/privacy/dpsgd/capture.js';
import { modelPlan } from '../../../src/privacy/dpsgd/modelPlan.js';
import { scaleRows, squaredNormsPerExample } from '../../../src/privacy/dpsgd/rules/common.js';
import { describeBackends } from '../../helpers/backends.js';
import { expectNoLeaks } from '../../helpers/leaks.js';
import { clippedMean, instantiate, loopGradients, MODEL_CASES, relativeError, seededInput, seedWeights } from './models.js';

const BATCH = 4;
const TOLERANCE = 1e-5;
const conv1dCase = MODEL_CASES.find((c) => c.name.startsWith('Conv1D'))!;
const separableCase = MODEL_CASES.find((c) => c.name.startsWith('SeparableConv2D'))!;

/** A model with dilated convolutions and its undilated twin (the same taps spelled out with zeros). */
interface DilatedCase {
  readonly name: string;
  readonly inputShape: number[];
  readonly build: (undilated: boolean) => tfl.LayersModel;
  /** Per weight of `build(false)`, the dilation of its leading (spatial) axes, or undefined for an unchanged weight. */
  readonly dilations: readonly (readonly number[] | undefined)[];
}

const span = (undilated: boolean, k: number, d: number) => (undilated ? (k - 1) * d + 1 : k);

const DILATED_CASES: readonly DilatedCase[] = [
  {
    name: 'Conv1D after a Dense on sequences (valid and same)',
    inputShape: [9, 2],
    dilations: [undefined, undefined, [2], undefined, [3], undefined, undefined, undefined],
    build: (u) =>
      tfl.sequential({
        layers: [
          tfl.layers.dense({ inputShape: [9, 2], units: 3, activation: 'tanh' }),
          tfl.layers.conv1d({ filters: 2, kernelSize: span(u, 3, 2), dilationRate: u ? 1 : 2, activation: 'relu' }),
          tfl.layers.conv1d({ filters: 2, kernelSize: span(u, 2, 3), dilationRate: u ? 1 : 3, padding: 'same' }),
          tfl.layers.flatten(),
          tfl.layers.dense({ units: 3, activation: 'softmax' }),
        ],
      }),
  },
  {
    name: 'SeparableConv2D after a Dense (valid and same, depthMultiplier)',
    inputShape: [7, 7, 2],
    dilations: [undefined, undefined, [2, 2], undefined, undefined, [2, 1], undefined, undefined, undefined],
    build: (u) =>
      tfl.sequential({
        layers: [
          tfl.layers.dense({ inputShape: [7, 7, 2], units: 2, activation: 'tanh' }),
          tfl.layers.separableConv2d({ filters: 3, kernelSize: span(u, 2, 2), dilationRate: u ? 1 : 2, depthMultiplier: 2, activation: 'relu' }),
          tfl.layers.separableConv2d({ filters: 2, kernelSize: [span(u, 2, 2), 3], dilationRate: u ? 1 : [2, 1], padding: 'same', useBias: false }),
          tfl.layers.flatten(),
          tfl.layers.dense({ units: 3, activation: 'softmax' }),
        ],
      }),
  },
];

/** Maps a flat index of a kernel of `shape` to the undilated kernel's flat index (tap i moves to i * d on each dilated axis). */
function undilatedIndex(shape: readonly number[], dilations: readonly number[]): (flat: number) => number {
  const big = shape.map((n, a) => (a < dilations.length ? (n - 1) * dilations[a]! + 1 : n));
  return (flat) => {
    let rest = flat;
    let out = 0;
    let stride = 1;
    for (let a = shape.length - 1; a >= 0; a--) {
      const i = rest % shape[a]!;
      rest = Math.floor(rest / shape[a]!);
      out += (a < dilations.length ? i * dilations[a]! : i) * stride;
      stride *= big[a]!;
    }
    return out;
  };
}


describeBackends('Conv1D and SeparableConv2D rules', (backend) => {
  for (const d of DILATED_CASES) {
    it(`dilated ${d.name} equals its undilated twin with zero-filled kernels (reference on cpu)`, async () => {
      const dilated = d.build(false);
      seedWeights(dilated, 11);
      const weights = dilated.getWeights();
      const expanded = await Promise.all(
        weights.map(async (w, k) => {
          const dil = d.dilations[k];
          if (dil === undefined) return tf.clone(w);
          const shape = w.shape.map((n, a) => (a < dil.length ? (n - 1) * dil[a]! + 1 : n));
          const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
          const at = undilatedIndex(w.shape, dil);
          (await w.data()).forEach((v, j) => (values[at(j)] = v));
          return tf.tensor(values, shape);
        }),
      );
      const reference = d.build(true);
      reference.setWeights(expanded);
      // getWeights returns the variables themselves: only the copies are disposed.
      tf.dispose(expanded);
      const x = seededInput([BATCH, ...d.inputShape], 12);
      const y = [0, 2, 1, 2];
      const r = perExampleGradients(dilated, x, y);
      const mine = await Promise.all(r.gradients.map(async (g) => (await g.data()) as Float32Array));
      const losses = await r.losses.data();
      tf.dispose([...r.gradients, r.losses]);
      await tf.setBackend('cpu');
      const ref = await loopGradients(reference, x, y, true);
      // tfjs's own dilated layers compute the undilated twin's outputs, and so does the engine.
      const [outputs, refOutputs, refLosses] = tf.tidy(() => {
        const p = reference.predict(x) as tf.Tensor;
        return [dilated.predict(x) as tf.Tensor, p, tf.neg(tf.sum(tf.mul(tf.oneHot(y, 3), tf.log(p)), 1))];
      });
      expect(relativeError(await outputs.data(), await refOutputs.data())).toBeLessThan(TOLERANCE);
      const refLossValues = await refLosses.data();
      tf.dispose([outputs, refOutputs, refLosses]);
      await tf.setBackend(backend);
      for (let i = 0; i < BATCH; i++) expect(losses[i]).toBeCloseTo(refLossValues[i]!, 5);
      for (let k = 0; k < mine.length; k++) {
        const per = mine[k]!.length / BATCH;
        const dil = d.dilations[k];
        const at = dil === undefined ? (j: number) => j : undilatedIndex(dilated.trainableWeights[k]!.shape as number[], dil);
        for (let i = 0; i < BATCH; i++) {
          const got = mine[k]!.subarray(i * per, (i + 1) * per);
          const want = Float32Array.from(got, (_, j) => ref[i]![k]![at(j)]!);
          expect(relativeError(got, want), `${r.names[k]} example ${i}`).toBeLessThan(TOLERANCE);
        }
      }
      x.dispose();
      dilated.dispose();
      reference.dispose();
    });
  }

  for (const c of [conv1dCase, separableCase]) {
    describe(c.name, () => {
      it('weighted sums and ghost norms agree with the per-example gradients', async () => {
        const { model, x, y } = instantiate(c, BATCH, 3);
        const plan = modelPlan('test', model);
        const labels = tf.oneHot(y, c.classes) as tf.Tensor2D;
        const cap = capture(plan, x, labels, false);
        const coefficients = [0.3, -1.2, 0.7, 2];
        const checks = tf.tidy(() => {
          const cs = tf.tensor1d(coefficients);
          return plan.sites.flatMap((site, s) => {
            const call = cap.calls[s]!;
            const per = site.rule.perExample(site.layer, call);
            const sums = site.rule.weightedSum(site.layer, call, cs);
            const ghost = site.rule.ghostSquaredNorms(site.layer, call);
            const out = per.map((g, k) => ({ got: sums[k]!, want: tf.sum(scaleRows(g, cs), 0), kind: `${site.path} sum ${k}` }));
            if (ghost !== undefined) out.push({ got: ghost, want: tf.addN(per.map(squaredNormsPerExample)), kind: `${site.path} ghost` });
            return out;
          });
        });
        expect(checks.length).toBeGreaterThanOrEqual(plan.weights.length);
        for (const { got, want, kind } of checks) {
          expect(got.shape, kind).toEqual(want.shape);
          expect(relativeError(await got.data(), await want.data()), kind).toBeLessThan(TOLERANCE);
        }
        tf.dispose([...checks.flatMap((t) => [t.got, t.want]), labels, x]);
        cap.dispose();
      });

      it('a noise-free dpSgdStep moves the weights by the mean clipped gradient', async () => {
        const { model, x, y } = instantiate(c, 6, 4);
        const { gradients, losses } = perExampleGradients(model, x, y);
        const expected = clippedMean(await Promise.all(gradients.map(async (g) => (await g.data()) as Float32Array)), 6, 0.05);
        const before = await Promise.all(model.trainableWeights.map(async (w) => Array.from(await w.read().data())));
        const optimizer = tf.train.sgd(1);
        await dpSgdStep(model, x, y, { optimizer, maxGradNorm: 0.05, noiseMultiplier: 0, expectedBatchSize: 6 });
        const after = await Promise.all(model.trainableWeights.map(async (w) => Array.from(await w.read().data())));
        after.forEach((w, k) => w.forEach((v, j) => expect(before[k]![j]! - v).toBeCloseTo(expected[k]![j]!, 6)));
        tf.dispose([...gradients, losses, x]);
        optimizer.dispose();
        model.dispose();
      });

      it('fitPrivately trains and leaks nothing over an epoch', async () => {
        const { model, x, y } = instantiate(c, 20, 5);
        const before = await model.trainableWeights[0]!.read().data();
        const optimizer = tf.train.sgd(0.1);
        const run = () =>
          fitPrivately(model, x, y, { epochs: 1, batchSize: 5, maxGradNorm: 1, noiseMultiplier: 1.1, delta: 1e-5, optimizer, rng: seededRng(7) });
        const result = await expectNoLeaks(run);
        expect(result.history.epsilon).toHaveLength(1);
        const after = await model.trainableWeights[0]!.read().data();
        expect(after.every(Number.isFinite)).toBe(true);
        expect(Array.from(after)).not.toEqual(Array.from(before));
        tf.dispose(x);
        optimizer.dispose();
        model.dispose();
      });
    });
  }

  if (backend === 'cpu') {
    it('checkPerExampleGradients passes on both models', async () => {
      for (const c of [conv1dCase, separableCase]) {
        const { model, x, y } = instantiate(c, 3, 6);
        const check = await checkPerExampleGradients(model, x, y);
        expect(check.ok, c.name).toBe(true);
        expect(check.maxError).toBeLessThan(TOLERANCE);
        x.dispose();
      }
    });
  }
});

describe('refused Conv1D and SeparableConv2D options', () => {
  const cases: { name: string; layer: () => tfl.layers.Layer; inputShape: number[]; reason: RegExp }[] = [
    { name: 'causal Conv1D', inputShape: [6, 2], layer: () => tfl.layers.conv1d({ name: 'causal', filters: 2, kernelSize: 2, padding: 'causal' }), reason: /padding 'causal'.*tfjs-layers' own Conv1D throws/ },
    {
      name: 'strided dilated Conv1D', inputShape: [9, 2],
      layer: () => tfl.layers.conv1d({ name: 'stridedDilated', filters: 2, kernelSize: 2, strides: 2, dilationRate: 2 }), reason: /strides > 1 together with dilationRate > 1/,
    },
    {
      name: 'channelsFirst Conv1D', inputShape: [2, 6],
      layer: () => tfl.layers.conv1d({ name: 'channelsFirst', filters: 2, kernelSize: 2, dataFormat: 'channelsFirst' }), reason: /dataFormat 'channelsFirst'/,
    },
    {
      name: 'strided dilated SeparableConv2D', inputShape: [6, 6, 2],
      layer: () => tfl.layers.separableConv2d({ name: 'dilatedSeparable', filters: 2, kernelSize: 2, strides: 2, dilationRate: 2 }), reason: /strides > 1 together with dilationRate > 1/,
    },
    {
      name: 'SeparableConv2D with a pointwise regularizer', inputShape: [6, 6, 2],
      layer: () => tfl.layers.separableConv2d({ name: 'regularized', filters: 2, kernelSize: 2, pointwiseRegularizer: tfl.regularizers.l2() }), reason: /pointwiseRegularizer/,
    },
  ];
  for (const c of cases) {
    it(`${c.name}: a typed error naming the layer and the reason`, async () => {
      const layer = c.layer();
      const model = tfl.sequential({ layers: [tfl.layers.inputLayer({ inputShape: c.inputShape }), layer, tfl.layers.flatten(), tfl.layers.dense({ units: 2 })] });
      const report = checkModelSupport(model);
      expect(report.supported).toBe(false);
      expect(report.unsupported).toHaveLength(1);
      expect(report.unsupported[0]!.name).toBe(layer.name);
      expect(report.unsupported[0]!.reason).toMatch(c.reason);
      const x = tf.zeros([2, ...c.inputShape]);
      expect(() => perExampleGradients(model, x, [0, 1])).toThrow(UnsupportedLayerError);
      expect(() => perExampleGradients(model, x, [0, 1])).toThrow(new RegExp(`${layer.name} \\(${layer.getClassName()}\\)`));
      x.dispose();
      model.dispose();
    });
  }
});

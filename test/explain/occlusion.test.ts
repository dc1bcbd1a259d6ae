/**
 * occlusion against every stored Captum Occlusion case (MLP 1-D windows, CNN 2-D windows), its
 * window geometry and averaging on hand-checked cases, and its batching (a bounded number of
 * model calls).
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { occlusion } from '../../src/explain/index.js';
import { windowElements, windowGrid } from '../../src/explain/perturbation/windows.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';
import { explainModel, expectCloseToReference, referenceCase, referenceCaseKeys, referenceInputs } from './fixtures.js';
import { caseBaseline, caseTargets, checkKnownSettings, PERTURBATION_TOLERANCE, toOurAxes } from './perturbationCases.js';

describeBackends('occlusion', () => {
  for (const name of ['mlp', 'cnn', 'adult'] as const) {
    for (const key of referenceCaseKeys(name).filter((k) => k.split('/')[2] === 'occlusion')) {
      it(`matches Captum: ${key}`, async () => {
        const c = referenceCase(name, key);
        checkKnownSettings(c);
        const model = explainModel(name);
        const x = referenceInputs(name);
        const baseline = caseBaseline(c);
        const s = c.settings as { sliding_window_shapes: number[]; strides: number | number[] };
        const strides = typeof s.strides === 'number' ? s.strides : toOurAxes(name, s.strides);
        let values: Float32Array | undefined;
        await expectNoLeaks(async () => {
          const result = await occlusion(model, x, { window: toOurAxes(name, s.sliding_window_shapes), strides, baseline, target: caseTargets(name, c) });
          expect(result.attributions.shape).toEqual(x.shape);
          values = (await result.attributions.data()) as Float32Array;
          return result;
        });
        expectCloseToReference(values!, c.attr, { ...PERTURBATION_TOLERANCE, skipRows: c.fragile ?? [] });
        tf.dispose([x, baseline as tf.Tensor]);
        model.dispose();
      });
    }
  }

  it('lays windows out as Captum: D=8, w=3, s=2 starts at 0, 2, 4, 6 and crops the last', () => {
    const grid = windowGrid('occlusion', [8], [3], 2);
    expect(grid.counts).toEqual([4]);
    expect(Array.from({ length: 4 }, (_, w) => Array.from(windowElements(grid, w)))).toEqual([[0, 1, 2], [2, 3, 4], [4, 5, 6], [6, 7]]);
    // 2-D: the first axis varies fastest, flat indices are row-major.
    const grid2 = windowGrid('occlusion', [3, 4], [2, 2], [1, 2]);
    expect(grid2.counts).toEqual([2, 2]);
    expect(Array.from(windowElements(grid2, 1))).toEqual([4, 5, 8, 9]);
    expect(Array.from(windowElements(grid2, 2))).toEqual([2, 3, 6, 7]);
    // A window that covers an axis whole may have any stride there (one position).
    expect(windowGrid('occlusion', [4, 2], [2, 2], [2, 5]).counts).toEqual([2, 1]);
  });

  it('averages each element over the windows that cover it (a linear model, by hand)', async () => {
    // f(x) = [Σ w_e x_e, 0]: the Δ of a window is the weighted sum of what it occludes.
    const w = tf.tensor2d([[1, 0], [2, 0], [4, 0], [8, 0], [16, 0]]);
    const model = (x: tf.Tensor): tf.Tensor => tf.matMul(x, w);
    const x = tf.tensor2d([[1, 1, 1, 1, 1], [1, -1, 2, 0, 3]]);
    const { attributions } = await occlusion(model, x, { window: [3], strides: 2, target: [0, 0] });
    // Windows [0..2], [2..4]; element 2 is covered twice.
    const row = (v: number[]): number[] => {
      const d1 = v[0]! * 1 + v[1]! * 2 + v[2]! * 4;
      const d2 = v[2]! * 4 + v[3]! * 8 + v[4]! * 16;
      return [d1, d1, (d1 + d2) / 2, d2, d2];
    };
    expect(Array.from(await attributions.data())).toEqual([...row([1, 1, 1, 1, 1]), ...row([1, -1, 2, 0, 3])]);
    tf.dispose([w, x, attributions]);
  });

  it('batches the perturbed inputs: a bounded number of model calls, the same numbers for any batch size', async () => {
    const model = explainModel('cnn');
    const x = referenceInputs('cnn');
    let calls = 0;
    let largest = 0;
    const counted = (t: tf.Tensor): tf.Tensor => {
      calls++;
      largest = Math.max(largest, t.shape[0]!);
      return model.predict(t) as tf.Tensor;
    };
    const one = await occlusion(counted, x, { window: [2, 2, 1] });
    // 49 windows × 50 digits = 2,450 perturbed inputs: the 'predicted' targets, f(x), one batch.
    expect(calls).toBe(3);
    expect(largest).toBe(2450);
    calls = 0;
    largest = 0;
    const chunked = await occlusion(counted, x, { window: [2, 2, 1], internalBatchSize: 1000 });
    expect(calls).toBe(2 + 3);
    expect(largest).toBe(1000);
    const [a, b] = [await one.attributions.data(), await chunked.attributions.data()];
    let gap = 0;
    for (let k = 0; k < a.length; k++) gap = Math.max(gap, Math.abs(a[k]! - b[k]!));
    expect(gap).toBeLessThan(1e-5);
    tf.dispose([x, one.attributions, chunked.attributions]);
    model.dispose();
  });

  it('explains a single-unit probability model (class 0 is 1 - p) and per-example baselines', async () => {
    const model = explainModel('adult');
    const all = referenceInputs('adult');
    const x = tf.slice(all, 0, 4);
    all.dispose();
    const b = tf.randomUniform([4, 10], -1, 1, 'float32', 3);
    const one = await occlusion(model, x, { window: [1], baseline: b, target: [1, 1, 1, 1] });
    const zero = await occlusion(model, x, { window: [1], baseline: b, target: [0, 0, 0, 0] });
    const sum = tf.add(one.attributions, zero.attributions);
    expect(tf.tidy(() => tf.max(tf.abs(sum)).dataSync()[0])).toBeLessThan(1e-6);
    // Element e of row i: p(x) - p(x with x_e = b_ie).
    const p = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync());
    const xs = (await x.array()) as number[][];
    const bs = (await b.array()) as number[][];
    const z = xs.map((r, i) => r.map((_, e) => r.map((v, k) => (k === e ? bs[i]![k]! : v)))).flat();
    const pz = tf.tidy(() => (model.predict(tf.tensor2d(z)) as tf.Tensor).dataSync());
    const expected = Array.from(pz, (v, r) => p[Math.floor(r / 10)]! - v);
    expectCloseToReference(await one.attributions.data(), expected, { atol: 1e-6, rtol: 1e-5, rows: 4 });
    tf.dispose([x, b, one.attributions, zero.attributions, sum]);
    model.dispose();
  });
});

/**
 * shapleyValues against the exact (brute-force) Shapley values of shapley_adult.json, for the 7
 * feature groups and the 10 columns, and against Captum's ShapleyValues (permutations, float32
 * accumulation: within 2e-5 of the exact values).
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { shapleyValues } from '../../src/explain/index.js';
import { shapleyFromCoalitions, shapleyWeights } from '../../src/explain/perturbation/shapleyValues.js';
import shapley from '../fixtures/explain/shapley_adult.json';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';
import { adultModel, expectCloseToReference, referenceInputs } from './fixtures.js';
import { adultTrainMean } from './perturbationCases.js';

interface ShapleyCase {
  readonly grouping: 'groups7' | 'features10';
  readonly M: number;
  readonly exact_f64: number[][];
  readonly exact_f32: number[][];
  readonly v_all_f64: number[];
  readonly v_empty_f64: number[];
  readonly target_index: number[];
  readonly captum_shapley_values: { readonly attr_f32_full?: number[][] };
}

const cases = shapley.cases as unknown as Record<string, ShapleyCase>;
const groupings = shapley.meta.groupings as Record<string, { mask: number[] }>;

/** Per-group values spread to the 10 columns (each column holds its group's value). */
function toColumns(perGroup: number[][], mask: number[]): number[] {
  return perGroup.flatMap((row) => mask.map((g) => row[g]!));
}

describeBackends('shapleyValues', () => {
  for (const [key, c] of Object.entries(cases)) {
    it(`equals the exact values: ${key}`, async () => {
      const model = adultModel();
      const x = referenceInputs('adult');
      const baseline = adultTrainMean();
      const mask = groupings[c.grouping]!.mask;
      let values: Float32Array | undefined;
      await expectNoLeaks(async () => {
        const result = await shapleyValues(model, x, { featureMask: mask, baseline, target: c.target_index });
        values = (await result.attributions.data()) as Float32Array;
        return result;
      });
      // The same float32 model as the reference's exact_f32: float32 rounding of the values only.
      expectCloseToReference(values!, toColumns(c.exact_f32, mask), { atol: 1e-6, rtol: 0 });
      expectCloseToReference(values!, toColumns(c.exact_f64, mask), { atol: 1e-6, rtol: 0 });
      // Efficiency: per row, the group values add up to v(all) - v(empty).
      const firstColumn = mask.map((g, e) => (mask.indexOf(g) === e ? e : -1)).filter((e) => e >= 0);
      const sums = Array.from({ length: 50 }, (_, i) => firstColumn.reduce((s, e) => s + values![i * 10 + e]!, 0));
      expectCloseToReference(sums, c.v_all_f64.map((v, i) => v - c.v_empty_f64[i]!), { atol: 1e-6, rtol: 0 });
      if (c.captum_shapley_values.attr_f32_full !== undefined) {
        expectCloseToReference(values!, c.captum_shapley_values.attr_f32_full, { atol: 2e-5, rtol: 0 });
      }
      tf.dispose([x, baseline]);
      model.dispose();
    });
  }

  it("'predicted' targets and 1 - p for class 0: the values of class 0 are minus those of class 1", async () => {
    const model = adultModel();
    const x = referenceInputs('adult');
    const mask = groupings['groups7']!.mask;
    const c = cases['adult/pred/shapley/groups7']!;
    const predicted = await shapleyValues(model, x, { featureMask: mask, baseline: adultTrainMean() });
    const ones = await shapleyValues(model, x, { featureMask: mask, baseline: adultTrainMean(), target: new Array(50).fill(1) });
    const zeros = await shapleyValues(model, x, { featureMask: mask, baseline: adultTrainMean(), target: new Array(50).fill(0) });
    expectCloseToReference(await predicted.attributions.data(), toColumns(c.exact_f64, mask), { atol: 1e-6, rtol: 0 });
    expectCloseToReference(await zeros.attributions.data(), Array.from(await ones.attributions.data(), (v) => -v), { atol: 1e-6, rtol: 0 });
    tf.dispose([x, predicted.attributions, ones.attributions, zeros.attributions]);
    model.dispose();
  });

  it('enumerates 2^M coalitions per example in batches, with Shapley weights that sum to one per player', async () => {
    for (const m of [1, 2, 5, 16]) {
      const w = shapleyWeights(m);
      let total = 0;
      let binomial = 1;
      for (let s = 0; s < m; s++) {
        total += binomial * w[s]!;
        binomial = (binomial * (m - 1 - s)) / (s + 1);
      }
      expect(total).toBeCloseTo(1, 14);
    }
    // A game with known values: v(S) = |S|² over 3 players gives φ_j = v(all) / 3 = 3 (symmetry).
    const v = Array.from({ length: 8 }, (_, c) => ((c & 1) + ((c >> 1) & 1) + ((c >> 2) & 1)) ** 2);
    expect(Array.from(shapleyFromCoalitions(v, 3, shapleyWeights(3)))).toEqual([3, 3, 3].map((n) => expect.closeTo(n, 14)));
    // Batching: 50 rows × 2^7 coalitions = 6,400 rows in calls of at most 1,000.
    const model = adultModel();
    const x = referenceInputs('adult');
    let calls = 0;
    const counted = (t: tf.Tensor): tf.Tensor => {
      calls++;
      expect(t.shape[0]).toBeLessThanOrEqual(1000);
      return model.predict(t) as tf.Tensor;
    };
    const { attributions } = await shapleyValues(counted, x, { featureMask: groupings['groups7']!.mask, baseline: adultTrainMean(), internalBatchSize: 1000 });
    expect(calls).toBe(1 + 7);
    tf.dispose([x, attributions]);
    model.dispose();
  });

  it('gives 0 to a player an example lacks (per-example masks) and ignores how ids are numbered', async () => {
    const model = adultModel();
    const x = referenceInputs('adult');
    const c = cases['adult/pred/shapley/groups7']!;
    const mask = groupings['groups7']!.mask;
    // Ids 10, 20, ..., 70 in place of 0..6: the same players.
    const renumbered = await shapleyValues(model, x, { featureMask: mask.map((g) => 10 * (g + 1)), baseline: adultTrainMean(), target: c.target_index });
    expectCloseToReference(await renumbered.attributions.data(), toColumns(c.exact_f64, mask), { atol: 1e-6, rtol: 0 });
    // Row masks: every row uses the 7 groups except row 0, which merges sex and marital status
    // into id 5 (so it lacks id 6): its six players' values still add up to f(x) - f(b).
    const perExample = Array.from({ length: 50 }, (_, i) => (i === 0 ? mask.map((g) => Math.min(g, 5)) : mask));
    const merged = await shapleyValues(model, x, { featureMask: perExample, baseline: adultTrainMean(), target: c.target_index });
    const values = await merged.attributions.data();
    expectCloseToReference(values.slice(10), toColumns(c.exact_f64.slice(1), mask), { atol: 1e-6, rtol: 0, rows: 49 });
    const row0 = Array.from(values.slice(0, 10));
    expect(row0[5]).toBe(row0[9]); // one merged group
    const sum = row0[0]! + row0[1]! + row0[2]! + row0[3]! + row0[4]! + row0[5]!;
    expect(sum).toBeCloseTo(c.v_all_f64[0]! - c.v_empty_f64[0]!, 6);
    tf.dispose([x, renumbered.attributions, merged.attributions]);
    model.dispose();
  });
});

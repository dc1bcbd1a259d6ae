import { describe, expect, it } from 'vitest';
import { aggregateEvaluations } from '../../src/federated/algorithms/aggregateEvaluations.js';
import { federatedAverage } from '../../src/federated/algorithms/federatedAverage.js';
import { seededRng } from '../../src/core/rng.js';
import { expectInvalidArgument } from '../helpers/errors.js';

describe('federatedAverage', () => {
  it('equals the direct weighted mean sum w_k d_k / sum w_k (float64 reference)', () => {
    const rng = seededRng(1);
    const size = 50;
    const updates = Array.from({ length: 7 }, (_, k) => ({
      delta: Float32Array.from({ length: size }, () => (rng.next() - 0.5) * 10 ** (k - 3)),
      weight: 1 + Math.floor(rng.next() * 1000),
    }));
    const total = updates.reduce((s, u) => s + u.weight, 0);
    const expected = Array.from({ length: size }, (_, i) => updates.reduce((s, u) => s + u.weight * (u.delta[i] as number), 0) / total);
    const got = federatedAverage(updates);
    expect(got).toBeInstanceOf(Float32Array);
    expect(got.length).toBe(size);
    // Only the final float32 rounding separates the two.
    got.forEach((v, i) => expect(v).toBe(Math.fround(expected[i] as number)));
  });

  it('gives the example in the docs, ignores zero-weight clients and is order independent', () => {
    expect(Array.from(federatedAverage([{ delta: new Float32Array([1, 2]), weight: 30 }, { delta: new Float32Array([3, 4]), weight: 10 }]))).toEqual([1.5, 2.5]);
    const a = { delta: new Float32Array([1, -1]), weight: 3 };
    const b = { delta: new Float32Array([100, 7]), weight: 0 };
    expect(Array.from(federatedAverage([a, b]))).toEqual([1, -1]);
    const c = { delta: new Float32Array([0.1, 0.7]), weight: 1e12 };
    expect(federatedAverage([a, c])).toEqual(federatedAverage([c, a]));
  });

  it('does not overflow near the float32 range (3e38) or with huge counts', () => {
    const big = 3e38;
    const out = federatedAverage([
      { delta: new Float32Array([big, -big]), weight: 1e300 },
      { delta: new Float32Array([big, -big]), weight: 1e300 },
    ]);
    expect(out[0]).toBe(Math.fround(big));
    expect(out[1]).toBe(Math.fround(-big));
    expect(Array.from(federatedAverage([{ delta: new Float32Array([1e-30]), weight: 1e-300 }]))).toEqual([Math.fround(1e-30)]);
  });

  it('refuses bad input with typed errors', () => {
    const d = new Float32Array([1, 2]);
    expectInvalidArgument(() => federatedAverage([]), 'federatedAverage', 'updates', /non-empty/);
    expectInvalidArgument(() => federatedAverage([{ delta: d, weight: 1 }, { delta: new Float32Array(3), weight: 1 }]), 'federatedAverage', 'updates[1].delta', /length 2/);
    expectInvalidArgument(() => federatedAverage([{ delta: d, weight: 1 }, { delta: new Float32Array([0, Number.NaN]), weight: 1 }]), 'federatedAverage', 'updates[1].delta[1]', /finite/);
    expectInvalidArgument(() => federatedAverage([{ delta: new Float32Array([Infinity]), weight: 1 }]), 'federatedAverage', 'updates[0].delta[0]', /finite/);
    expectInvalidArgument(() => federatedAverage([{ delta: d, weight: -1 }]), 'federatedAverage', 'updates[0].weight', />= 0/);
    expectInvalidArgument(() => federatedAverage([{ delta: d, weight: Number.NaN }]), 'federatedAverage', 'updates[0].weight', /finite/);
    expectInvalidArgument(() => federatedAverage([{ delta: d, weight: 0 }, { delta: d, weight: 0 }]), 'federatedAverage', 'updates', /positive sum/);
    expectInvalidArgument(() => federatedAverage([{ delta: d, weight: 1.7e308 }, { delta: d, weight: 1.7e308 }]), 'federatedAverage', 'updates', /finite sum/);
    expectInvalidArgument(() => federatedAverage([{ delta: [1, 2] as unknown as Float32Array, weight: 1 }]), 'federatedAverage', 'updates[0].delta', /Float32Array/);
  });
});

describe('aggregateEvaluations', () => {
  it('is the example-weighted mean', () => {
    expect(aggregateEvaluations([
      { loss: 0.5, accuracy: 0.9, numExamples: 100 },
      { loss: 1.0, accuracy: 0.6, numExamples: 300 },
    ])).toEqual({ loss: 0.875, accuracy: 0.675, numExamples: 400 });
    expect(aggregateEvaluations([{ loss: 2, accuracy: Number.NaN, numExamples: 5 }]).accuracy).toBeNaN();
  });

  it('refuses bad input', () => {
    expectInvalidArgument(() => aggregateEvaluations([]), 'aggregateEvaluations', 'evaluations', /non-empty/);
    expectInvalidArgument(() => aggregateEvaluations([{ loss: 1, accuracy: 1, numExamples: 1.5 }]), 'aggregateEvaluations', 'evaluations[0].numExamples', /integer/);
    expectInvalidArgument(() => aggregateEvaluations([{ loss: Number.NaN, accuracy: 1, numExamples: 1 }]), 'aggregateEvaluations', 'evaluations[0].loss', /finite/);
    expectInvalidArgument(() => aggregateEvaluations([{ loss: 1, accuracy: 1, numExamples: 0 }]), 'aggregateEvaluations', 'evaluations', /at least one/);
  });
});

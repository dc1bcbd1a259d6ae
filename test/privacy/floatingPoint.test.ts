/**
 * Floating-point safety of the Laplace and Gaussian mechanisms: the grid-membership
 * distinguisher of Mironov (2012) on neighbours 0 and 1 (sensitivity 1, ε = 1), arrays and
 * float32 tensors. The safe default must keep P[M(0) ∈ S] − e^ε P[M(1) ∈ S] within its reported
 * δ (plus five standard errors); the same test must catch `unsafeFloatingPoint: true`.
 *
 * Draws per neighbour: 10^6 on arrays and for the unsafe tensor path (tfjs adds the noise, per
 * backend). The safe tensor path draws the same exact JavaScript noise as arrays and only rounds
 * to float32, so it uses 2.5·10^5 per backend to keep the file well under 30 s on two cores: the
 * standard error of the gap is then about 2.4e-3 (S has mass 0.2-0.4 there), so any excess over δ
 * above 0.012 (five standard errors) would fail the test; the measured gaps sit 6-25 standard
 * errors below zero. Set RTF_DISTINGUISHER_REPORT=1 to print the measured shares.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { seededRng } from '../../src/core/rng.js';
import { gaussianMechanism, laplaceMechanism, type NoisyRelease } from '../../src/privacy/index.js';
import { describeBackends } from '../helpers/backends.js';
import { distinguisherGap, reachableFrom32, reachableFrom64, type DistinguisherGap } from './stats.js';

const EPSILON = 1;
const N_ARRAY = 1_000_000;
/** Safe tensor releases: the same JavaScript sampler as arrays, then float32 rounding. */
const N_TENSOR_SAFE = 250_000;
const N_TENSOR_UNSAFE = 1_000_000;
const MECHANISMS = ['laplace', 'gaussian'] as const;
type Mechanism = (typeof MECHANISMS)[number];

function release<T extends Float64Array | tf.Tensor>(mechanism: Mechanism, value: T, seed: string, unsafe: boolean): NoisyRelease<unknown> {
  const common = { sensitivity: 1, epsilon: EPSILON, rng: seededRng(seed), unsafeFloatingPoint: unsafe };
  return mechanism === 'laplace' ? laplaceMechanism(value, common) : gaussianMechanism(value, { ...common, delta: 1e-5 });
}

function report(label: string, g: DistinguisherGap): void {
  if (process.env.RTF_DISTINGUISHER_REPORT !== undefined) {
    console.log(`${label}: P[M(0) in S] ${g.p0.toFixed(4)}, P[M(1) in S] ${g.p1.toFixed(4)}, gap ${g.gap.toFixed(4)} (± ${g.margin.toExponential(1)})`);
  }
}

function arrays(mechanism: Mechanism, unsafe: boolean): { gap: DistinguisherGap; delta: number } {
  const tag = `${mechanism}-${unsafe}`;
  const r0 = release(mechanism, new Float64Array(N_ARRAY), `${tag}-0`, unsafe);
  const r1 = release(mechanism, new Float64Array(N_ARRAY).fill(1), `${tag}-1`, unsafe);
  const gap = distinguisherGap(r0.value as Float64Array, r1.value as Float64Array, reachableFrom64, EPSILON);
  report(`${mechanism} arrays${unsafe ? ' (unsafeFloatingPoint)' : ''}`, gap);
  return { gap, delta: r0.delta };
}

async function tensors(mechanism: Mechanism, unsafe: boolean, backend: string): Promise<{ gap: DistinguisherGap; delta: number }> {
  const tag = `${mechanism}-${unsafe}-${backend}`;
  const n = unsafe ? N_TENSOR_UNSAFE : N_TENSOR_SAFE;
  const x0 = tf.zeros([n]);
  const x1 = tf.ones([n]);
  const r0 = release(mechanism, x0, `${tag}-0`, unsafe);
  const r1 = release(mechanism, x1, `${tag}-1`, unsafe);
  const [v0, v1] = [r0.value as tf.Tensor, r1.value as tf.Tensor];
  expect([v0.dtype, v1.dtype]).toEqual(['float32', 'float32']);
  const gap = distinguisherGap((await v0.data()) as Float32Array, (await v1.data()) as Float32Array, reachableFrom32, EPSILON);
  tf.dispose([x0, x1, v0, v1]);
  report(`${mechanism} float32 tensors, ${backend}${unsafe ? ' (unsafeFloatingPoint)' : ''}`, gap);
  return { gap, delta: r0.delta };
}

describe('grid-membership distinguisher on arrays (10^6 draws per neighbour)', () => {
  for (const mechanism of MECHANISMS) {
    it(`${mechanism}: the safe release stays within its reported delta`, () => {
      const { gap, delta } = arrays(mechanism, false);
      expect(gap.gap).toBeLessThanOrEqual(delta + gap.margin);
    });

    it(`${mechanism}: the same test catches unsafeFloatingPoint`, () => {
      const { gap, delta } = arrays(mechanism, true);
      expect(gap.gap).toBeGreaterThan(0.1);
      expect(gap.gap - gap.margin).toBeGreaterThan(mechanism === 'laplace' ? 0 : 1e-5);
      expect(delta).toBe(1); // unsafe releases claim nothing, so the bound is not violated
    });
  }
});

describeBackends('grid-membership distinguisher on float32 tensors', (backend) => {
  for (const mechanism of MECHANISMS) {
    it(`${mechanism}: float32 rounding of the safe release is post-processing and stays within delta`, async () => {
      const { gap, delta } = await tensors(mechanism, false, backend);
      expect(gap.p0).toBeGreaterThan(0.1); // S is not empty here: the test has something to check
      expect(gap.gap).toBeLessThanOrEqual(delta + gap.margin);
    });

    it(`${mechanism}: the same test catches unsafeFloatingPoint`, async () => {
      const { gap } = await tensors(mechanism, true, backend);
      expect(gap.gap).toBeGreaterThan(0.1);
      expect(gap.gap - gap.margin).toBeGreaterThan(1e-5);
    });
  }
});

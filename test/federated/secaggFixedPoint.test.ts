import { describe, expect, it } from 'vitest';
import { seededRng } from '../../src/core/rng.js';
import {
  addModular, checkFixedPointCapacity, decodeFixedPointSum, encodeFixedPoint, subModular,
} from '../../src/federated/secagg/index.js';
import { expectInvalidArgument } from '../helpers/errors.js';

describe('fixed point in Z_{2^32}', () => {
  it('decoded modular sum equals the float sum within n * 0.5 / scale', () => {
    const rng = seededRng('fp');
    const n = 50;
    const m = 200;
    const scale = 2 ** 16;
    const options = { scale, maxAbs: 1, numClients: n };
    const exact = new Float64Array(m);
    let sum: Uint32Array = new Uint32Array(m);
    for (let c = 0; c < n; c++) {
      const v = new Float32Array(m);
      for (let i = 0; i < m; i++) v[i] = 2 * rng.next() - 1;
      v[0] = c % 2 === 0 ? 1 : -1; // the bound itself is allowed
      v.forEach((x, i) => (exact[i] = (exact[i] as number) + x));
      sum = addModular(sum, encodeFixedPoint(v, options));
    }
    const decoded = decodeFixedPointSum(sum, { scale });
    let worst = 0;
    decoded.forEach((d, i) => (worst = Math.max(worst, Math.abs(d - (exact[i] as number)))));
    expect(worst).toBeLessThanOrEqual((n * 0.5) / scale);
    expect(worst).toBeGreaterThan(0);
  });

  it('stochastic rounding is unbiased and within n / scale', () => {
    const rng = seededRng('stochastic');
    const draws = 20000;
    let total = 0;
    for (let i = 0; i < draws; i++) {
      const q = encodeFixedPoint([1 / 3], { scale: 1, maxAbs: 1, rounding: 'stochastic', rng })[0] as number;
      if (q !== 0 && q !== 1) throw new Error(`stochastic rounding of 1/3 gave ${q}`);
      total += q;
    }
    // Bernoulli(1/3): standard error sqrt(2/9 / draws) ~ 0.0033; allow 5 of them.
    expect(Math.abs(total / draws - 1 / 3)).toBeLessThan(5 * Math.sqrt(2 / 9 / draws));
    const enc = encodeFixedPoint([-0.7], { scale: 1, maxAbs: 1, rounding: 'stochastic', rng: seededRng(1) });
    expect([-1, 0]).toContain(decodeFixedPointSum(enc, { scale: 1 })[0]);
  });

  it('uses two\'s complement and wraps', () => {
    expect(Array.from(encodeFixedPoint([-1, 0.5, -0.5, 0], { scale: 1, maxAbs: 1 }))).toEqual([0xffffffff, 1, 0, 0]);
    expect(Array.from(decodeFixedPointSum(new Uint32Array([0x80000000, 0x7fffffff, 0xffffffff]), { scale: 2 }))).toEqual([
      -(2 ** 30), (2 ** 31 - 1) / 2, -0.5,
    ]);
    expect(Array.from(addModular(new Uint32Array([0xffffffff, 5]), new Uint32Array([2, 0xfffffffb])))).toEqual([1, 0]);
    expect(Array.from(subModular(new Uint32Array([1, 0]), new Uint32Array([2, 0xffffffff])))).toEqual([0xffffffff, 1]);
  });

  it('refuses configurations whose sum could overflow 2^31', () => {
    // 127 * (2^24 + 1) < 2^31 <= 128 * (2^24 + 1)
    expect(checkFixedPointCapacity({ maxAbs: 1, scale: 2 ** 24, numClients: 127 })).toBe(127 * (2 ** 24 + 1));
    expectInvalidArgument(() => checkFixedPointCapacity({ maxAbs: 1, scale: 2 ** 24, numClients: 128 }), 'checkFixedPointCapacity', 'options.numClients', /< 2\^31/);
    expectInvalidArgument(() => encodeFixedPoint([0.1], { maxAbs: 1, scale: 2 ** 24, numClients: 128 }), 'checkFixedPointCapacity', 'options.numClients', /2\^31/);
    expectInvalidArgument(() => encodeFixedPoint([0.1], { maxAbs: 1e19, scale: 1 }), 'encodeFixedPoint', 'options.scale', /2\^31/);
    expectInvalidArgument(() => checkFixedPointCapacity({ maxAbs: 3e38, scale: 1, numClients: 1 }), 'checkFixedPointCapacity', 'options.numClients', /2\^31/);
  });

  it('refuses non-finite values and values above the bound, never clamping', () => {
    const o = { scale: 2 ** 10, maxAbs: 1 };
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expectInvalidArgument(() => encodeFixedPoint([0, bad], o), 'encodeFixedPoint', 'values[1]', /finite number/);
    }
    for (const big of [3e38, -3e38, 1e19, 1.0001]) {
      expectInvalidArgument(() => encodeFixedPoint(new Float64Array([big]), o), 'encodeFixedPoint', 'values[0]', /never clamped/);
    }
    expectInvalidArgument(() => encodeFixedPoint([0], { scale: 0, maxAbs: 1 }), 'encodeFixedPoint', 'options.scale', /> 0/);
    expectInvalidArgument(() => encodeFixedPoint([0], { scale: 1, maxAbs: Number.NaN }), 'encodeFixedPoint', 'options.maxAbs', /> 0/);
    expectInvalidArgument(() => encodeFixedPoint([0], { scale: 1, maxAbs: 1, rounding: 'down' as never }), 'encodeFixedPoint', 'options.rounding', /nearest/);
    expectInvalidArgument(() => decodeFixedPointSum(new Int32Array(2) as never, { scale: 1 }), 'decodeFixedPointSum', 'sum', /Uint32Array/);
    expectInvalidArgument(() => addModular(new Uint32Array(2), new Uint32Array(3)), 'addModular', 'b', /same length/);
  });
});

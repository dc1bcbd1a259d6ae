import { describe, expect, it } from 'vitest';
import { seededRng } from '../../src/core/rng.js';
import { compressUpdate, decompressUpdate, encodedUpdateBytes, type EncodedUpdate } from '../../src/federated/compression/index.js';
import type { WeightLayout } from '../../src/federated/types.js';
import { expectInvalidArgument } from '../helpers/errors.js';

const f32 = (xs: number[]): Float32Array => Float32Array.from(xs);

function randomDelta(n: number, seed: string, scale = 1): Float32Array {
  const rng = seededRng(seed);
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = (rng.next() - 0.5) * scale * (1 + 10 * rng.next() ** 4);
  return d;
}

/**
 * Half a scale, plus float32 rounding: the quantiser computes w · fround(1/scale) in float32 (2 ulps)
 * and the dequantised q · scale is rounded once more, together at most 2^-22 of |w|.
 */
const int8Bound = (scale: number, w: number): number => scale / 2 + 2 ** -22 * Math.abs(w);

const layout: WeightLayout = {
  names: ['dense/kernel', 'dense/bias', 'out/kernel'],
  shapes: [[10, 8], [8], [8, 3]],
  offsets: [0, 80, 88, 112],
  size: 112,
};

describe('int8 compression', () => {
  it('round-trips within half a scale per coordinate, one scale per weight of the layout', () => {
    const d = randomDelta(112, 'int8');
    for (let s = 0; s < 8; s++) d[80 + s] = d[80 + s]! * 1e-3; // a bias much smaller than the kernels
    const { encoded } = compressUpdate(d, { method: 'int8', layout });
    if (encoded.method !== 'int8') throw new Error('expected int8');
    expect(encoded.scales.length).toBe(3);
    expect(encoded.segmentOffsets).toEqual([0, 80, 88, 112]);
    const back = decompressUpdate(encoded, 112);
    for (let w = 0; w < 3; w++) {
      const scale = encoded.scales[w]!;
      let amax = 0;
      for (let i = layout.offsets[w]!; i < layout.offsets[w + 1]!; i++) amax = Math.max(amax, Math.abs(d[i]!));
      expect(scale).toBeCloseTo(amax / 127.5, 6 - Math.round(Math.log10(amax))); // PyTorch symmetric: amax / ((qmax - qmin) / 2)
      for (let i = layout.offsets[w]!; i < layout.offsets[w + 1]!; i++) {
        expect(Math.abs(back[i]! - d[i]!)).toBeLessThanOrEqual(int8Bound(scale, d[i]!));
      }
    }
    // Per-weight scales keep the small bias accurate; one global scale would not.
    const global = decompressUpdate(compressUpdate(d, { method: 'int8' }).encoded, 112);
    const err = (x: Float32Array): number => Math.max(...Array.from({ length: 8 }, (_, s) => Math.abs(x[80 + s]! - d[80 + s]!)));
    expect(err(back)).toBeLessThan(err(global));
  });

  it('handles extreme finite values (3e38) and all-zero updates', () => {
    const x = Math.fround(3e38);
    const d = f32([x, -x, 1e30, 0]);
    const { encoded, residual } = compressUpdate(d, { method: 'int8' });
    const back = decompressUpdate(encoded, 4);
    expect(Array.from(back).every(Number.isFinite)).toBe(true);
    const scale = (encoded as Extract<EncodedUpdate, { method: 'int8' }>).scales[0]!;
    for (let i = 0; i < 4; i++) expect(Math.abs(back[i]! - d[i]!)).toBeLessThanOrEqual(int8Bound(scale, d[i]!));
    expect(Array.from(residual).every(Number.isFinite)).toBe(true);
    const zero = compressUpdate(new Float32Array(5), { method: 'int8' });
    expect(Array.from(decompressUpdate(zero.encoded, 5))).toEqual([0, 0, 0, 0, 0]);
  });

  it('counts bytes: one per coordinate plus 4 per scale', () => {
    const d = randomDelta(112, 'bytes');
    expect(encodedUpdateBytes(compressUpdate(d, { method: 'int8', layout }).encoded)).toBe(112 + 3 * 4);
    expect(encodedUpdateBytes(compressUpdate(d, { method: 'int8' }).encoded)).toBe(112 + 4);
  });

  it('refuses a layout that does not match', () => {
    const d = randomDelta(10, 'l');
    expectInvalidArgument(() => compressUpdate(d, { method: 'int8', layout }), 'compressUpdate', 'options.layout.size', /length \(10\)/);
    expectInvalidArgument(
      () => compressUpdate(d, { method: 'int8', layout: { ...layout, size: 10, offsets: [0, 6, 4, 10] } }),
      'compressUpdate', 'options.layout.offsets[2]', />= offsets\[1\]/,
    );
  });
});

describe('top-k compression', () => {
  it('keeps the k largest magnitudes, ties to the lower index, indices sorted', () => {
    const d = f32([0.1, -5, 3, -3, 0.2, 5, 3, 0]);
    const { encoded, residual } = compressUpdate(d, { method: 'topK', k: 4 });
    if (encoded.method !== 'topK') throw new Error('expected topK');
    // |5| at 1 and 5, then |3| at 2, 3, 6: ties go to 2 and 3.
    expect(Array.from(encoded.indices)).toEqual([1, 2, 3, 5]);
    expect(Array.from(encoded.values)).toEqual([-5, 3, -3, 5]);
    expect(Array.from(decompressUpdate(encoded, 8))).toEqual([0, -5, 3, -3, 0, 5, 0, 0]);
    expect(Array.from(residual)).toEqual(Array.from(f32([0.1, 0, 0, 0, 0.2, 0, 3, 0])));
    expect(encodedUpdateBytes(encoded)).toBe(4 * 8);
  });

  it('agrees with a sort-based reference on random data (k = 1 .. n)', () => {
    const d = randomDelta(200, 'topk');
    d[17] = d[18]!; // a tie
    const order = Array.from(d.keys()).sort((a, b) => Math.abs(d[b]!) - Math.abs(d[a]!) || a - b);
    for (const k of [1, 2, 17, 100, 199, 200]) {
      const { encoded } = compressUpdate(d, { method: 'topK', k });
      expect(Array.from((encoded as { indices: Uint32Array }).indices)).toEqual(order.slice(0, k).sort((a, b) => a - b));
    }
  });
});

describe('random-k compression', () => {
  it('picks k distinct coordinates, reproducibly with a seeded rng, roughly uniformly', () => {
    const d = randomDelta(50, 'rk');
    const a = compressUpdate(d, { method: 'randomK', k: 10, rng: seededRng(3) }).encoded as { indices: Uint32Array; values: Float32Array };
    const b = compressUpdate(d, { method: 'randomK', k: 10, rng: seededRng(3) }).encoded as { indices: Uint32Array };
    expect(a.indices).toEqual(b.indices);
    expect(new Set(a.indices).size).toBe(10);
    for (let j = 1; j < 10; j++) expect(a.indices[j]!).toBeGreaterThan(a.indices[j - 1]!);
    expect(Array.from(a.values)).toEqual(Array.from(a.indices).map((i) => d[i]));
    const counts = new Array(50).fill(0);
    const rng = seededRng('uniform');
    for (let t = 0; t < 5000; t++) {
      for (const i of (compressUpdate(d, { method: 'randomK', k: 10, rng }).encoded as { indices: Uint32Array }).indices) counts[i]++;
    }
    // each coordinate is kept with probability 1/5: 1000 ± 5 sd (sd ≈ 28)
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(150);
  });

  it('with a shared seed every client keeps the same coordinates and only values travel', () => {
    const d1 = randomDelta(1000, 'c1');
    const d2 = randomDelta(1000, 'c2');
    const e1 = compressUpdate(d1, { method: 'randomK', k: 50, seed: 1234 }).encoded;
    const e2 = compressUpdate(d2, { method: 'randomK', k: 50, seed: 1234 }).encoded;
    expect(e1.method).toBe('sharedRandomK');
    expect(encodedUpdateBytes(e1)).toBe(4 + 50 * 4);
    const x1 = decompressUpdate(e1, 1000);
    const x2 = decompressUpdate(e2, 1000);
    const nz = (x: Float32Array): number[] => Array.from(x.keys()).filter((i) => x[i] !== 0);
    expect(nz(x1)).toEqual(nz(x2));
    expect(nz(x1).length).toBe(50);
    // coordinate-wise sum of the value vectors = the dense sum (what secure aggregation computes)
    const summed: EncodedUpdate = { method: 'sharedRandomK', size: 1000, seed: 1234, values: (e1 as { values: Float32Array }).values.map((v, j) => v + (e2 as { values: Float32Array }).values[j]!) };
    const dense = decompressUpdate(summed, 1000);
    for (let i = 0; i < 1000; i++) expect(dense[i]).toBe(Math.fround(x1[i]! + x2[i]!));
    const other = compressUpdate(d1, { method: 'randomK', k: 50, seed: 99 }).encoded;
    expect(nz(decompressUpdate(other, 1000))).not.toEqual(nz(x1));
  });
});

describe('error feedback', () => {
  for (const options of [
    { method: 'topK', k: 7 },
    { method: 'randomK', k: 7, rng: seededRng('ef') },
    { method: 'randomK', k: 7, seed: 5 },
    { method: 'int8' },
  ] as const) {
    it(`${options.method}${'seed' in options ? ' (shared seed)' : ''}: sent so far + residual == sum of updates`, () => {
      const n = 60;
      let residual: Float32Array | undefined;
      const accumulated = new Float64Array(n);
      const sent = new Float64Array(n);
      let maxAbs = 0;
      for (let round = 0; round < 40; round++) {
        const delta = randomDelta(n, `round${round}`);
        const prev = residual;
        const r = compressUpdate(delta, options, prev);
        const decoded = decompressUpdate(r.encoded, n);
        for (let i = 0; i < n; i++) {
          accumulated[i]! += delta[i]!;
          sent[i]! += decoded[i]!;
          maxAbs = Math.max(maxAbs, Math.abs(accumulated[i]!));
          // per round: residual + sent == delta + previous residual (exact for sparse methods)
          const corrected = Math.fround(delta[i]! + (prev?.[i] ?? 0));
          if (options.method === 'int8') expect(Math.abs(r.residual[i]! + decoded[i]! - corrected)).toBeLessThanOrEqual(1e-6 * Math.abs(corrected) + 1e-12);
          else expect(r.residual[i]! + decoded[i]!).toBe(corrected);
        }
        residual = r.residual;
      }
      for (let i = 0; i < n; i++) expect(Math.abs(sent[i]! + residual![i]! - accumulated[i]!)).toBeLessThanOrEqual(1e-4 * maxAbs);
    });
  }

  it('reports an overflowing accumulation instead of sending Infinity', () => {
    const x = Math.fround(3e38);
    expectInvalidArgument(() => compressUpdate(f32([x, 0]), { method: 'topK', k: 1 }, f32([x, 0])), 'compressUpdate', 'errorFeedback[0]', /finite float32/);
  });
});

describe('bad input', () => {
  it('refuses non-finite values, k out of range, and malformed options', () => {
    expectInvalidArgument(() => compressUpdate(f32([1, NaN]), { method: 'int8' }), 'compressUpdate', 'delta[1]', /finite/);
    expectInvalidArgument(() => compressUpdate(f32([1, 2]), { method: 'topK', k: 1 }, f32([Infinity, 0])), 'compressUpdate', 'errorFeedback[0]', /finite/);
    expectInvalidArgument(() => compressUpdate(f32([1, 2]), { method: 'topK', k: 1 }, f32([0])), 'compressUpdate', 'errorFeedback', /same length/);
    expectInvalidArgument(() => compressUpdate(f32([1, 2]), { method: 'topK', k: 0 }), 'compressUpdate', 'options.k', /integer >= 1/);
    expectInvalidArgument(() => compressUpdate(f32([1, 2]), { method: 'topK', k: 3 }), 'compressUpdate', 'options.k', /\[1, delta.length = 2\]/);
    expectInvalidArgument(() => compressUpdate(f32([1, 2]), { method: 'randomK', k: 1.5 }), 'compressUpdate', 'options.k', /integer/);
    expectInvalidArgument(() => compressUpdate(f32([1, 2]), { method: 'randomK', k: 1, seed: -1 }), 'compressUpdate', 'options.seed', /integer >= 0/);
    expectInvalidArgument(() => compressUpdate(f32([1, 2]), { method: 'zip' } as never), 'compressUpdate', 'options.method', /"int8"/);
    expectInvalidArgument(() => compressUpdate([1, 2] as unknown as Float32Array, { method: 'int8' }), 'compressUpdate', 'delta', /Float32Array/);
  });

  it('decompressUpdate checks what arrives over the network', () => {
    const { encoded } = compressUpdate(f32([1, 2, 3]), { method: 'topK', k: 2 });
    expectInvalidArgument(() => decompressUpdate(encoded, 4), 'decompressUpdate', 'encoded.size', /equal to size \(4\)/);
    const bad = { method: 'topK', size: 3, indices: Uint32Array.from([2, 1]), values: f32([1, 2]) } as EncodedUpdate;
    expectInvalidArgument(() => decompressUpdate(bad, 3), 'decompressUpdate', 'encoded.indices[1]', /strictly increasing/);
    const out = { method: 'topK', size: 3, indices: Uint32Array.from([0, 3]), values: f32([1, 2]) } as EncodedUpdate;
    expectInvalidArgument(() => decompressUpdate(out, 3), 'decompressUpdate', 'encoded.indices[1]', /\(0, 3\)/);
    const nan = { method: 'randomK', size: 3, indices: Uint32Array.from([0]), values: f32([NaN]) } as EncodedUpdate;
    expectInvalidArgument(() => decompressUpdate(nan, 3), 'decompressUpdate', 'encoded.values[0]', /finite/);
    const q = compressUpdate(f32([1, 2, 3]), { method: 'int8' }).encoded as Extract<EncodedUpdate, { method: 'int8' }>;
    expectInvalidArgument(() => decompressUpdate({ ...q, scales: f32([Infinity]) }, 3), 'decompressUpdate', 'encoded.scales[0]', /finite/);
    expectInvalidArgument(() => decompressUpdate({ ...q, values: new Int8Array(2) }, 3), 'decompressUpdate', 'encoded.values', /Int8Array of length 3/);
    expectInvalidArgument(() => encodedUpdateBytes({ method: 'x' } as never), 'encodedUpdateBytes', 'encoded.method', /'int8'/);
  });
});

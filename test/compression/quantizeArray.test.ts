import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { dequantizeArray, quantizeArray } from '../../src/compression/index.js';
import quant from '../fixtures/compression/quant.json';
import { referenceKernels } from './fixtures.js';

const kernels = referenceKernels('mlp');
type KernelRef = (typeof quant.mlp.kernels)['fc1'];
const refOf = (name: string): KernelRef => (quant.mlp.kernels as Record<string, KernelRef>)[name]!;
const relErr = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-30);

function maxAbsError(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

describe('quantizeArray against torch 1.13 observers (MLP kernels)', () => {
  for (const k of kernels) {
    const ref = refOf(k.name);
    it(`${k.name}: per-tensor affine quint8`, () => {
      const q = quantizeArray(k.values, k.shape, { dtype: 'uint8', scheme: 'affine' });
      const r = ref.per_tensor_affine_quint8;
      expect(relErr(q.scale as number, r.scale)).toBeLessThan(1e-7);
      expect(q.zeroPoint).toBe(r.zero_point);
      expect(Array.from(q.values.slice(0, 50))).toEqual(r.int_first50_tfjs_layout);
      const deq = dequantizeArray(q);
      expect(Array.from(deq.slice(0, 50))).toEqual(r.dequant_first50_tfjs_layout.map(Math.fround));
      expect(Math.abs(maxAbsError(deq, k.values) - r.max_abs_dequant_error)).toBeLessThan(1e-9);
      expect(Math.min(...q.values)).toBe(r.int_min);
      expect(Math.max(...q.values)).toBe(r.int_max);
    });
    it(`${k.name}: per-tensor symmetric qint8 (ties to even at -127.5)`, () => {
      const q = quantizeArray(k.values, k.shape, { dtype: 'int8', scheme: 'symmetric' });
      const r = ref.per_tensor_symmetric_qint8;
      expect(relErr(q.scale as number, r.scale)).toBeLessThan(1e-7);
      expect(q.zeroPoint).toBe(0);
      expect(Array.from(q.values.slice(0, 50))).toEqual(r.int_first50_tfjs_layout);
      expect(Math.min(...q.values)).toBe(r.int_min);
      expect(Math.max(...q.values)).toBe(r.int_max);
      expect(Math.abs(maxAbsError(dequantizeArray(q), k.values) - r.max_abs_dequant_error)).toBeLessThan(1e-9);
      for (const tie of r.exact_half_ties_detail_first20) {
        const i = k.values.indexOf(Math.fround(tie.w));
        expect(q.values[i]).toBe(tie.torch_int);
      }
    });
    it(`${k.name}: per-channel symmetric qint8 along the last (output) axis`, () => {
      const q = quantizeArray(k.values, k.shape, { dtype: 'int8', scheme: 'symmetric', axis: -1 });
      const r = ref.per_channel_symmetric_qint8;
      expect(q.axis).toBe(k.shape.length - 1);
      const scales = q.scale as number[];
      expect(scales.length).toBe(r.scale.length);
      scales.forEach((s, c) => expect(relErr(s, r.scale[c]!)).toBeLessThan(1e-7));
      expect(q.zeroPoint).toEqual(r.zero_point);
      expect(Array.from(q.values.slice(0, 50))).toEqual(r.int_first50_tfjs_layout);
      expect(Array.from(dequantizeArray(q).slice(0, 50))).toEqual(r.dequant_first50_tfjs_layout.map(Math.fround));
      expect(Math.min(...q.values)).toBe(r.int_min);
      expect(Math.max(...q.values)).toBe(r.int_max);
      const deq = dequantizeArray(q);
      expect(Math.abs(maxAbsError(deq, k.values) - r.max_abs_dequant_error)).toBeLessThan(1e-9);
      let mean = 0;
      for (let i = 0; i < deq.length; i++) mean += Math.abs((deq[i] as number) - (k.values[i] as number));
      expect(relErr(mean / deq.length, r.mean_abs_dequant_error)).toBeLessThan(1e-6);
      for (const tie of r.exact_half_ties_detail_first20) expect(q.values[k.values.indexOf(Math.fround(tie.w))]).toBe(tie.torch_int);
    });
    it(`${k.name}: float16 round trip`, () => {
      const q = quantizeArray(k.values, k.shape, { dtype: 'float16' });
      const deq = dequantizeArray(q);
      expect(maxAbsError(deq, k.values)).toBe(Math.fround(ref.float16.max_abs_roundtrip_error));
      let tiny = 0;
      for (const v of deq) if (Math.abs(v) < 2 ** -14) tiny++;
      expect(tiny).toBe(ref.float16.subnormal_or_zero_after);
    });
    for (const dtype of ['uint8', 'uint16'] as const) {
      it(`${k.name}: tfjs converter ${dtype}`, () => {
        const q = quantizeArray(k.values, k.shape, { dtype, scheme: 'tfjs' });
        const r = dtype === 'uint8' ? ref.tfjs_uint8 : ref.tfjs_uint16;
        expect(relErr(q.scale as number, r.scale)).toBeLessThan(1e-12);
        expect(relErr(q.min!, r.min)).toBeLessThan(1e-12);
        expect(Array.from(q.values.slice(0, 50))).toEqual(r.int_first50_tfjs_layout);
        const deq = dequantizeArray(q);
        expect(Array.from(deq.slice(0, 50))).toEqual(r.dequant_first50.map(Math.fround));
        expect(Math.abs(maxAbsError(deq, k.values) - r.max_abs_dequant_error)).toBeLessThan(1e-9);
      });
    }
    it(`${k.name}: tfjs uint8 integers equal torch quint8 integers`, () => {
      const a = quantizeArray(k.values, k.shape, { dtype: 'uint8', scheme: 'tfjs' });
      const b = quantizeArray(k.values, k.shape, { dtype: 'uint8', scheme: 'affine' });
      expect(Array.from(a.values)).toEqual(Array.from(b.values));
    });
  }
});

describe('tfjs converter worked examples', () => {
  const ex = quant.meta.tfjs_converter.worked_examples;
  it('example 1: nudged range with zero exactly representable', () => {
    const e = ex.example_1_small_array_uint8;
    const q = quantizeArray(Float32Array.from(e.data), [e.data.length], { dtype: 'uint8', scheme: 'tfjs' });
    expect(Array.from(q.values)).toEqual(e['quantized=round((clip(x,nmin,nmax)-nmin)/scale)']);
    expect(q.zeroPoint).toBe(e['zero_point=round(-min/scale)']);
    expect(relErr(q.scale as number, e['scale=(max-min)/qmax'])).toBeLessThan(1e-15);
    expect(Array.from(dequantizeArray(q))).toEqual(e['dequantized=q*scale+min (float32)'].map(Math.fround));
  });
  it('example 2: all positive, no nudging', () => {
    const e = ex.example_2_all_positive_no_nudge_uint8;
    const q = quantizeArray(Float32Array.from(e.data), [e.data.length], { dtype: 'uint8', scheme: 'tfjs' });
    expect(Array.from(q.values)).toEqual(e['quantized=round((clip(x,nmin,nmax)-nmin)/scale)']);
    expect(q.min).toBe(e['nudged_min=-zero_point*scale']);
    expect(Array.from(dequantizeArray(q))).toEqual(e['dequantized=q*scale+min (float32)'].map(Math.fround));
  });
  it('example 3: MLP fc2 in uint16', () => {
    const e = ex.example_3_mlp_fc2_kernel_first6_uint16_using_full_tensor_range;
    const fc2 = kernels[1]!;
    const q = quantizeArray(fc2.values, fc2.shape, { dtype: 'uint16', scheme: 'tfjs' });
    expect(Array.from(q.values.slice(0, 6))).toEqual(e.q_first6);
    expect(Array.from(dequantizeArray(q).slice(0, 6))).toEqual(e.dequant_first6.map(Math.fround));
  });
  it('example 4: a constant tensor', () => {
    const q = quantizeArray(new Float32Array([0.5, 0.5, 0.5]), [3], { dtype: 'uint8', scheme: 'tfjs' });
    expect(Array.from(q.values)).toEqual([0, 0, 0]);
    expect(q.scale).toBe(1);
    expect(q.min).toBe(0.5);
    expect(Array.from(dequantizeArray(q))).toEqual([0.5, 0.5, 0.5]);
  });
});

describe('quantizeArray: other dtypes and edge cases', () => {
  it('an all-zero tensor gets scale eps and zero point 0 (torch)', () => {
    const q = quantizeArray(new Float32Array(4), [4], { dtype: 'int8', scheme: 'affine' });
    expect(q.scale).toBe(2 ** -23);
    expect(q.zeroPoint).toBe(-128);
    const s = quantizeArray(new Float32Array(4), [4], { dtype: 'int8', scheme: 'symmetric' });
    expect(s.zeroPoint).toBe(0);
    expect(Array.from(dequantizeArray(s))).toEqual([0, 0, 0, 0]);
  });
  it('unsigned symmetric uses the midpoint zero point (128 for uint8, as torch quint8)', () => {
    const q = quantizeArray(new Float32Array([-1, 0.5, 1]), [3], { dtype: 'uint8', scheme: 'symmetric' });
    expect(q.zeroPoint).toBe(128);
    expect(q.scale).toBe(Math.fround(1 / 127.5));
    // float32(1 / scale) is 127.49999 here, so -1 maps to -127 + 128 = 1 (torch computes the same product).
    expect(Math.fround(1 / (q.scale as number))).toBeLessThan(127.5);
    expect(Array.from(q.values)).toEqual([1, 192, 255]);
  });
  it('int16 affine covers the range with error at most scale / 2', () => {
    const v = Float32Array.from({ length: 101 }, (_, i) => Math.fround(Math.sin(i) * 3));
    const q = quantizeArray(v, [101], { dtype: 'int16' });
    const d = dequantizeArray(q);
    expect(maxAbsError(d, v)).toBeLessThanOrEqual((q.scale as number) / 2 + 1e-9);
    expect(q.values).toBeInstanceOf(Int16Array);
  });
  it('per-channel along a middle axis of a rank-3 tensor', () => {
    const v = Float32Array.from({ length: 24 }, (_, i) => (Math.floor(i / 4) % 3) * (i + 1) * 0.1);
    const q = quantizeArray(v, [2, 3, 4], { dtype: 'int8', scheme: 'symmetric', axis: 1 });
    expect((q.scale as number[]).length).toBe(3);
    // channel 0 is all zeros: scale eps
    expect((q.scale as number[])[0]).toBe(2 ** -23);
    const d = dequantizeArray(q);
    for (let i = 0; i < 24; i++) {
      const c = Math.floor(i / 4) % 3;
      expect(Math.abs((d[i] as number) - (v[i] as number))).toBeLessThanOrEqual((q.scale as number[])[c]! / 2 + 1e-7);
    }
  });
  it('rejects bad options and non-finite values with typed errors', () => {
    const v = new Float32Array([1, 2, 3, 4]);
    const call = (o: unknown, values = v, shape = [2, 2]) => () => quantizeArray(values, shape, o as never);
    expect(call({ dtype: 'int4' })).toThrow(InvalidArgumentError);
    expect(call({ dtype: 'int4' })).toThrow(/options.dtype/);
    expect(call({ dtype: 'int8', scheme: 'tfjs' })).toThrow(/'uint8' or 'uint16'/);
    expect(call({ dtype: 'int8', axis: 2 })).toThrow(/options.axis.*\[-2, 1\]/);
    expect(call({ dtype: 'int8', axis: -3 })).toThrow(InvalidArgumentError);
    expect(call({ dtype: 'int8', axis: 0.5 })).toThrow(InvalidArgumentError);
    expect(call({ dtype: 'uint8', scheme: 'tfjs', axis: 0 })).toThrow(/per tensor/);
    expect(call({ dtype: 'int8', scheme: 'minmax' })).toThrow(/options.scheme/);
    expect(call({ dtype: 'int8' }, new Float32Array([1, NaN, 3, 4]))).toThrow(/values\[1\]/);
    expect(call({ dtype: 'int8' }, new Float32Array([1, Infinity, 3, 4]))).toThrow(InvalidArgumentError);
    expect(call({ dtype: 'int8' }, v, [3])).toThrow(/shape/);
  });
});

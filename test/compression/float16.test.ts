import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { float16BitsToFloat32, float32ToFloat16Bits } from '../../src/compression/index.js';

const bits = (xs: number[]): number[] => Array.from(float32ToFloat16Bits(xs));

describe('float32ToFloat16Bits', () => {
  it('known bit patterns', () => {
    expect(bits([0, -0, 1, -2, 0.5, 65504, 2 ** -14, 2 ** -24, Infinity, -Infinity])).toEqual([
      0x0000, 0x8000, 0x3c00, 0xc000, 0x3800, 0x7bff, 0x0400, 0x0001, 0x7c00, 0xfc00,
    ]);
    expect(bits([1 / 3])).toEqual([0x3555]);
    expect(bits([0.1])).toEqual([0x2e66]);
    expect(bits([-0.1])).toEqual([0xae66]);
    expect(bits([Math.PI])).toEqual([0x4248]);
    expect(float32ToFloat16Bits([NaN])[0]! & 0x7c00).toBe(0x7c00);
    expect(float32ToFloat16Bits([NaN])[0]! & 0x3ff).not.toBe(0);
  });
  it('rounds ties to even', () => {
    // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: even mantissa (1) wins.
    expect(bits([1 + 2 ** -11])).toEqual([0x3c00]);
    // 1 + 3 * 2^-11 is halfway between 1 + 2^-10 (odd) and 1 + 2^-9 (even).
    expect(bits([1 + 3 * 2 ** -11])).toEqual([0x3c02]);
    // Just above the tie rounds up.
    expect(bits([1 + 2 ** -11 + 2 ** -20])).toEqual([0x3c01]);
    // Overflow: 65519 rounds down to 65504, 65520 (the tie) rounds to infinity.
    expect(bits([65519, 65520])).toEqual([0x7bff, 0x7c00]);
    // Subnormals: 2^-25 is the tie between 0 and the smallest subnormal (rounds to 0, even);
    // 3 * 2^-25 ties between 1 and 2 subnormal units (rounds to 2).
    expect(bits([2 ** -25, 3 * 2 ** -25, 2 ** -25 * 1.0001, -(2 ** -26)])).toEqual([0x0000, 0x0002, 0x0001, 0x8000]);
    // Largest subnormal rounding up into the smallest normal.
    expect(bits([2 ** -14 - 2 ** -26])).toEqual([0x0400]);
  });
  it('decodes every finite half exactly and encodes it back', () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i).filter((h) => (h & 0x7c00) !== 0x7c00);
    const back = float32ToFloat16Bits(float16BitsToFloat32(all));
    expect(Array.from(back)).toEqual(Array.from(all));
  });
  it('property: the result is the nearest half, ties to even', () => {
    fc.assert(
      fc.property(fc.float({ min: -65000, max: 65000, noNaN: true }), (x) => {
        const h = float32ToFloat16Bits([x])[0]!;
        const v = float16BitsToFloat32([h])[0]!;
        const xf = Math.fround(x);
        // Neighbouring halves (same sign direction) must not be closer.
        const neighbours = [h - 1, h + 1].filter((b) => b >= 0 && (b & 0x7fff) < 0x7c00 && (b & 0x8000) === (h & 0x8000));
        for (const b of neighbours) {
          const w = float16BitsToFloat32([b])[0]!;
          const dv = Math.abs(v - xf);
          const dw = Math.abs(w - xf);
          if (dw < dv) return false;
          if (dw === dv && (h & 1) === 1) return false;
        }
        return true;
      }),
      { numRuns: 5000, seed: 7 },
    );
  });
});

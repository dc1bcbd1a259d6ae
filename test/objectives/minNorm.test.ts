import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/index.js';
import { minNormCoefficients } from '../../src/objectives/index.js';

const gramOf = (vs: number[][]): number[][] => vs.map((a) => vs.map((b) => a.reduce((s, ai, i) => s + ai * (b[i] as number), 0)));

describe('minNormCoefficients', () => {
  it('solves two vectors in closed form', () => {
    // v1 = (1, 0), v2 = (0, 2): min |g v1 + (1-g) v2|^2 = g^2 + 4 (1-g)^2 at g = 0.8.
    const r = minNormCoefficients(gramOf([[1, 0], [0, 2]]));
    expect(r.alphas[0]).toBeCloseTo(0.8, 12);
    expect(r.alphas[1]).toBeCloseTo(0.2, 12);
    expect(r.normSquared).toBeCloseTo(0.8, 12);
    expect(r.iterations).toBe(0);
  });

  it('returns a vertex when one vector is the min-norm point of the segment', () => {
    // v1 = (1, 0), v2 = (3, 1): v1.v2 = 3 >= v1.v1 = 1, so v1 itself.
    expect(minNormCoefficients(gramOf([[1, 0], [3, 1]])).alphas).toEqual([1, 0]);
    expect(minNormCoefficients([[4]]).alphas).toEqual([1]);
  });

  it('finds the centroid of orthonormal vectors and zero when the hull contains the origin', () => {
    const r = minNormCoefficients(gramOf([[1, 0, 0], [0, 1, 0], [0, 0, 1]]), { maxIterations: 2000, tolerance: 1e-12 });
    for (const a of r.alphas) expect(a).toBeCloseTo(1 / 3, 3);
    expect(r.normSquared).toBeCloseTo(1 / 3, 4);
    const z = minNormCoefficients(gramOf([[1, 0], [0, 1], [-1, -1]]), { maxIterations: 5000, tolerance: 1e-12 });
    expect(z.normSquared).toBeLessThan(1e-4);
  });

  it('meets the optimality conditions on random problems (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 3, maxLength: 3 }), { minLength: 2, maxLength: 5 }),
        (vs) => {
          const g = gramOf(vs);
          const { alphas, normSquared } = minNormCoefficients(g, { maxIterations: 5000, tolerance: 1e-12 });
          expect(alphas.reduce((s, a) => s + a, 0)).toBeCloseTo(1, 9);
          for (const a of alphas) expect(a).toBeGreaterThanOrEqual(0);
          // No vertex is a descent direction: (G alpha)_i >= alpha' G alpha (up to Frank-Wolfe accuracy).
          const scale = Math.max(1, ...g.map((r, i) => r[i] as number));
          g.forEach((row) => {
            const gi = row.reduce((s, v, j) => s + v * (alphas[j] as number), 0);
            expect(gi).toBeGreaterThanOrEqual(normSquared - 2e-2 * scale);
          });
          // Never worse than the best vertex.
          expect(normSquared).toBeLessThanOrEqual(Math.min(...g.map((r, i) => r[i] as number)) + 1e-9);
        },
      ),
      { numRuns: 200, seed: 7 },
    );
  });

  it('rejects malformed Gram matrices', () => {
    expect(() => minNormCoefficients([])).toThrow(InvalidArgumentError);
    expect(() => minNormCoefficients([[1, 0]])).toThrow("argument 'gram[0]' must be a row of 1 numbers");
    expect(() => minNormCoefficients([[1, Number.NaN], [0, 1]])).toThrow("'gram[0][1]' must be a finite number");
    expect(() => minNormCoefficients([[1]], { maxIterations: 0 })).toThrow(/options.maxIterations/);
  });
});

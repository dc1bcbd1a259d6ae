import { describe, expect, it } from 'vitest';
import { seededRng } from '../../src/core/rng.js';
import { shamirCombine, shamirSplit, type ShamirShare } from '../../src/federated/secagg/index.js';
import { expectInvalidArgument } from '../helpers/errors.js';

function subsets<T>(items: readonly T[], k: number): T[][] {
  if (k === 0) return [[]];
  if (items.length < k) return [];
  const [head, ...rest] = items as [T, ...T[]];
  return [...subsets(rest, k - 1).map((s) => [head, ...s]), ...subsets(rest, k)];
}

describe('Shamir secret sharing over GF(256)', () => {
  it('any t of n shares reconstruct the secret', () => {
    const secret = new Uint8Array(48).map((_, i) => (i * 37 + 11) & 0xff);
    const shares = shamirSplit(secret, { threshold: 4, numShares: 7, rng: seededRng('s') });
    const all = subsets(shares, 4);
    expect(all).toHaveLength(35);
    for (const subset of all) expect(shamirCombine(subset)).toEqual(secret);
    expect(shamirCombine(shares, { threshold: 4 })).toEqual(secret);
    expect(shamirCombine(shares)).toEqual(secret); // more than t: still the same polynomial
  });

  it('works at the limits: t = 1, t = n = 255, explicit x-coordinates', () => {
    const secret = new Uint8Array([0, 255, 7]);
    expect(shamirSplit(secret, { threshold: 1, numShares: 3 }).every((s) => s.y.every((b, i) => b === secret[i]))).toBe(true);
    const many = shamirSplit(secret, { threshold: 255, numShares: 255 });
    expect(shamirCombine([...many].reverse())).toEqual(secret);
    const xs = [200, 3, 77];
    const shares = shamirSplit(secret, { threshold: 2, xs });
    expect(shares.map((s) => s.x)).toEqual(xs);
    expect(shamirCombine([shares[2]!, shares[0]!])).toEqual(secret);
  });

  it('t - 1 shares reveal nothing: every secret byte is consistent with exactly one completion', () => {
    // t = 2: fix the one share a secret of 42 produced; count, for every candidate secret s, the
    // degree-1 polynomials (256 choices of the coefficient) through (0, s) and that share.
    const fixed = shamirSplit(new Uint8Array([42]), { threshold: 2, xs: [5, 6], rng: seededRng(9) })[0]!;
    const counts = new Array<number>(256).fill(0);
    for (let s = 0; s < 256; s++) {
      for (let a = 0; a < 256; a++) {
        const coefficient = { next: () => 0, nextUint32: () => a, secure: false, label: 'fixed' };
        const y = shamirSplit(new Uint8Array([s]), { threshold: 2, xs: [5, 6], rng: coefficient })[0]!.y[0];
        if (y === fixed.y[0]) counts[s] = (counts[s] as number) + 1;
      }
    }
    expect(counts.every((c) => c === 1)).toBe(true);
    // t = 3: two fixed shares; each third share value completes them to a distinct secret, so the
    // 256 completions hit all 256 secrets exactly once.
    const two = shamirSplit(new Uint8Array([42]), { threshold: 3, xs: [1, 2, 3], rng: seededRng(10) }).slice(0, 2);
    const hits = new Array<number>(256).fill(0);
    for (let y3 = 0; y3 < 256; y3++) {
      const s = shamirCombine([...two, { x: 3, y: new Uint8Array([y3]) }])[0] as number;
      hits[s] = (hits[s] as number) + 1;
    }
    expect(hits.every((c) => c === 1)).toBe(true);
  });

  it('is reproducible with a seeded rng and random with the default', () => {
    const secret = new Uint8Array([1, 2, 3]);
    const a = shamirSplit(secret, { threshold: 2, numShares: 3, rng: seededRng(1) });
    const b = shamirSplit(secret, { threshold: 2, numShares: 3, rng: seededRng(1) });
    expect(a).toEqual(b);
    const c = shamirSplit(new Uint8Array(32), { threshold: 2, numShares: 2 });
    const d = shamirSplit(new Uint8Array(32), { threshold: 2, numShares: 2 });
    expect(c[0]!.y).not.toEqual(d[0]!.y);
  });

  it('refuses bad arguments', () => {
    const s = new Uint8Array([1]);
    expectInvalidArgument(() => shamirSplit(s, { threshold: 4, numShares: 3 }), 'shamirSplit', 'options.threshold', /\[1, 3\]/);
    expectInvalidArgument(() => shamirSplit(s, { threshold: 1, numShares: 256 }), 'shamirSplit', 'options.numShares', /255/);
    expectInvalidArgument(() => shamirSplit(s, { threshold: 1, xs: [1, 1] }), 'shamirSplit', 'options.xs[1]', /distinct/);
    expectInvalidArgument(() => shamirSplit(s, { threshold: 1, xs: [0] }), 'shamirSplit', 'options.xs[0]', /\[1, 255\]/);
    expectInvalidArgument(() => shamirSplit(s, { threshold: 0, numShares: 2 }), 'shamirSplit', 'options.threshold', />= 1/);
    expectInvalidArgument(() => shamirSplit([1] as never, { threshold: 1, numShares: 2 }), 'shamirSplit', 'secret', /Uint8Array/);
    const shares: ShamirShare[] = shamirSplit(new Uint8Array([1, 2]), { threshold: 2, numShares: 3 });
    expectInvalidArgument(() => shamirCombine([shares[0]!, shares[0]!]), 'shamirCombine', 'shares[1].x', /distinct/);
    expectInvalidArgument(() => shamirCombine([shares[0]!, { x: 2, y: new Uint8Array(3) }]), 'shamirCombine', 'shares[1].y', /length 2/);
    expectInvalidArgument(() => shamirCombine([shares[0]!], { threshold: 2 }), 'shamirCombine', 'shares', /at least/);
    expectInvalidArgument(() => shamirCombine([]), 'shamirCombine', 'shares', /non-empty/);
  });
});

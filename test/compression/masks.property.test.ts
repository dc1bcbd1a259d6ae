import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeMasks } from '../../src/compression/pruning/masks.js';
import { prunedWeightCount } from '../../src/compression/index.js';

const arrays = fc.array(fc.array(fc.float({ min: -4, max: 4, noNaN: true }), { minLength: 1, maxLength: 60 }), { minLength: 1, maxLength: 4 });
const sparsity = fc.double({ min: 0, max: 0.99, noNaN: true });

describe('magnitude masks (property tests)', () => {
  it('torch rule: exactly round(s n) pruned per scope, and no pruned |w| exceeds a kept |w|', () => {
    fc.assert(
      fc.property(arrays, sparsity, fc.constantFrom('global', 'layer') as fc.Arbitrary<'global' | 'layer'>, (lists, s, scope) => {
        const targets = lists.map((l, i) => ({ name: `w${i}`, shape: [l.length], values: Float32Array.from(l), role: 'kernel' as const }));
        const masks = computeMasks(targets, { sparsity: s, scope, structured: false, norm: 'l1', rule: 'torch' });
        const groups = scope === 'global' ? [targets.map((_, i) => i)] : targets.map((_, i) => [i]);
        for (const g of groups) {
          const kept: number[] = [];
          const pruned: number[] = [];
          for (const i of g) masks[i]!.forEach((k, j) => (k ? kept : pruned).push(Math.abs(targets[i]!.values[j]!)));
          const n = kept.length + pruned.length;
          if (pruned.length !== prunedWeightCount(n, s)) return false;
          if (pruned.length > 0 && kept.length > 0 && Math.max(...pruned) > Math.min(...kept)) return false;
        }
        return true;
      }),
      { numRuns: 300, seed: 11 },
    );
  });
  it('tfmot rule: prunes at most n - k and keeps every weight tied with the threshold', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(-0.5, -0.1, 0, 0.1, 0.2, 0.5), { minLength: 1, maxLength: 40 }), sparsity, (l, s) => {
        const values = Float32Array.from(l);
        const [mask] = computeMasks([{ name: 'w', shape: [l.length], values, role: 'kernel' }], { sparsity: s, scope: 'layer', structured: false, norm: 'l1', rule: 'tfmot' });
        const pruned = mask!.filter((k) => k === 0).length;
        const keptMin = Math.min(...Array.from(values).filter((_, j) => mask![j] === 1).map(Math.abs));
        const prunedAbs = Array.from(values).filter((_, j) => mask![j] === 0).map(Math.abs);
        return pruned <= prunedWeightCount(l.length, s, 'tfmot') && prunedAbs.every((a) => a < keptMin);
      }),
      { numRuns: 300, seed: 12 },
    );
  });
  it('structured: round(s c) whole channels removed, the ones with the smallest norms', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 8 }), sparsity, fc.integer({ min: 0, max: 1e6 }), (rows, cols, s, seed) => {
        const values = Float32Array.from({ length: rows * cols }, (_, i) => Math.sin(seed + i * 12.9898) * 3);
        const [mask] = computeMasks([{ name: 'k', shape: [rows, cols], values, role: 'kernel' }], { sparsity: s, scope: 'layer', structured: true, norm: 'l2', rule: 'torch' });
        const colKept = Array.from({ length: cols }, (_, c) => mask![c]!);
        for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) if (mask![r * cols + c] !== colKept[c]) return false;
        const norms = Array.from({ length: cols }, (_, c) => Array.from({ length: rows }, (_, r) => values[r * cols + c]! ** 2).reduce((a, b) => a + b, 0));
        const removed = colKept.filter((k) => k === 0).length;
        const maxRemoved = Math.max(-Infinity, ...norms.filter((_, c) => colKept[c] === 0));
        const minKept = Math.min(Infinity, ...norms.filter((_, c) => colKept[c] === 1));
        return removed === prunedWeightCount(cols, s) && maxRemoved <= minKept;
      }),
      { numRuns: 300, seed: 13 },
    );
  });
});

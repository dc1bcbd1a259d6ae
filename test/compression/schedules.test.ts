import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { constantSparsity, polynomialDecay } from '../../src/compression/index.js';
import prune from '../fixtures/compression/prune.json';

const t = prune.tfmot_schedules;

describe('pruning schedules against tfmot 0.8.1', () => {
  it('PolynomialDecay: values to 1e-12 and should-prune flags at every tabulated step', () => {
    const p = t.PolynomialDecay.params;
    const s = polynomialDecay({
      initialSparsity: p.initial_sparsity, finalSparsity: p.final_sparsity, beginStep: p.begin_step,
      endStep: p.end_step, power: p.power, frequency: p.frequency,
    });
    for (const row of t.PolynomialDecay.table) {
      expect(Math.abs(s.sparsityAt(row.step) - row.sparsity_float32)).toBeLessThanOrEqual(1e-12);
      expect(Math.abs(s.sparsityAt(row.step) - row.sparsity_exact)).toBeLessThan(1e-7);
      expect(s.shouldPrune(row.step)).toBe(row.should_prune);
    }
  });
  it('ConstantSparsity (forever and with an end step)', () => {
    for (const key of ['ConstantSparsity', 'ConstantSparsity_end1000'] as const) {
      const p = t[key].params;
      const s = constantSparsity({ targetSparsity: p.target_sparsity, beginStep: p.begin_step, endStep: p.end_step, frequency: p.frequency });
      for (const row of t[key].table) {
        expect(Math.abs(s.sparsityAt(row.step) - row.sparsity_float32)).toBeLessThanOrEqual(1e-12);
        expect(s.shouldPrune(row.step)).toBe(row.should_prune);
      }
    }
  });
  it('before beginStep the polynomial holds the initial sparsity; after endStep the final one', () => {
    const s = polynomialDecay({ initialSparsity: 0.2, finalSparsity: 0.6, beginStep: 10, endStep: 20, power: 1, frequency: 5 });
    expect(s.sparsityAt(0)).toBeCloseTo(0.2, 7); // float32 arithmetic: 0.20000001788
    expect(s.sparsityAt(15)).toBeCloseTo(0.4, 6);
    expect(s.sparsityAt(99)).toBe(Math.fround(0.6));
    expect([5, 10, 12, 15, 20, 25].map((x) => s.shouldPrune(x))).toEqual([false, true, false, true, true, false]);
  });
  it('rejects bad schedules with typed errors', () => {
    expect(() => constantSparsity({ targetSparsity: 1 })).toThrow(InvalidArgumentError);
    expect(() => constantSparsity({ targetSparsity: 0.5, frequency: 0 })).toThrow(/options.frequency/);
    expect(() => constantSparsity({ targetSparsity: 0.5, beginStep: 10, endStep: 5 })).toThrow(/options.endStep/);
    expect(() => polynomialDecay({ initialSparsity: 0, finalSparsity: 0.8, beginStep: 5, endStep: 5 })).toThrow(/> beginStep/);
    expect(() => polynomialDecay({ initialSparsity: 0, finalSparsity: 0.8, beginStep: 0, endStep: -1 })).toThrow(InvalidArgumentError);
    expect(() => polynomialDecay({ initialSparsity: -0.1, finalSparsity: 0.8, beginStep: 0, endStep: 10 })).toThrow(/initialSparsity/);
    expect(() => polynomialDecay({ initialSparsity: 0, finalSparsity: 0.8, beginStep: 0, endStep: 10, power: 0 })).toThrow(/power/);
  });
});

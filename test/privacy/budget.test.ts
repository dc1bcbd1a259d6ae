import { describe, expect, it } from 'vitest';
import { PrivacyBudget, PrivacyBudgetExceededError, RdpAccountant } from '../../src/privacy/index.js';
import { ResponsibleError } from '../../src/core/errors.js';

describe('PrivacyBudget', () => {
  it('throws PrivacyBudgetExceededError before a step would exceed the budget, recording nothing', () => {
    const budget = new PrivacyBudget({ epsilon: 1, delta: 1e-5 });
    const step = { noiseMultiplier: 1.1, sampleRate: 0.01 };
    let steps = 0;
    let caught: unknown;
    try {
      for (;;) {
        budget.spend(step, 50);
        steps += 50;
      }
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(PrivacyBudgetExceededError);
    expect(caught).toBeInstanceOf(ResponsibleError);
    const err = caught as PrivacyBudgetExceededError;
    expect(err.code).toBe('PRIVACY_BUDGET_EXCEEDED');
    expect(err.requestedEpsilon).toBeGreaterThan(1);
    expect(err.spentEpsilon).toBeLessThanOrEqual(1);
    expect(err.message).toContain('not recorded');
    // nothing recorded by the refused step
    const expected = new RdpAccountant().step(step, steps).getEpsilon(1e-5);
    expect(budget.spentEpsilon).toBe(expected);
    expect(budget.accountant.getEpsilon(1e-5)).toBe(expected);
    expect(budget.spentEpsilon).toBeLessThanOrEqual(1);
    expect(budget.remainingEpsilon).toBeCloseTo(1 - expected, 12);
    // a smaller step may still fit
    expect(budget.canSpend(step, 1)).toBe(budget.peek(step, 1) <= 1);
  });

  it('works with the PLD accountant and arbitrary events', () => {
    const budget = new PrivacyBudget({ epsilon: 2, delta: 1e-5, accountant: 'pld' });
    budget.spendEvent({ kind: 'laplace', noiseMultiplier: 1 });
    expect(budget.spentEpsilon).toBeCloseTo(1, 3);
    expect(() => budget.spendEvent({ kind: 'laplace', noiseMultiplier: 0.5 })).toThrow(PrivacyBudgetExceededError);
    expect(budget.spentEpsilon).toBeCloseTo(1, 3);
  });

  it('continues an accountant with history, refusing one already over budget', () => {
    const acc = new RdpAccountant().step({ noiseMultiplier: 0.8, sampleRate: 0.1 }, 100);
    expect(() => new PrivacyBudget({ epsilon: 0.5, delta: 1e-5, accountant: acc })).toThrow(PrivacyBudgetExceededError);
    expect(() => new PrivacyBudget({ epsilon: 0, delta: 1e-5 })).toThrow("argument 'options.epsilon'");
  });
});

describe('PrivacyBudget state', () => {
  it('keeps its limit and spending in private fields that JavaScript cannot overwrite', () => {
    const budget = new PrivacyBudget({ epsilon: 1, delta: 1e-5 });
    budget.spend({ noiseMultiplier: 2, sampleRate: 0.01 }, 10);
    const spent = budget.spentEpsilon;
    const loose = budget as unknown as Record<string, unknown>;
    expect(() => {
      loose.epsilon = 1e9;
    }).toThrow(TypeError);
    expect(() => {
      loose.spentEpsilon = 0;
    }).toThrow(TypeError);
    loose.spent = 0;
    loose.acc = undefined;
    expect(budget.epsilon).toBe(1);
    expect(budget.spentEpsilon).toBe(spent);
    expect(() => budget.spend({ noiseMultiplier: 0.3, sampleRate: 1 }, 100)).toThrow(PrivacyBudgetExceededError);
  });
});

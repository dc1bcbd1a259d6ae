/** Reserving DP-SGD steps on a live, possibly shared accountant (internal). */
import type { DpSgdStep, PrivacyAccountant } from '../accounting/index.js';
import type { PrivacyBudget } from '../budget/index.js';
import { PrivacyBudgetExceededError } from '../errors.js';

/**
 * Reserves one step at a time on `accountant`: the check against `targetEpsilon` and the record
 * happen in one synchronous section, before the step's noise is drawn, so concurrent fits on one
 * accountant can never together go over the target. The affordable number of steps is computed
 * by bisection over clones and reused while the accountant's ledger is exactly what this reserver
 * left it; any change made by someone else triggers a recomputation.
 */
export interface StepReserver {
  /** Records one step and returns true, or records nothing and returns false (budget reached). */
  reserve(): boolean;
}

/** A reserver for `remaining` planned steps (at most), or unlimited steps without a target. */
export function stepReserver(
  accountant: PrivacyAccountant, step: DpSgdStep, delta: number, targetEpsilon: number | undefined, planned: number,
): StepReserver {
  let remaining = planned;
  let allowance = 0;
  let seen: string | undefined;
  return {
    reserve(): boolean {
      if (remaining <= 0) return false;
      if (targetEpsilon !== undefined) {
        const now = fingerprint(accountant);
        if (now !== seen) {
          allowance = affordableSteps(accountant, step, remaining, delta, targetEpsilon);
          seen = now;
        }
        if (allowance <= 0) return false;
      }
      accountant.step(step);
      allowance--;
      remaining--;
      seen = targetEpsilon === undefined ? undefined : fingerprint(accountant);
      return true;
    },
  };
}

/** A reserver that spends through a {@link PrivacyBudget}, whose `spend` checks and records atomically. */
export function budgetReserver(budget: PrivacyBudget, step: DpSgdStep, planned: number): StepReserver {
  let remaining = planned;
  return {
    reserve(): boolean {
      if (remaining <= 0) return false;
      try {
        budget.spend(step);
      } catch (e) {
        if (e instanceof PrivacyBudgetExceededError) return false;
        throw e;
      }
      remaining--;
      return true;
    },
  };
}

function fingerprint(accountant: PrivacyAccountant): string {
  return JSON.stringify(accountant.ledger);
}

/**
 * The largest number of further steps, at most `planned`, after which the accountant's epsilon
 * at `delta` stays within `targetEpsilon` (0 if even one step would exceed it). Epsilon grows
 * with steps, so a bisection over clones finds it without touching `accountant`.
 */
export function affordableSteps(accountant: PrivacyAccountant, step: DpSgdStep, planned: number, delta: number, targetEpsilon: number): number {
  const fits = (k: number): boolean => k === 0 || accountant.clone().step(step, k).getEpsilon(delta) <= targetEpsilon;
  if (fits(planned)) return planned;
  let lo = 0;
  let hi = planned;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

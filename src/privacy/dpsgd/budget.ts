/** What-if budget checks on clones of an accountant (internal). */
import type { DpSgdStep, PrivacyAccountant } from '../accounting/index.js';

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

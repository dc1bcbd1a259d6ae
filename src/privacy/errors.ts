/**
 * Typed errors of the privacy module.
 */
import { ResponsibleError } from '../core/errors.js';

/**
 * A privacy budget would be exceeded by the step about to be taken. Thrown **before** the step is
 * recorded, so the budget's history never goes over its limit.
 *
 * @example
 * ```ts
 * import { PrivacyBudget, PrivacyBudgetExceededError } from 'responsible-tfjs/privacy';
 * const budget = new PrivacyBudget({ epsilon: 1, delta: 1e-5 });
 * try {
 *   budget.spend({ noiseMultiplier: 0.5, sampleRate: 1 });
 * } catch (e) {
 *   if (e instanceof PrivacyBudgetExceededError) console.log(e.code, e.requestedEpsilon);
 * }
 * ```
 */
export class PrivacyBudgetExceededError extends ResponsibleError {
  /** The epsilon allowed by the budget. */
  readonly budgetEpsilon: number;
  /** The delta at which epsilon is measured. */
  readonly delta: number;
  /** The epsilon already spent before the refused step. */
  readonly spentEpsilon: number;
  /** The epsilon the refused step would have reached. */
  readonly requestedEpsilon: number;
  /**
   * Builds the error and its message.
   * @param details - The refusing function, the budget, delta, and the spent and requested epsilons.
   */
  constructor(details: { fn: string; budgetEpsilon: number; delta: number; spentEpsilon: number; requestedEpsilon: number }) {
    super(
      'PRIVACY_BUDGET_EXCEEDED',
      `${details.fn}: this step would spend epsilon ${details.requestedEpsilon} at delta ${details.delta}, ` +
        `over the budget of ${details.budgetEpsilon} (already spent ${details.spentEpsilon}); the step was not recorded`,
    );
    this.budgetEpsilon = details.budgetEpsilon;
    this.delta = details.delta;
    this.spentEpsilon = details.spentEpsilon;
    this.requestedEpsilon = details.requestedEpsilon;
  }
}

/**
 * An accountant was asked to compose a mechanism (a `DpEvent`) it cannot account for.
 *
 * @example
 * ```ts
 * import { RdpAccountant, UnsupportedEventError } from 'responsible-tfjs/privacy';
 * const acc = new RdpAccountant();
 * // `supports` tells in advance; compose throws UnsupportedEventError otherwise.
 * console.log(acc.supports({ kind: 'poissonSampled', sampleRate: 0.1, event: { kind: 'laplace', noiseMultiplier: 1 } })); // false
 * ```
 */
export class UnsupportedEventError extends ResponsibleError {
  /** The kind of the event that is not supported. */
  readonly eventKind: string;
  /**
   * Builds the error and its message.
   * @param fn - The refusing function.
   * @param eventKind - The event's `kind`.
   * @param reason - Why, and what to use instead.
   */
  constructor(fn: string, eventKind: string, reason: string) {
    super('UNSUPPORTED_EVENT', `${fn}: cannot account for a '${eventKind}' event: ${reason}`);
    this.eventKind = eventKind;
  }
}

/**
 * A privacy budget (odometer and filter): records spending and refuses, before it happens, any
 * step that would take epsilon over the limit.
 */
import { invalid, nonNegativeInteger, numberInRange, optionsObject, positiveNumber } from '../../core/validate.js';
import type { AccountantKind, DpSgdStep, NeighboringRelation, PrivacyAccountant } from '../accounting/accountant.js';
import { createAccountant } from '../accounting/createAccountant.js';
import type { DpEvent } from '../accounting/dpEvent.js';
import { PrivacyBudgetExceededError } from '../errors.js';

/**
 * Options of {@link PrivacyBudget}.
 */
export interface PrivacyBudgetOptions {
  /** Total epsilon allowed, > 0. */
  readonly epsilon: number;
  /** Delta at which epsilon is measured, in (0, 1). */
  readonly delta: number;
  /** The accountant kind, or an accountant (possibly with history) to continue (default `'rdp'`). */
  readonly accountant?: AccountantKind | PrivacyAccountant;
  /**
   * Neighbouring relation of a fresh accountant (default `'addOrRemoveOne'`); a given accountant
   * keeps its own, and giving both is an error.
   */
  readonly neighboringRelation?: NeighboringRelation;
}

/**
 * A privacy filter/odometer over any accountant. Each `spend` first evaluates, on a copy of the
 * history, the epsilon the step would reach; if it exceeds the budget a
 * {@link PrivacyBudgetExceededError} is thrown and nothing is recorded, so the budget's history
 * never goes over its limit.
 *
 * @example
 * ```ts
 * import { PrivacyBudget, PrivacyBudgetExceededError } from 'responsible-tfjs/privacy';
 * const budget = new PrivacyBudget({ epsilon: 1, delta: 1e-5 });
 * const step = { noiseMultiplier: 1.1, sampleRate: 0.01 };
 * try {
 *   for (;;) budget.spend(step, 100);
 * } catch (e) {
 *   if (!(e instanceof PrivacyBudgetExceededError)) throw e;
 * }
 * console.log(budget.spentEpsilon <= 1); // true
 * ```
 */
export class PrivacyBudget {
  readonly #epsilon: number;
  readonly #delta: number;
  // Real private fields: a TypeScript-only `private` is writable from JavaScript (budget.spent = 0).
  #acc: PrivacyAccountant;
  #spent: number;

  /**
   * A budget with nothing spent (or continuing a given accountant).
   * @param options - Limit, delta and accountant.
   * @throws PrivacyBudgetExceededError when a given accountant's history is already over the limit.
   */
  constructor(options: PrivacyBudgetOptions) {
    const fn = 'PrivacyBudget';
    const o = optionsObject(fn, 'options', options);
    positiveNumber(fn, 'options.epsilon', o.epsilon);
    numberInRange(fn, 'options.delta', o.delta, { min: 0, max: 1, minInclusive: false, maxInclusive: false });
    this.#epsilon = o.epsilon;
    this.#delta = o.delta;
    if (typeof o.accountant === 'object' && o.accountant !== null) {
      if (o.neighboringRelation !== undefined) {
        invalid(fn, 'options.neighboringRelation', o.neighboringRelation, 'undefined when an accountant is given (it keeps its own relation)');
      }
      this.#acc = o.accountant.clone();
    } else {
      this.#acc = createAccountant(o.accountant ?? 'rdp', o.neighboringRelation === undefined ? {} : { neighboringRelation: o.neighboringRelation });
    }
    this.#spent = this.#acc.getEpsilon(this.delta);
    if (this.#spent > this.epsilon) {
      throw new PrivacyBudgetExceededError({ fn, budgetEpsilon: this.epsilon, delta: this.delta, spentEpsilon: this.#spent, requestedEpsilon: this.#spent });
    }
  }

  /** Total epsilon allowed (read-only, also from JavaScript). */
  get epsilon(): number {
    return this.#epsilon;
  }

  /** Delta at which epsilon is measured. */
  get delta(): number {
    return this.#delta;
  }

  /** Epsilon spent so far (at {@link PrivacyBudget.delta}). */
  get spentEpsilon(): number {
    return this.#spent;
  }

  /** Epsilon left before the limit. */
  get remainingEpsilon(): number {
    return Math.max(0, this.epsilon - this.#spent);
  }

  /** A copy of the accountant holding the recorded history. */
  get accountant(): PrivacyAccountant {
    return this.#acc.clone();
  }

  /**
   * The epsilon the budget would reach after `steps` more DP-SGD steps (nothing is recorded).
   * @returns The would-be epsilon.
   */
  peek(params: DpSgdStep, steps = 1): number {
    return this.#acc.clone().step(params, steps).getEpsilon(this.delta);
  }

  /** Whether `steps` more DP-SGD steps fit in the budget. */
  canSpend(params: DpSgdStep, steps = 1): boolean {
    return this.peek(params, steps) <= this.epsilon;
  }

  /**
   * Records `steps` DP-SGD steps, or throws {@link PrivacyBudgetExceededError} (recording
   * nothing) if they would exceed the budget.
   * @returns The epsilon spent after the steps.
   */
  spend(params: DpSgdStep, steps = 1): number {
    nonNegativeInteger('PrivacyBudget.spend', 'steps', steps);
    return this.#commit('PrivacyBudget.spend', (a) => a.step(params, steps));
  }

  /**
   * Records `count` repetitions of any event the accountant supports (the whole vocabulary of
   * {@link DpEvent}, e.g. a `nonPrivate` event, which no finite budget admits), or throws
   * {@link PrivacyBudgetExceededError} (recording nothing) if they would exceed the budget.
   * @returns The epsilon spent after the event.
   */
  spendEvent(event: DpEvent, count = 1): number {
    return this.#commit('PrivacyBudget.spendEvent', (a) => a.compose(event, count));
  }

  #commit(fn: string, apply: (a: PrivacyAccountant) => void): number {
    const trial = this.#acc.clone();
    apply(trial);
    const requested = trial.getEpsilon(this.delta);
    if (!(requested <= this.epsilon)) {
      throw new PrivacyBudgetExceededError({ fn, budgetEpsilon: this.epsilon, delta: this.delta, spentEpsilon: this.#spent, requestedEpsilon: requested });
    }
    this.#acc = trial; // the trial already holds the new history (and any cached composition)
    this.#spent = requested;
    return requested;
  }
}

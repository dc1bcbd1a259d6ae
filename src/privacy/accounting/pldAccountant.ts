/**
 * PLD accountant (stub, being implemented).
 */
import type { AccountantKind, DpSgdStep, PrivacyAccountant } from './accountant.js';
import type { DpEvent } from './dpEvent.js';

/**
 * Options of {@link PldAccountant}.
 *
 * @example
 * ```ts
 * import { PldAccountant } from 'responsible-tfjs/privacy';
 * const acc = new PldAccountant({ valueDiscretizationInterval: 1e-4 });
 * ```
 */
export interface PldAccountantOptions {
  /** Width of the privacy-loss grid (default 1e-4, as dp_accounting). */
  readonly valueDiscretizationInterval?: number;
}

/**
 * Privacy loss distribution accountant.
 *
 * @example
 * ```ts
 * import { PldAccountant } from 'responsible-tfjs/privacy';
 * const eps = new PldAccountant().step({ noiseMultiplier: 1.5, sampleRate: 0.04 }, 2250).getEpsilon(1e-5);
 * ```
 */
export class PldAccountant implements PrivacyAccountant {
  /** Always `'pld'`. */
  readonly kind: AccountantKind = 'pld';
  constructor(options?: PldAccountantOptions) {
    void options;
  }
  /** {@inheritDoc PrivacyAccountant.step} */
  step(params: DpSgdStep, steps = 1): this {
    void params; void steps;
    return this;
  }
  /** {@inheritDoc PrivacyAccountant.compose} */
  compose(event: DpEvent, count = 1): this {
    void event; void count;
    return this;
  }
  /** {@inheritDoc PrivacyAccountant.supports} */
  supports(event: DpEvent): boolean {
    void event;
    return true;
  }
  /** {@inheritDoc PrivacyAccountant.getEpsilon} */
  getEpsilon(delta: number): number {
    void delta;
    return 0;
  }
  /** {@inheritDoc PrivacyAccountant.getDelta} */
  getDelta(epsilon: number): number {
    void epsilon;
    return 0;
  }
  /** {@inheritDoc PrivacyAccountant.clone} */
  clone(): PldAccountant {
    return new PldAccountant();
  }
  /** {@inheritDoc PrivacyAccountant.ledger} */
  get ledger(): DpEvent {
    return { kind: 'composed', events: [] };
  }
}

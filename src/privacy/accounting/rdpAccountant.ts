/**
 * Rényi-DP accountant (stub, being implemented).
 */
import type { AccountantKind, DpSgdStep, PrivacyAccountant } from './accountant.js';
import type { DpEvent } from './dpEvent.js';

/**
 * Options of {@link RdpAccountant}.
 *
 * @example
 * ```ts
 * import { RdpAccountant } from 'responsible-tfjs/privacy';
 * const acc = new RdpAccountant({ orders: [2, 4, 8, 16, 32, 64] });
 * ```
 */
export interface RdpAccountantOptions {
  /** Rényi orders (> 1); Opacus' default 150 orders when omitted. */
  readonly orders?: readonly number[];
}

/**
 * Rényi differential privacy accountant.
 *
 * @example
 * ```ts
 * import { RdpAccountant } from 'responsible-tfjs/privacy';
 * const eps = new RdpAccountant().step({ noiseMultiplier: 1.5, sampleRate: 0.04 }, 2250).getEpsilon(1e-5);
 * ```
 */
export class RdpAccountant implements PrivacyAccountant {
  /** Always `'rdp'`. */
  readonly kind: AccountantKind = 'rdp';
  constructor(options?: RdpAccountantOptions) {
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
  clone(): RdpAccountant {
    return new RdpAccountant();
  }
  /** {@inheritDoc PrivacyAccountant.ledger} */
  get ledger(): DpEvent {
    return { kind: 'composed', events: [] };
  }
}

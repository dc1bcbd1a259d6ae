/**
 * Privacy-loss-distribution accountant: run-length history, lazy FFT composition, cached state.
 */
import { InvalidArgumentError } from '../../core/errors.js';
import { optionsObject, positiveNumber } from '../../core/validate.js';
import type { AccountantKind, PrivacyAccountant } from './accountant.js';
import type { DpEvent } from './dpEvent.js';
import { LedgerAccountant } from './ledger.js';
import { IDENTITY_PLD, composeEvent, pldDelta, pldEpsilon, pldUnsupportedReason, type Pld } from './pld/eventPld.js';

/**
 * Options of {@link PldAccountant}.
 */
export interface PldAccountantOptions {
  /**
   * Width of the privacy-loss grid (default 1e-4, as dp_accounting). Smaller is tighter and
   * slower; the reported epsilon is an upper bound at any width.
   */
  readonly valueDiscretizationInterval?: number;
}

/**
 * Privacy loss distribution accountant (Koskela et al. 2020; Doroshenko et al. 2022), after
 * dp_accounting's `PLDAccountant`: each mechanism's privacy-loss distribution is discretized
 * pessimistically on a grid of width `valueDiscretizationInterval` (connect-the-dots), repeated
 * steps are composed by one FFT power (repeated squaring of the Fourier coefficients), tails of
 * mass below 1e-15 are moved to +∞, and ε(δ) is read off exactly from the discrete distribution.
 *
 * The result is an upper bound on the true epsilon (never optimistic, up to floating-point error
 * of the FFT), tight up to the discretization: halving the interval moves it by about the
 * interval's order times the number of compositions' effect measured in the reference grid
 * (≤ 1.5e-4 absolute going from 1e-4 to 1e-5 on the DP-SGD cases we test).
 *
 * Supports Gaussian and Laplace events, their compositions, and Poisson subsampling of one
 * Gaussian or Laplace mechanism. Composition happens lazily at the first `getEpsilon`/`getDelta`
 * after a change; appending steps afterwards composes only the new steps.
 *
 * @example
 * ```ts
 * import { PldAccountant } from 'responsible-tfjs/privacy';
 * const acc = new PldAccountant().step({ noiseMultiplier: 1.1, sampleRate: 0.004 }, 10000);
 * console.log(acc.getEpsilon(1e-5)); // ≈ 1.8410 (dp_accounting: 1.8410369)
 * ```
 */
export class PldAccountant extends LedgerAccountant implements PrivacyAccountant {
  /** Always `'pld'`. */
  readonly kind: AccountantKind = 'pld';
  /** @internal */
  protected readonly className = 'PldAccountant';
  /** The grid width in use. */
  readonly valueDiscretizationInterval: number;
  /** The last composed PLD and the history it was composed from. */
  #cache: { pld: Pld; segments: { key: string; count: number }[]; version: number } = {
    pld: IDENTITY_PLD,
    segments: [],
    version: 0,
  };

  /**
   * An empty accountant.
   * @param options - Optional grid width.
   * @throws InvalidArgumentError for a width that is not a finite number > 0.
   */
  constructor(options?: PldAccountantOptions) {
    super();
    const o = optionsObject('PldAccountant', 'options', options);
    this.valueDiscretizationInterval = o.valueDiscretizationInterval ?? 1e-4;
    positiveNumber('PldAccountant', 'options.valueDiscretizationInterval', this.valueDiscretizationInterval);
  }

  /** {@inheritDoc PrivacyAccountant.clone} */
  clone(): PldAccountant {
    const c = new PldAccountant({ valueDiscretizationInterval: this.valueDiscretizationInterval });
    this.copyLedgerInto(c);
    c.#cache = { pld: this.#cache.pld, segments: this.#cache.segments.map((s) => ({ ...s })), version: -1 };
    return c;
  }

  /** @internal */
  protected unsupportedReason(event: DpEvent): string | undefined {
    return pldUnsupportedReason(event);
  }

  /** @internal */
  protected epsilonOf(delta: number): number {
    return pldEpsilon(this.#pld(), this.valueDiscretizationInterval, delta);
  }

  /** @internal */
  protected deltaOf(epsilon: number): number {
    return pldDelta(this.#pld(), this.valueDiscretizationInterval, epsilon);
  }

  /** The composed PLD, reusing the cached composition of an unchanged prefix of the history. */
  #pld(): Pld {
    const version = this.historyVersion;
    if (this.#cache.version === version) return this.#cache.pld;
    const segments = this.history();
    const done = this.#cache.segments;
    let prefix = 0;
    while (
      prefix < done.length &&
      prefix < segments.length &&
      done[prefix]!.key === segments[prefix]!.key &&
      done[prefix]!.count === segments[prefix]!.count
    ) {
      prefix++;
    }
    let pld: Pld;
    let start: number;
    let extra = 0;
    const cur = segments[prefix];
    const old = done[prefix];
    if (prefix === done.length) {
      pld = this.#cache.pld;
      start = prefix;
    } else if (prefix === done.length - 1 && cur !== undefined && old !== undefined && cur.key === old.key && cur.count > old.count) {
      pld = this.#cache.pld; // the last run grew: compose only its new steps
      start = prefix;
      extra = old.count;
    } else {
      pld = IDENTITY_PLD;
      start = 0;
    }
    const interval = this.valueDiscretizationInterval;
    try {
      for (let i = start; i < segments.length; i++) {
        const s = segments[i]!;
        const count = i === start && extra > 0 ? s.count - extra : s.count;
        pld = composeEvent(pld, s.event, count, interval);
      }
    } catch (e) {
      if (e instanceof RangeError) {
        throw new InvalidArgumentError({
          fn: 'PldAccountant',
          argument: 'options.valueDiscretizationInterval',
          value: interval,
          allowed: 'large enough for the privacy-loss grid to fit in memory',
          hint: `${e.message}; pass a larger valueDiscretizationInterval (e.g. ${interval * 10}) or use the RDP accountant`,
        });
      }
      throw e;
    }
    this.#cache = { pld, segments: segments.map((s) => ({ key: s.key, count: s.count })), version };
    return pld;
  }
}

/**
 * Privacy-loss-distribution accountant: run-length history, lazy FFT composition, cached state.
 */
import { InvalidArgumentError } from '../../core/errors.js';
import { oneOf, optionsObject, positiveNumber } from '../../core/validate.js';
import { NEIGHBORING_RELATIONS, type AccountantKind, type NeighboringRelation, type PrivacyAccountant } from './accountant.js';
import type { DpEvent } from './dpEvent.js';
import { LedgerAccountant } from './ledger.js';
import { IDENTITY_PLD, composeEvent, pldDelta, pldEpsilon, type Pld } from './pld/eventPld.js';
import { pldUnsupportedReason } from './pld/pldSupport.js';

/**
 * Options of {@link PldAccountant}.
 */
export interface PldAccountantOptions {
  /**
   * Width of the privacy-loss grid (default 1e-4, as dp_accounting). Smaller is tighter and
   * slower; the reported epsilon is an upper bound at any width.
   */
  readonly valueDiscretizationInterval?: number;
  /**
   * Which datasets are neighbours (default `'addOrRemoveOne'`, as dp_accounting). Under
   * `'replaceOne'` the PLD accountant follows dp_accounting's PLD: a Gaussian's noise multiplier
   * stays relative to the add/remove sensitivity, and the two neighbours' outputs lie twice that
   * apart (μ(x+1) against μ(x−1)); randomized response is accounted only under `'replaceOne'`,
   * Laplace-type events only under `'addOrRemoveOne'`.
   */
  readonly neighboringRelation?: NeighboringRelation;
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
 * Takes what dp_accounting's `PLDAccountant` takes, with the same PLDs: no-op and non-private
 * events; Gaussian, Poisson-subsampled Gaussian and truncated subsampled Gaussian (either
 * relation); Laplace, Poisson-subsampled Laplace, discrete Laplace and permute-and-flip
 * (add/remove only); (ε, δ) pairs and the exponential mechanism (the worst-case ε-DP PLD);
 * randomized response (replace-one only); mixtures of Gaussians (add/remove only, sensitivities
 * >= 0; dp_accounting's `MixtureGaussianPrivacyLoss`, inverted by the same bisection); and
 * compositions of these. Beyond dp_accounting's
 * accountant: Poisson-subsampled discrete Laplace (its PLD library's), any event at sample rate
 * 0 (free), a mixture whose sensitivities are all 0 (free), and repeated randomized response is
 * composed `count` times (dp_accounting's accountant, at commit b5b0286, drops the count).
 * {@link PldAccountant.supports} is false for zCDP, Poisson subsampling of a mixture (fold the
 * rate into the mixture), sampling without replacement and repeat-and-select: use the RDP
 * accountant. Count 0 and sample rate 0 cost nothing; a non-private event makes ε = ∞
 * and δ = 1. Composition happens lazily at the first `getEpsilon`/`getDelta` after a change;
 * appending steps afterwards composes only the new steps.
 *
 * @example
 * ```ts
 * import { PldAccountant, randomizedResponseEvent } from 'responsible-tfjs/privacy';
 * const acc = new PldAccountant().step({ noiseMultiplier: 1.1, sampleRate: 0.004 }, 10000);
 * console.log(acc.getEpsilon(1e-5)); // ≈ 1.8410 (dp_accounting: 1.8410369)
 *
 * // randomized response is accounted under the replace-one relation
 * const rr = new PldAccountant({ neighboringRelation: 'replaceOne' }).compose(randomizedResponseEvent(0.5, 2), 3);
 * console.log(rr.getEpsilon(1e-5)); // ≈ 3.2961 (three answers of ln 3 each)
 * ```
 */
export class PldAccountant extends LedgerAccountant implements PrivacyAccountant {
  /** Always `'pld'`. */
  readonly kind: AccountantKind = 'pld';
  /** @internal */
  protected readonly className = 'PldAccountant';
  /** The grid width in use. */
  readonly valueDiscretizationInterval: number;
  /** The neighbouring relation the guarantee is stated for. */
  readonly neighboringRelation: NeighboringRelation;
  /** The last composed PLD and the history it was composed from. */
  #cache: { pld: Pld; segments: { key: string; count: number }[]; version: number } = {
    pld: IDENTITY_PLD,
    segments: [],
    version: 0,
  };

  /**
   * An empty accountant.
   * @param options - Optional grid width and neighbouring relation.
   * @throws InvalidArgumentError for a width that is not a finite number > 0, or an unknown relation.
   */
  constructor(options?: PldAccountantOptions) {
    super();
    const o = optionsObject('PldAccountant', 'options', options);
    this.valueDiscretizationInterval = o.valueDiscretizationInterval ?? 1e-4;
    positiveNumber('PldAccountant', 'options.valueDiscretizationInterval', this.valueDiscretizationInterval);
    this.neighboringRelation = o.neighboringRelation ?? 'addOrRemoveOne';
    oneOf('PldAccountant', 'options.neighboringRelation', this.neighboringRelation, NEIGHBORING_RELATIONS);
  }

  /** {@inheritDoc PrivacyAccountant.clone} */
  clone(): PldAccountant {
    const c = new PldAccountant({
      valueDiscretizationInterval: this.valueDiscretizationInterval,
      neighboringRelation: this.neighboringRelation,
    });
    this.copyLedgerInto(c);
    c.#cache = { pld: this.#cache.pld, segments: this.#cache.segments.map((s) => ({ ...s })), version: -1 };
    return c;
  }

  /** @internal */
  protected unsupportedReason(event: DpEvent): string | undefined {
    return pldUnsupportedReason(event, this.neighboringRelation);
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
        pld = composeEvent(pld, s.event, count, interval, this.neighboringRelation);
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

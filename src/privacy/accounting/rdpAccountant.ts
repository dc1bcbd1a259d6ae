/**
 * Rényi-DP accountant: history stored run-length, per-step RDP curves cached per mechanism.
 */
import { oneOf, optionsObject } from '../../core/validate.js';
import { NEIGHBORING_RELATIONS, type AccountantKind, type NeighboringRelation, type PrivacyAccountant } from './accountant.js';
import type { DpEvent } from './dpEvent.js';
import { LedgerAccountant } from './ledger.js';
import { checkOrders } from './rdp/computeRdp.js';
import { addEventRdp, emptyCurve, type RdpCurve } from './rdp/eventRdp.js';
import { rdpUnsupportedReason } from './rdp/rdpSupport.js';
import { DEFAULT_RDP_ORDERS } from './rdp/orders.js';
import { deltaFromRdp, epsilonFromRdp, type RdpConversion } from './rdp/rdpToEpsilon.js';

/**
 * Options of {@link RdpAccountant}.
 */
export interface RdpAccountantOptions {
  /** Rényi orders (> 1); {@link DEFAULT_RDP_ORDERS} (Opacus' 151 orders) when omitted. */
  readonly orders?: readonly number[];
  /**
   * The relation the guarantee is stated for (default `'addOrRemoveOne'`). Under `'replaceOne'`
   * the accountant takes sampling without replacement and randomized response but not Poisson
   * subsampling (so not {@link PrivacyAccountant.step}), as dp_accounting's `RdpAccountant`.
   */
  readonly neighboringRelation?: NeighboringRelation;
}

/**
 * Rényi differential privacy accountant (Mironov 2017): composes RDP curves by addition and
 * converts to (epsilon, delta) with {@link rdpToEpsilon}. Same orders and conversion as Opacus'
 * `RDPAccountant` by default, so its epsilons agree with Opacus to ~4e-11 relative; each RDP value
 * is a certified upper bound (never below the exact value) and a positive RDP never converts to
 * epsilon 0, see {@link rdpToEpsilon}. RDP is an
 * upper bound that is loose for composed Gaussians (5–240% above the tight PLD value); use
 * {@link PldAccountant} for the tightest number.
 *
 * Supports what dp_accounting's `RdpAccountant` supports: no-op, non-private (epsilon Infinity),
 * Gaussian, Laplace, (epsilon, delta) (its delta added outside the RDP curve), zCDP, exponential,
 * permute-and-flip and repeat-and-select events under either relation; Poisson subsampling of
 * (compositions of) Gaussians under `'addOrRemoveOne'`; sampling without replacement of them and
 * randomized response under `'replaceOne'`. {@link PrivacyAccountant.supports} says no to the rest
 * (discrete Laplace, mixtures of Gaussians, truncated subsampling: use {@link PldAccountant}).
 *
 * @example
 * ```ts
 * import { RdpAccountant } from 'responsible-tfjs/privacy';
 * const acc = new RdpAccountant().step({ noiseMultiplier: 1.5, sampleRate: 0.04 }, 2250);
 * console.log(acc.getEpsilon(1e-5)); // 7.32911117143 (Opacus' golden value)
 * ```
 */
export class RdpAccountant extends LedgerAccountant implements PrivacyAccountant {
  /** Always `'rdp'`. */
  readonly kind: AccountantKind = 'rdp';
  /** @internal */
  protected readonly className = 'RdpAccountant';
  /** The Rényi orders in use. */
  readonly orders: readonly number[];
  /** {@inheritDoc PrivacyAccountant.neighboringRelation} */
  readonly neighboringRelation: NeighboringRelation;
  /** Per-step RDP curve of each distinct event (keyed by its JSON), shared with clones (never mutated). */
  readonly #curveCache = new Map<string, RdpCurve>();
  #totalVersion = -1;
  #total: RdpCurve;

  /**
   * An empty accountant.
   * @param options - Optional Rényi orders and neighbouring relation.
   * @throws InvalidArgumentError for an empty list, an order <= 1 or an unknown relation.
   */
  constructor(options?: RdpAccountantOptions) {
    super();
    const o = optionsObject('RdpAccountant', 'options', options);
    const orders = o.orders ?? DEFAULT_RDP_ORDERS;
    checkOrders('RdpAccountant', orders);
    this.orders = Object.freeze([...orders]);
    this.neighboringRelation = oneOf('RdpAccountant', 'options.neighboringRelation', o.neighboringRelation ?? 'addOrRemoveOne', NEIGHBORING_RELATIONS);
    this.#total = emptyCurve(this.orders.length);
  }

  /** The accumulated RDP at each of {@link RdpAccountant.orders} (a copy; (epsilon, delta) events' delta is not in it). */
  get rdp(): Float64Array {
    return this.#totalCurve().rdp.slice();
  }

  /** The epsilon at `delta` and the order attaining it. */
  getEpsilonAndOrder(delta: number): RdpConversion {
    const epsilon = this.getEpsilon(delta);
    if (this.segmentCount === 0) return { epsilon, order: this.orders[0] as number };
    return this.#conversion(delta);
  }

  /** {@inheritDoc PrivacyAccountant.clone} */
  clone(): RdpAccountant {
    const c = new RdpAccountant({ orders: this.orders, neighboringRelation: this.neighboringRelation });
    this.copyLedgerInto(c);
    for (const [k, v] of this.#curveCache) c.#curveCache.set(k, v);
    return c;
  }

  /** @internal */
  protected unsupportedReason(event: DpEvent): string | undefined {
    return rdpUnsupportedReason(event, this.neighboringRelation);
  }

  /** @internal */
  protected epsilonOf(delta: number): number {
    return this.#conversion(delta).epsilon;
  }

  /** @internal */
  protected deltaOf(epsilon: number): number {
    const t = this.#totalCurve();
    const d = deltaFromRdp(this.orders, t.rdp, epsilon).delta;
    if (t.log1mDelta === 0) return d;
    // 1 − (1 − d)(1 − extra), as dp_accounting
    return Math.min(1, -Math.expm1(Math.log1p(-d) + t.log1mDelta));
  }

  /** Epsilon at `delta`, after setting aside the delta of (epsilon, delta) events (as dp_accounting). */
  #conversion(delta: number): RdpConversion {
    const t = this.#totalCurve();
    if (t.log1mDelta === 0) return epsilonFromRdp(this.orders, t.rdp, delta);
    // delta = 1 − (1 − effective)(1 − extra)
    const effective = -Math.expm1(Math.log1p(-delta) - t.log1mDelta);
    if (!(effective > 0)) return { epsilon: Infinity, order: this.orders[0] as number };
    return epsilonFromRdp(this.orders, t.rdp, effective);
  }

  #curve(key: string, event: DpEvent): RdpCurve {
    let c = this.#curveCache.get(key);
    if (c === undefined) {
      c = emptyCurve(this.orders.length);
      addEventRdp(event, this.orders, 1, c, this.neighboringRelation);
      this.#curveCache.set(key, c);
    }
    return c;
  }

  #totalCurve(): RdpCurve {
    const version = this.historyVersion;
    if (this.#totalVersion !== version) {
      const t = emptyCurve(this.orders.length);
      for (const s of this.history()) {
        const c = this.#curve(s.key, s.event);
        for (let i = 0; i < t.rdp.length; i++) t.rdp[i] = (t.rdp[i] as number) + s.count * (c.rdp[i] as number);
        t.log1mDelta += s.count * c.log1mDelta;
      }
      this.#total = t;
      this.#totalVersion = version;
    }
    return this.#total;
  }
}

/**
 * dp_accounting's event vocabulary on the RDP accountant: reference values from dp_accounting's
 * own RdpAccountant (test/fixtures/privacy/generate_dp_accounting_events_rdp.py), values ported
 * from its rdp_privacy_accountant_test.py, the supports() table, and edge cases.
 */
import { describe, expect, it } from 'vitest';
import fixture from '../fixtures/privacy/dp_accounting_events_rdp.json';
import { expectInvalidArgument } from '../helpers/errors.js';
import {
  DP_ACCOUNTING_RDP_ORDERS,
  PrivacyBudget,
  PrivacyBudgetExceededError,
  RdpAccountant,
  UnsupportedEventError,
  composedEvent,
  createAccountant,
  discreteLaplaceEvent,
  epsilonDeltaEvent,
  exponentialEvent,
  gaussianEvent,
  laplaceEvent,
  mixtureOfGaussiansEvent,
  noOpEvent,
  nonPrivateEvent,
  permuteAndFlipEvent,
  poissonSampledEvent,
  randomizedResponseEvent,
  repeatAndSelectEvent,
  sampledWithoutReplacementEvent,
  selfComposedEvent,
  truncatedSubsampledGaussianEvent,
  zcdpEvent,
  type DpEvent,
  type NeighboringRelation,
} from '../../src/privacy/index.js';

type Num = number | string | { error: string };
const num = (x: Num): number => (x === 'Infinity' ? Infinity : x === '-Infinity' ? -Infinity : (x as number));
const isError = (x: Num): x is { error: string } => typeof x === 'object';
const REL = 1e-9;
/** Events from the fixture, with "Infinity" strings back to numbers. */
const revive = (v: unknown): DpEvent =>
  JSON.parse(JSON.stringify(v), (_k, x: unknown) => (x === 'Infinity' ? Infinity : x)) as DpEvent;

function closeTo(actual: number, expected: number, rel = REL): void {
  if (!Number.isFinite(expected)) expect(actual).toBe(expected);
  else expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected) + 1e-300);
}

function accountantFor(relation: string, orders: readonly number[] = fixture.orders): RdpAccountant {
  return new RdpAccountant({ orders, neighboringRelation: relation as NeighboringRelation });
}

/**
 * Cases where dp_accounting rounds a positive RDP to 0 or below (and then reports epsilon 0, or a
 * math domain error for delta), or loses digits to cancellation (the (epsilon, delta) bound at
 * epsilon 1e-6): ours stays a positive upper bound (issue 11), so we check "no under-reporting"
 * and agreement to 1e-2 there instead of equality.
 */
/** Cases where dp_accounting subsamples a zCDP event, which ours refuses on purpose. */
const ZCDP_SAMPLED = new Set(['wor zcdp', 'poisson zcdp']);
const UNDER_REPORTED_BY_REFERENCE = new Set(['wor tiny q', 'poisson tiny rate', 'epsilonDelta tiny epsilon']);

/**
 * Whether an event Poisson-subsamples at a rate in (0, 1). At fractional orders dp_accounting (at
 * this commit) sums the absolute values of the signed series of Mironov, Talwar and Zhang (2019)
 * §3.3, an upper bound up to ~5% above the exact RDP (1.6290e-5 against 1.5578e-5 for q = 0.01,
 * σ = 2, α = 1.1; mpmath quadrature agrees with ours); ours is the exact value (Opacus'), so there
 * we check ours <= theirs, and equality at integer orders when the curve is not transformed.
 */
function subsamples(e: DpEvent): boolean {
  switch (e.kind) {
    case 'poissonSampled':
      return (e.sampleRate > 0 && e.sampleRate < 1) || subsamples(e.event);
    case 'selfComposed':
    case 'repeatAndSelect':
    case 'sampledWithoutReplacement':
      return subsamples(e.event);
    case 'composed':
      return e.events.some(subsamples);
    default:
      return false;
  }
}

/**
 * The noise multiplier of a single-event sampling-without-replacement case, for the cap α/(2σ²)
 * ours applies and dp_accounting does not (its bound exceeds it at large sample fractions).
 */
function worSigma(events: readonly { event: DpEvent; count: number }[]): { sigma: number; count: number } | undefined {
  const only = events.length === 1 ? events[0] : undefined;
  if (only?.event.kind !== 'sampledWithoutReplacement') return undefined;
  const inner = only.event.event;
  const s = (e: DpEvent): number =>
    e.kind === 'gaussian' ? e.noiseMultiplier : e.kind === 'zcdp' ? 1 / Math.sqrt(2 * e.rho) : e.kind === 'composed' ? 1 / Math.sqrt(e.events.reduce((a, x) => a + s(x) ** -2, 0)) : NaN;
  return { sigma: s(inner), count: only.count };
}

/**
 * The event whose Gaussians and Laplaces carry twice the noise multiplier. Under 'replaceOne' ours
 * reads a noise multiplier relative to one record's contribution, so neighbours are 2 apart (as
 * dp_accounting's PLD accountant does for the Gaussian); dp_accounting's RDP accountant reads it
 * relative to the replace-one distance. Ours at 2σ is therefore theirs at σ.
 */
function doubleGaussians(e: DpEvent): DpEvent {
  switch (e.kind) {
    case 'gaussian':
      return gaussianEvent(2 * e.noiseMultiplier);
    case 'laplace':
      return laplaceEvent(2 * e.noiseMultiplier);
    case 'poissonSampled':
      return { ...e, event: doubleGaussians(e.event) };
    case 'sampledWithoutReplacement':
    case 'selfComposed':
    case 'repeatAndSelect':
      return { ...e, event: doubleGaussians(e.event) } as DpEvent;
    case 'composed':
      return composedEvent(e.events.map(doubleGaussians));
    default:
      return e;
  }
}

describe('RDP accountant on dp_accounting events: reference values', () => {
  for (const c of fixture.cases) {
    it(`${c.name} (${c.relation})`, () => {
      const acc = accountantFor(c.relation);
      const events = c.events.map(({ event, count }) => ({ event: revive(event), count }));
      if (ZCDP_SAMPLED.has(c.name)) {
        // dp_accounting amplifies zCDP by subsampling as a Gaussian; we refuse (see rdpSupport.ts).
        for (const { event } of events) expect(acc.supports(event)).toBe(false);
        return;
      }
      for (const { event, count } of events) acc.compose(c.relation === 'replaceOne' ? doubleGaussians(event) : event, count);
      const rdp = acc.rdp;
      const loose = UNDER_REPORTED_BY_REFERENCE.has(c.name);
      const poisson = events.some(({ event }) => subsamples(event));
      const transformed = events.some(({ event }) => event.kind === 'repeatAndSelect');
      const wor = worSigma(events);
      let capped = false;
      c.rdp.forEach((r, i) => {
        let expected = num(r as Num);
        if (wor !== undefined) {
          const cap = (wor.count * (fixture.orders[i] as number)) / (2 * wor.sigma * wor.sigma);
          if (cap < expected) [expected, capped] = [cap, true];
        }
        const actual = rdp[i] as number;
        const order = fixture.orders[i] as number;
        if (expected < 1e-290) {
          expect(actual).toBeGreaterThanOrEqual(0); // below the reference's rounding noise
        } else if (loose) {
          // positive, and close to theirs: at epsilon 1e-6 theirs even exceeds the proven cap α·ε²/2 that ours may return
          expect(actual).toBeGreaterThan(0);
          closeTo(actual, expected, 1e-2);
        } else if (poisson && (transformed || !Number.isInteger(order))) {
          expect(actual).toBeLessThanOrEqual(expected * (1 + REL));
          closeTo(actual, expected, 0.1);
        } else closeTo(actual, expected);
      });
      c.epsilons.forEach((e, i) => {
        const actual = acc.getEpsilon(fixture.deltas[i] as number);
        const expected = num(e as Num);
        if (loose && expected === 0) expect(actual).toBeGreaterThanOrEqual(0);
        else if (loose) closeTo(actual, expected, 1e-2);
        else if (capped) expect(actual).toBeLessThanOrEqual(expected * (1 + REL)); // the cap can lower epsilon a lot
        else if (poisson) {
          expect(actual).toBeLessThanOrEqual(expected * (1 + REL));
          closeTo(actual, expected, 0.05);
        } else closeTo(actual, expected);
      });
      c.deltas.forEach((d, i) => {
        const actual = acc.getDelta(fixture.epsilonsForDelta[i] as number);
        if (isError(d as Num)) {
          // dp_accounting fails on an RDP that rounds to nearly 0; ours is a valid (tiny) delta
          expect(actual).toBeGreaterThanOrEqual(0);
          expect(actual).toBeLessThan(1e-12);
        } else if (loose) closeTo(actual, num(d as Num), 1e-2);
        else if (poisson || capped) expect(actual).toBeLessThanOrEqual(num(d as Num) * (1 + REL) + 1e-300);
        else closeTo(actual, num(d as Num));
      });
    });
  }
});

describe('supports(): the table of dp_accounting', () => {
  it('agrees with dp_accounting on every event and relation', () => {
    for (const row of fixture.supports) {
      for (const relation of ['addOrRemoveOne', 'replaceOne'] as const) {
        const sampledZcdp = /ampled.*"kind":"zcdp"/.test(JSON.stringify(row.event));
        const expected = sampledZcdp ? false : row[relation]; // refused on purpose (rdpSupport.ts)
        expect([row.event, relation, accountantFor(relation).supports(revive(row.event))]).toEqual([row.event, relation, expected]);
      }
    }
  });

  it('differs where the answer is exact or dp_accounting would under-report', () => {
    const aor = new RdpAccountant();
    const ro = new RdpAccountant({ neighboringRelation: 'replaceOne' });
    // Poisson sampling at rate 0 or 1 is exact for any event (dp_accounting takes Gaussians only)
    expect(aor.supports(poissonSampledEvent(1, laplaceEvent(1)))).toBe(true);
    expect(aor.supports(poissonSampledEvent(0, laplaceEvent(1)))).toBe(true);
    expect(aor.supports(poissonSampledEvent(0.5, laplaceEvent(1)))).toBe(false);
    // repeat-and-select of an event with delta > 0: dp_accounting adds the delta once
    expect(aor.supports(repeatAndSelectEvent(epsilonDeltaEvent(1, 1e-6), { mean: 10, shape: 1 }))).toBe(false);
    expect(aor.supports(repeatAndSelectEvent(epsilonDeltaEvent(1, 0), { mean: 10, shape: 1 }))).toBe(true);
    // the relation gates Poisson sampling whatever the rate, as dp_accounting
    expect(ro.supports(poissonSampledEvent(1, gaussianEvent(1)))).toBe(false);
    expect(() => ro.compose(poissonSampledEvent(0.1, gaussianEvent(1)))).toThrow(UnsupportedEventError);
    expect(() => ro.step({ noiseMultiplier: 1, sampleRate: 0.1 })).toThrow(UnsupportedEventError);
    expect(ro.segmentCount).toBe(0);
    expect(() => aor.compose(randomizedResponseEvent(0.5, 2))).toThrow(/'replaceOne' only/);
    expect(() => aor.compose(discreteLaplaceEvent(1, 1))).toThrow(/use the PLD accountant/);
  });
});

describe('values ported from dp_accounting rdp_privacy_accountant_test.py', () => {
  it('randomized response, replace-one (rtol 1e-4 as there; the order-infinity column is not an order here)', () => {
    const orders = [1.5, 2.5, 5, 50, 100];
    const table: [number, number, number[]][] = [
      [0.3, 10, [2.6946320226546314, 2.983865364028855, 3.11316970070507, 3.1854244842182466, 3.1886682560677593]],
      [0.05, 20, [5.850317703374384, 5.910360162307462, 5.930633082131939, 5.94180620835157, 5.942307807732949]],
      [0.01, 3, [5.684126770932727, 5.692634596034571, 5.695421239467805, 5.696956976543137, 5.697025920968522]],
    ];
    for (const [p, k, expected] of table) {
      const rdp = accountantFor('replaceOne', orders).compose(randomizedResponseEvent(p, k)).rdp;
      expected.forEach((e, i) => closeTo(rdp[i] as number, e, 1e-4));
    }
    for (const [p, k, e] of [[1, 2, 0], [0, 2, Infinity], [0.1, 1, 0]] as const) {
      for (const r of accountantFor('replaceOne', [1.1, 1.2]).compose(randomizedResponseEvent(p, k)).rdp) expect(r).toBe(e);
    }
  });

  it('exponential mechanism and permute-and-flip', () => {
    expect(accountantFor('addOrRemoveOne', [1000]).compose(exponentialEvent(1)).rdp[0]).toBeCloseTo(1, 7);
    const orders = [2, 10, 100];
    const pf = accountantFor('addOrRemoveOne', orders).compose(permuteAndFlipEvent(1)).rdp;
    const lap = accountantFor('addOrRemoveOne', orders).compose(laplaceEvent(1)).rdp;
    expect([...pf]).toEqual([...lap]);
  });

  it('repeat-and-select in the almost-pure case: epsilon (2 + shape) (Corollary 3)', () => {
    for (const [mean, shape] of [[1000, 0], [1000, 1], [1000, 0.5], [100, 2], [1000, 5]] as const) {
      const acc = accountantFor('addOrRemoveOne', [1e10]).compose(repeatAndSelectEvent(laplaceEvent(1), { mean, shape }));
      expect(acc.rdp[0]).toBeCloseTo(2 + shape, 7);
      expect(acc.getEpsilon(1e-10)).toBeCloseTo(2 + shape, 7);
    }
  });

  it('(epsilon, delta) events: the delta is set aside, as dp_accounting', () => {
    const acc = new RdpAccountant().compose(gaussianEvent(1)).compose(epsilonDeltaEvent(0, 0.01));
    const ref = new RdpAccountant().compose(gaussianEvent(1));
    closeTo(acc.getEpsilon(0.02), ref.getEpsilon(1 - (1 - 0.02) / (1 - 0.01)), 1e-12);
    const d = ref.getDelta(1);
    closeTo(acc.getDelta(1), d + 0.01 - d * 0.01, 1e-12);
    expect(acc.getEpsilon(0.005)).toBe(Infinity);
    const pure = new RdpAccountant({ orders: DP_ACCOUNTING_RDP_ORDERS }).compose(epsilonDeltaEvent(1, 0));
    expect(pure.getEpsilon(1e-5)).toBeGreaterThan(1);
    expect(pure.getEpsilon(1e-5)).toBeLessThan(1.01);
    expect(pure.getEpsilon(1e-3)).toBeGreaterThan(0.99);
    expect(pure.getEpsilon(1e-3)).toBeLessThan(1);
    const ten = new RdpAccountant().compose(selfComposedEvent(epsilonDeltaEvent(0, 0.001), 10));
    closeTo(ten.getDelta(0), 1 - (1 - 0.001) ** 10, 1e-12);
  });

  it('zero-rate Poisson and zero-size samples cost nothing (epsilon and delta exactly 0)', () => {
    const a = accountantFor('addOrRemoveOne', [3.14159]).compose(poissonSampledEvent(0, gaussianEvent(1)));
    expect([a.getEpsilon(1e-10), a.getDelta(1e-10)]).toEqual([0, 0]);
    const b = accountantFor('replaceOne', [3.14159]).compose(
      sampledWithoutReplacementEvent({ sourceDatasetSize: 1000, sampleSize: 0, event: gaussianEvent(1) }),
    );
    expect([b.getEpsilon(1e-10), b.getDelta(1e-10)]).toEqual([0, 0]);
  });

  it('zCDP with xi = 0 costs what the Gaussian with rho = 1/(2σ²) costs, but is not amplified by subsampling (dp_accounting assumes it is)', () => {
    const s = 1.7;
    const rho = 1 / (2 * s * s);
    closeTo(new RdpAccountant().compose(zcdpEvent(rho)).getEpsilon(1e-6), new RdpAccountant().compose(gaussianEvent(s)).getEpsilon(1e-6), 1e-12);
    expect(new RdpAccountant().supports(poissonSampledEvent(0.05, zcdpEvent(rho)))).toBe(false);
    expect(new RdpAccountant().supports(poissonSampledEvent(0.05, composedEvent([gaussianEvent(2), zcdpEvent(rho)])))).toBe(false);
    expect(new RdpAccountant({ neighboringRelation: 'replaceOne' }).supports(sampledWithoutReplacementEvent({ sourceDatasetSize: 100, sampleSize: 10, event: zcdpEvent(rho) }))).toBe(false);
    expect(() => new RdpAccountant().compose(poissonSampledEvent(0.05, zcdpEvent(rho)))).toThrow(/does not amplify a zCDP event/);
    // rates 0 and 1 are exact and stay accepted
    closeTo(new RdpAccountant().compose(poissonSampledEvent(1, zcdpEvent(rho))).getEpsilon(1e-6), new RdpAccountant().compose(gaussianEvent(s)).getEpsilon(1e-6), 1e-12);
  });
});

describe('sampling without replacement', () => {
  it('is capped by the Gaussian without sampling, which dp_accounting is not', () => {
    const ro = (e: DpEvent): RdpAccountant => new RdpAccountant({ neighboringRelation: 'replaceOne', orders: DP_ACCOUNTING_RDP_ORDERS }).compose(e);
    const sampled = ro(sampledWithoutReplacementEvent({ sourceDatasetSize: 100, sampleSize: 99, event: gaussianEvent(5) })).rdp;
    const plain = ro(gaussianEvent(5)).rdp;
    sampled.forEach((r, i) => expect(r).toBeLessThanOrEqual(plain[i] as number));
    // and grows with the sample fraction
    let prev = 0;
    for (const m of [1, 10, 50, 90, 100]) {
      const eps = ro(sampledWithoutReplacementEvent({ sourceDatasetSize: 100, sampleSize: m, event: gaussianEvent(2) })).getEpsilon(1e-6);
      expect(eps).toBeGreaterThanOrEqual(prev);
      prev = eps;
    }
  });
});

describe('count semantics', () => {
  it('composing an exponential event n times costs n times one (dp_accounting ignores the count)', () => {
    const one = new RdpAccountant().compose(exponentialEvent(0.3)).rdp;
    const three = new RdpAccountant().compose(exponentialEvent(0.3), 3).rdp;
    const nested = new RdpAccountant().compose(selfComposedEvent(exponentialEvent(0.3), 3)).rdp;
    one.forEach((r, i) => {
      closeTo(three[i] as number, 3 * r, 1e-15);
      closeTo(nested[i] as number, 3 * r, 1e-15);
    });
  });

  it('count 0, steps 0, sample rate 0 and empty compositions cost exactly 0, also around non-private events', () => {
    for (const relation of ['addOrRemoveOne', 'replaceOne'] as const) {
      const acc = createAccountant('rdp', { neighboringRelation: relation });
      acc.compose(nonPrivateEvent(), 0).compose(selfComposedEvent(nonPrivateEvent(), 0)).compose(composedEvent([])).compose(noOpEvent(), 7);
      expect(acc.getEpsilon(1e-9)).toBe(0);
      expect(acc.getDelta(0)).toBe(0);
    }
    const acc = new RdpAccountant().step({ noiseMultiplier: 1, sampleRate: 0.5 }, 0).step({ noiseMultiplier: 1, sampleRate: 0 }, 100);
    expect(acc.getEpsilon(1e-9)).toBe(0);
    expect(acc.segmentCount).toBe(1);
    expect(new RdpAccountant().compose(poissonSampledEvent(0.1, selfComposedEvent(gaussianEvent(1), 0))).getEpsilon(1e-5)).toBe(0);
  });

  it('a non-private event costs Infinity (and delta 1) in composition with anything', () => {
    for (const relation of ['addOrRemoveOne', 'replaceOne'] as const) {
      const acc = new RdpAccountant({ neighboringRelation: relation }).compose(gaussianEvent(100), 3).compose(nonPrivateEvent());
      expect(acc.getEpsilon(0.5)).toBe(Infinity);
      expect(acc.getDelta(1e6)).toBe(1);
    }
  });
});

describe('no under-reporting at extreme parameters', () => {
  it('tiny rates, tiny rho, huge noise: a positive cost stays positive', () => {
    const ro = (e: DpEvent): number => new RdpAccountant({ neighboringRelation: 'replaceOne' }).compose(e).getEpsilon(1e-5);
    const aor = (e: DpEvent): number => new RdpAccountant().compose(e).getEpsilon(1e-5);
    expect(aor(poissonSampledEvent(1e-300, gaussianEvent(1)))).toBeGreaterThan(0);
    expect(aor(zcdpEvent(1e-300))).toBeGreaterThan(0);
    expect(aor(exponentialEvent(1e-300))).toBeGreaterThan(0);
    expect(aor(permuteAndFlipEvent(1e-300))).toBeGreaterThan(0);
    expect(aor(epsilonDeltaEvent(1e-300, 0))).toBeGreaterThan(0);
    expect(ro(randomizedResponseEvent(1 - 1e-16, 2))).toBeGreaterThan(0);
    expect(ro(sampledWithoutReplacementEvent({ sourceDatasetSize: Number.MAX_SAFE_INTEGER, sampleSize: 1, event: gaussianEvent(1e6) }))).toBeGreaterThan(0);
  });

  it('huge costs stay finite or Infinity, never NaN', () => {
    const vals = [
      new RdpAccountant().compose(exponentialEvent(1e300)).getEpsilon(1e-5),
      new RdpAccountant().compose(epsilonDeltaEvent(1e300, 0)).getEpsilon(1e-5),
      new RdpAccountant().compose(zcdpEvent(1e300, 1e300)).getEpsilon(1e-5),
      new RdpAccountant({ neighboringRelation: 'replaceOne' }).compose(randomizedResponseEvent(1e-300, 1000)).getEpsilon(1e-5),
      new RdpAccountant({ neighboringRelation: 'replaceOne' })
        .compose(sampledWithoutReplacementEvent({ sourceDatasetSize: 10, sampleSize: 9, event: gaussianEvent(1e-3) }))
        .getEpsilon(1e-5),
      new RdpAccountant().compose(repeatAndSelectEvent(gaussianEvent(1e-3), { mean: 1e300, shape: Infinity })).getEpsilon(1e-5),
      new RdpAccountant().compose(repeatAndSelectEvent(nonPrivateEvent(), { mean: 2, shape: 1 })).getEpsilon(1e-5),
    ];
    for (const v of vals) {
      expect(Number.isNaN(v)).toBe(false);
      expect(v).toBeGreaterThan(0);
    }
  });

  it('epsilon grows with the count of every new event', () => {
    const ro = new RdpAccountant({ neighboringRelation: 'replaceOne' });
    const events: DpEvent[] = [
      zcdpEvent(0.01),
      exponentialEvent(0.1),
      permuteAndFlipEvent(0.1),
      epsilonDeltaEvent(0.1, 0),
      randomizedResponseEvent(0.9, 4),
      sampledWithoutReplacementEvent({ sourceDatasetSize: 1000, sampleSize: 10, event: gaussianEvent(1) }),
      repeatAndSelectEvent(gaussianEvent(4), { mean: 3, shape: 1 }),
    ];
    for (const e of events) {
      let prev = 0;
      for (const n of [1, 2, 10, 100]) {
        const eps = ro.clone().compose(e, n).getEpsilon(1e-6);
        expect(eps).toBeGreaterThan(prev);
        prev = eps;
      }
    }
  });
});

describe('both accountants share the vocabulary', () => {
  it('createAccountant passes the relation; old and new events compose on either kind', () => {
    for (const kind of ['rdp', 'pld'] as const) {
      for (const relation of ['addOrRemoveOne', 'replaceOne'] as const) {
        const acc = createAccountant(kind, { neighboringRelation: relation });
        expect(acc.neighboringRelation).toBe(relation);
        expect(acc.clone().neighboringRelation).toBe(relation);
        const candidates: DpEvent[] = [gaussianEvent(5), laplaceEvent(20), noOpEvent(), epsilonDeltaEvent(0.05, 1e-9), exponentialEvent(0.05)];
        for (const e of candidates) if (acc.supports(e)) acc.compose(e, 2);
        const eps = acc.getEpsilon(1e-6);
        expect(eps).toBeGreaterThan(0);
        expect(Number.isFinite(eps)).toBe(true);
      }
    }
    expectInvalidArgument(() => createAccountant('rdp', { neighboringRelation: 'replaceSpecial' as never }), 'createAccountant', 'options.neighboringRelation', /one of/);
    expectInvalidArgument(() => new RdpAccountant({ neighboringRelation: 'x' as never }), 'RdpAccountant', 'options.neighboringRelation', /one of/);
  });

  it('PrivacyBudget spends the new events and refuses a non-private one', () => {
    const budget = new PrivacyBudget({ epsilon: 3, delta: 1e-6, neighboringRelation: 'replaceOne' });
    budget.spendEvent(randomizedResponseEvent(0.9, 2), 2);
    budget.spendEvent(sampledWithoutReplacementEvent({ sourceDatasetSize: 10000, sampleSize: 100, event: gaussianEvent(2) }), 10);
    budget.spendEvent(zcdpEvent(0.001));
    const spent = budget.spentEpsilon;
    expect(spent).toBeGreaterThan(0);
    expect(spent).toBeLessThan(3);
    expect(() => budget.spendEvent(nonPrivateEvent())).toThrow(PrivacyBudgetExceededError);
    expect(budget.spentEpsilon).toBe(spent);
    expect(budget.spendEvent(nonPrivateEvent(), 0)).toBe(spent);
    expect(() => budget.spend({ noiseMultiplier: 1, sampleRate: 0.01 })).toThrow(/'addOrRemoveOne' only/);
    expect(new PrivacyBudget({ epsilon: 1, delta: 1e-6 }).spend({ noiseMultiplier: 1, sampleRate: 0.01 }, 0)).toBe(0);
    expect(() => new PrivacyBudget({ epsilon: 1, delta: 1e-6, accountant: new RdpAccountant(), neighboringRelation: 'replaceOne' })).toThrow(
      "argument 'options.neighboringRelation'",
    );
  });
});

describe('builders', () => {
  it('build frozen events with the fields of dp_accounting, camelCased', () => {
    const events: [DpEvent, unknown][] = [
      [noOpEvent(), { kind: 'noOp' }],
      [nonPrivateEvent(), { kind: 'nonPrivate' }],
      [epsilonDeltaEvent(1, 1e-6), { kind: 'epsilonDelta', epsilon: 1, delta: 1e-6 }],
      [zcdpEvent(0.5), { kind: 'zcdp', rho: 0.5, xi: 0 }],
      [randomizedResponseEvent(0.3, 15), { kind: 'randomizedResponse', noiseParameter: 0.3, numBuckets: 15 }],
      [exponentialEvent(1), { kind: 'exponential', epsilon: 1 }],
      [permuteAndFlipEvent(1), { kind: 'permuteAndFlip', epsilon: 1 }],
      [discreteLaplaceEvent(0.5, 2), { kind: 'discreteLaplace', noiseParameter: 0.5, sensitivity: 2 }],
      [
        sampledWithoutReplacementEvent({ sourceDatasetSize: 100, sampleSize: 10, event: gaussianEvent(1) }),
        { kind: 'sampledWithoutReplacement', sourceDatasetSize: 100, sampleSize: 10, event: { kind: 'gaussian', noiseMultiplier: 1 } },
      ],
      [repeatAndSelectEvent(gaussianEvent(1), { mean: 5, shape: Infinity }), { kind: 'repeatAndSelect', event: { kind: 'gaussian', noiseMultiplier: 1 }, mean: 5, shape: Infinity }],
      [
        mixtureOfGaussiansEvent({ standardDeviation: 1, sensitivities: [0, 1], samplingProbs: [0.75, 0.25] }),
        { kind: 'mixtureOfGaussians', standardDeviation: 1, sensitivities: [0, 1], samplingProbs: [0.75, 0.25] },
      ],
      [
        truncatedSubsampledGaussianEvent({ datasetSize: 1000, sampleRate: 0.01, truncatedBatchSize: 20, noiseMultiplier: 1 }),
        { kind: 'truncatedSubsampledGaussian', datasetSize: 1000, sampleRate: 0.01, truncatedBatchSize: 20, noiseMultiplier: 1 },
      ],
      [poissonSampledEvent(0, gaussianEvent(1)), { kind: 'poissonSampled', sampleRate: 0, event: { kind: 'gaussian', noiseMultiplier: 1 } }],
      [selfComposedEvent(gaussianEvent(1), 0), { kind: 'selfComposed', count: 0, event: { kind: 'gaussian', noiseMultiplier: 1 } }],
    ];
    for (const [e, expected] of events) {
      expect(e).toEqual(expected);
      expect(Object.isFrozen(e)).toBe(true);
    }
    const m = mixtureOfGaussiansEvent({ standardDeviation: 1, sensitivities: [0, 1], samplingProbs: [0.75, 0.25] });
    expect(Object.isFrozen(m.sensitivities) && Object.isFrozen(m.samplingProbs)).toBe(true);
  });

  it('reject invalid input with InvalidArgumentError naming the argument', () => {
    const g = gaussianEvent(1);
    expectInvalidArgument(() => epsilonDeltaEvent(-1, 0), 'epsilonDeltaEvent', 'epsilon', />= 0/);
    expectInvalidArgument(() => epsilonDeltaEvent(Infinity, 0), 'epsilonDeltaEvent', 'epsilon', /finite/);
    expectInvalidArgument(() => epsilonDeltaEvent(1, 1.5), 'epsilonDeltaEvent', 'delta', /\[0, 1\]/);
    expectInvalidArgument(() => zcdpEvent(-0.1), 'zcdpEvent', 'rho', />= 0/);
    expectInvalidArgument(() => zcdpEvent(0.1, Number.NaN), 'zcdpEvent', 'xi', />= 0/);
    expectInvalidArgument(() => randomizedResponseEvent(1.1, 2), 'randomizedResponseEvent', 'noiseParameter', /\[0, 1\]/);
    expectInvalidArgument(() => randomizedResponseEvent(0.5, 0), 'randomizedResponseEvent', 'numBuckets', /integer >= 1/);
    expectInvalidArgument(() => exponentialEvent(-1), 'exponentialEvent', 'epsilon', />= 0/);
    expectInvalidArgument(() => permuteAndFlipEvent(Infinity), 'permuteAndFlipEvent', 'epsilon', /finite/);
    expectInvalidArgument(() => discreteLaplaceEvent(0, 1), 'discreteLaplaceEvent', 'noiseParameter', /> 0/);
    expectInvalidArgument(() => discreteLaplaceEvent(1, 1.5), 'discreteLaplaceEvent', 'sensitivity', /integer >= 1/);
    expectInvalidArgument(
      () => sampledWithoutReplacementEvent({ sourceDatasetSize: 10, sampleSize: 11, event: g }),
      'sampledWithoutReplacementEvent',
      'options.sampleSize',
      /\[0, sourceDatasetSize = 10\]/,
    );
    expectInvalidArgument(() => sampledWithoutReplacementEvent({ sourceDatasetSize: 0, sampleSize: 0, event: g }), 'sampledWithoutReplacementEvent', 'options.sourceDatasetSize', /integer >= 1/);
    expectInvalidArgument(
      () => sampledWithoutReplacementEvent({ sourceDatasetSize: 10, sampleSize: 1, event: { kind: 'x' } as never }),
      'sampledWithoutReplacementEvent',
      'options.event.kind',
      /'repeatAndSelect'/,
    );
    expectInvalidArgument(() => repeatAndSelectEvent(g, { mean: 0.5, shape: 1 }), 'repeatAndSelectEvent', 'options.mean', /\[1, /);
    expectInvalidArgument(() => repeatAndSelectEvent(g, { mean: 2, shape: -1 }), 'repeatAndSelectEvent', 'options.shape', /\[0, Infinity\]/);
    expectInvalidArgument(() => repeatAndSelectEvent(null as never, { mean: 2, shape: 1 }), 'repeatAndSelectEvent', 'event', /DpEvent/);
    expectInvalidArgument(
      () => mixtureOfGaussiansEvent({ standardDeviation: 1, sensitivities: [0, 1], samplingProbs: [0.5, 0.4] }),
      'mixtureOfGaussiansEvent',
      'options.samplingProbs',
      /summing to 1/,
    );
    expectInvalidArgument(
      () => mixtureOfGaussiansEvent({ standardDeviation: 1, sensitivities: [0, 1], samplingProbs: [1] }),
      'mixtureOfGaussiansEvent',
      'options.samplingProbs',
      /same length/,
    );
    expectInvalidArgument(
      () => mixtureOfGaussiansEvent({ standardDeviation: 1, sensitivities: [Infinity], samplingProbs: [1] }),
      'mixtureOfGaussiansEvent',
      'options.sensitivities[0]',
      /finite/,
    );
    expectInvalidArgument(
      () => truncatedSubsampledGaussianEvent({ datasetSize: 10, sampleRate: 0.1, truncatedBatchSize: -1, noiseMultiplier: 1 }),
      'truncatedSubsampledGaussianEvent',
      'options.truncatedBatchSize',
      /integer >= 0/,
    );
    expectInvalidArgument(() => poissonSampledEvent(-0.1, g), 'poissonSampledEvent', 'sampleRate', /\[0, 1\]/);
    expectInvalidArgument(() => selfComposedEvent(g, -1), 'selfComposedEvent', 'count', /integer >= 0/);
    expectInvalidArgument(() => new RdpAccountant().compose(g, -1), 'RdpAccountant.compose', 'count', /integer >= 0/);
    expectInvalidArgument(
      () => new RdpAccountant().compose({ kind: 'zcdp', rho: 1 } as never),
      'RdpAccountant.compose',
      'event.xi',
      />= 0/,
    );
  });
});

import { describe, expect, it } from 'vitest';
import { UnsupportedEventError } from '../../src/privacy/errors.js';
import {
  PldAccountant,
  composedEvent,
  discreteLaplaceEvent,
  epsilonDeltaEvent,
  gaussianEvent,
  laplaceEvent,
  noOpEvent,
  nonPrivateEvent,
  poissonSampledEvent,
  randomizedResponseEvent,
  selfComposedEvent,
  zcdpEvent,
  type DpEvent,
} from '../../src/privacy/index.js';
import ref from '../fixtures/privacy/dp_accounting_events_pld.json';
import { expectInvalidArgument } from '../helpers/errors.js';

type Relation = 'addOrRemoveOne' | 'replaceOne';
const num = (x: number | string): number => (typeof x === 'number' ? x : x === 'Infinity' ? Infinity : -Infinity);

/**
 * Tolerances against dp_accounting's PLDAccountant at the same grid (1e-4, pessimistic):
 * - epsilon: 1e-6 relative (at least 1e-6 absolute). Both implementations discretize identically;
 *   what differs is floating-point round-off of the FFT power in the far tail, which moves ε at
 *   δ = 1e-8 by up to 7.4e-7 (1000 replace-one subsampled Gaussian steps), and the ledger, which
 *   merges `compose(g, 1)` then `compose(g, 2)` into one Gaussian of σ/√3 where dp_accounting
 *   discretizes two PLDs (ours 1.7e-8 lower, both are upper bounds). Elsewhere the gap is < 1e-9.
 * - delta: 1e-12 absolute plus 1e-6 relative (dp_accounting itself returns deltas of −7e-15).
 */
const EPS_TOL = (e: number): number => 1e-6 * Math.max(1, Math.abs(e));
const DELTA_TOL = (d: number): number => 1e-12 + 1e-6 * Math.abs(d);

function accountantFor(c: (typeof ref.cases)[number]): PldAccountant {
  const acc = new PldAccountant({ neighboringRelation: c.relation as Relation });
  for (const { event, count } of c.events) acc.compose(event as DpEvent, count);
  return acc;
}

describe('PldAccountant vs dp_accounting PLDAccountant on the dp_accounting event set', () => {
  for (const c of ref.cases) {
    it(`${c.name} (${c.relation})`, () => {
      const acc = accountantFor(c);
      for (const { delta, epsilon } of c.epsilons) {
        const want = num(epsilon);
        const got = acc.getEpsilon(delta);
        if (!Number.isFinite(want)) expect(got, `δ=${delta}`).toBe(want);
        else expect(Math.abs(got - want), `δ=${delta}: ${got} vs ${want}`).toBeLessThanOrEqual(EPS_TOL(want));
      }
      for (const { epsilon, delta } of c.deltas) {
        const got = acc.getDelta(epsilon);
        expect(Math.abs(got - delta), `ε=${epsilon}: ${got} vs ${delta}`).toBeLessThanOrEqual(DELTA_TOL(delta));
      }
    });
  }

  it("counts repeated randomized responses (dp_accounting's accountant ignores the count)", () => {
    const c = ref.cases.find((x) => x.name === 'randomizedResponse 0.1,10 x5')!;
    const once = c['dpAccountingAccountantEpsilonAt1e-5' as keyof typeof c] as number;
    const five = accountantFor(c).getEpsilon(1e-5);
    expect(five).toBeGreaterThan(4.9 * once); // 5 responses of ln 91 each, not one
  });
});

describe('PldAccountant.supports', () => {
  const events = ref.supportEvents as Record<string, DpEvent>;
  // Where we knowingly differ from dp_accounting (see the report / docs).
  const ours: Record<Relation, Record<string, boolean>> = {
    addOrRemoveOne: { ...ref.supports.addOrRemoveOne, poissonDiscreteLaplace: true },
    replaceOne: { ...ref.supports.replaceOne },
  };

  for (const relation of ['addOrRemoveOne', 'replaceOne'] as const) {
    it(`matches dp_accounting under ${relation}, except the documented differences`, () => {
      const acc = new PldAccountant({ neighboringRelation: relation });
      for (const [name, event] of Object.entries(events)) {
        expect(acc.supports(event), `${name}`).toBe(ours[relation][name]);
      }
    });
  }

  it('takes a sample rate of 0 (nothing is released) around any event, and refuses the rest', () => {
    const acc = new PldAccountant();
    expect(acc.supports(poissonSampledEvent(0, zcdpEvent(1)))).toBe(true);
    expect(acc.supports(poissonSampledEvent(0.5, zcdpEvent(1)))).toBe(false);
    expect(acc.supports(composedEvent([gaussianEvent(1), zcdpEvent(1)]))).toBe(false);
    expect(acc.supports(selfComposedEvent(randomizedResponseEvent(0.5, 2), 3))).toBe(false);
    expect(new PldAccountant({ neighboringRelation: 'replaceOne' }).supports(selfComposedEvent(randomizedResponseEvent(0.5, 2), 3))).toBe(true);
    expect(acc.supports({ kind: 'bogus' } as unknown as DpEvent)).toBe(false);
  });

  it('compose throws UnsupportedEventError naming the relation', () => {
    expect(() => new PldAccountant().compose(randomizedResponseEvent(0.1, 3))).toThrow(UnsupportedEventError);
    expect(() => new PldAccountant().compose(randomizedResponseEvent(0.1, 3))).toThrow(/replaceOne/);
    expect(() => new PldAccountant({ neighboringRelation: 'replaceOne' }).compose(laplaceEvent(1))).toThrow(/addOrRemoveOne/);
    expect(() => new PldAccountant().compose(zcdpEvent(0.5))).toThrow(/RDP accountant/);
  });
});

describe('PldAccountant edge cases', () => {
  it('count 0 and sample rate 0 cost nothing', () => {
    expect(new PldAccountant().compose(gaussianEvent(0.1), 0).getEpsilon(1e-5)).toBe(0);
    expect(new PldAccountant().compose(selfComposedEvent(laplaceEvent(0.01), 0)).getEpsilon(1e-5)).toBe(0);
    expect(new PldAccountant().compose(poissonSampledEvent(0, gaussianEvent(0.01)), 100).getEpsilon(1e-5)).toBe(0);
    expect(new PldAccountant().compose(poissonSampledEvent(0, nonPrivateEvent())).getDelta(0)).toBe(0);
    expect(new PldAccountant().step({ noiseMultiplier: 1, sampleRate: 0 }, 10).getEpsilon(1e-5)).toBe(0);
    expect(new PldAccountant().compose(noOpEvent(), 7).getDelta(0)).toBe(0);
  });

  it('a non-private event makes ε = ∞ and δ = 1 for good', () => {
    const acc = new PldAccountant().compose(gaussianEvent(2)).compose(nonPrivateEvent()).compose(gaussianEvent(3), 10);
    expect(acc.getEpsilon(1e-5)).toBe(Infinity);
    expect(acc.getEpsilon(0.999)).toBe(Infinity);
    expect(acc.getDelta(0)).toBe(1);
    expect(acc.getDelta(1e6)).toBe(1);
    expect(acc.clone().getEpsilon(0.5)).toBe(Infinity);
    const rr = new PldAccountant({ neighboringRelation: 'replaceOne' }).compose(randomizedResponseEvent(0, 3));
    expect(rr.getEpsilon(1e-5)).toBe(Infinity);
  });

  it('randomized response with one bucket or noise parameter 1 releases nothing', () => {
    const acc = new PldAccountant({ neighboringRelation: 'replaceOne' });
    expect(acc.compose(randomizedResponseEvent(0, 1)).compose(randomizedResponseEvent(1, 5), 3).getEpsilon(1e-9)).toBe(0);
  });

  it('tiny and huge parameters give finite, ordered answers without huge grids', () => {
    const rr = new PldAccountant({ neighboringRelation: 'replaceOne' }).compose(randomizedResponseEvent(1e-300, 2));
    expect(rr.getEpsilon(1e-5)).toBeCloseTo(Math.log(2 / 1e-300 - 1), 3);
    const big = new PldAccountant().compose(epsilonDeltaEvent(1e4, 0));
    expect(big.getEpsilon(1e-5)).toBeCloseTo(1e4, 3);
    const dlap = new PldAccountant().compose(discreteLaplaceEvent(1000, 1));
    expect(dlap.getEpsilon(1e-5)).toBeCloseTo(1000, 3);
    const weak = new PldAccountant().compose(epsilonDeltaEvent(1e-9, 0), 1000);
    // each pair rounds its loss up to one grid step: at most count × interval, about half of it here
    expect(weak.getEpsilon(1e-5)).toBeLessThanOrEqual(1000 * 1e-4);
    expect(weak.getEpsilon(1e-5)).toBeGreaterThan(0.04);
    expect(new PldAccountant().compose(discreteLaplaceEvent(1e-6, 1)).getEpsilon(1e-5)).toBeLessThanOrEqual(1e-4 + 1e-6);
  });

  it('extreme ε and δ queries', () => {
    const acc = new PldAccountant().compose(epsilonDeltaEvent(1, 1e-6), 3);
    expect(acc.getDelta(1e9)).toBeCloseTo(1 - (1 - 1e-6) ** 3, 15);
    expect(acc.getDelta(0)).toBeGreaterThan(0);
    expect(acc.getEpsilon(1 - 1e-12)).toBe(0);
    expect(acc.getEpsilon(1e-300)).toBe(Infinity); // the δ part of the (ε, δ) pairs is never covered
    expect(new PldAccountant().compose(epsilonDeltaEvent(1, 0)).getEpsilon(1e-300)).toBeCloseTo(1, 12);
  });

  it('replace-one Gaussian equals add/remove with the sensitivity doubled (σ/2), up to the grid', () => {
    const rep = new PldAccountant({ neighboringRelation: 'replaceOne' }).compose(gaussianEvent(4), 5).getEpsilon(1e-6);
    const ar = new PldAccountant().compose(gaussianEvent(2), 5).getEpsilon(1e-6);
    expect(Math.abs(rep - ar)).toBeLessThan(2e-4);
  });

  it('clone keeps the relation', () => {
    const acc = new PldAccountant({ neighboringRelation: 'replaceOne' }).compose(randomizedResponseEvent(0.5, 2));
    const c = acc.clone();
    expect(c.neighboringRelation).toBe('replaceOne');
    expect(c.compose(randomizedResponseEvent(0.5, 2)).getEpsilon(1e-5)).toBeGreaterThan(acc.getEpsilon(1e-5));
  });
});

describe('PldAccountant input validation', () => {
  it('rejects an unknown relation and malformed events with InvalidArgumentError', () => {
    expectInvalidArgument(
      () => new PldAccountant({ neighboringRelation: 'replaceSpecial' as Relation }),
      'PldAccountant',
      'options.neighboringRelation',
      /addOrRemoveOne/,
    );
    const acc = new PldAccountant();
    expectInvalidArgument(
      () => acc.compose({ kind: 'epsilonDelta', epsilon: -1, delta: 0 } as DpEvent),
      'PldAccountant.compose',
      'event.epsilon',
      />= 0/,
    );
    expectInvalidArgument(
      () => acc.compose({ kind: 'discreteLaplace', noiseParameter: 1, sensitivity: 1.5 } as DpEvent),
      'PldAccountant.compose',
      'event.sensitivity',
      /integer/,
    );
    expectInvalidArgument(() => acc.compose(gaussianEvent(1), -1), 'PldAccountant.compose', 'count', /integer/);
  });

  it('a grid too fine for memory is an InvalidArgumentError that says what to do', () => {
    const acc = new PldAccountant({ valueDiscretizationInterval: 1e-7 }).compose(epsilonDeltaEvent(10, 0));
    expectInvalidArgument(() => acc.getEpsilon(1e-5), 'PldAccountant', 'options.valueDiscretizationInterval', /larger/);
  });
});

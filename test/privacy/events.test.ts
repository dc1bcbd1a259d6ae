import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/errors.js';
import {
  PldAccountant,
  RdpAccountant,
  UnsupportedEventError,
  composedEvent,
  createAccountant,
  gaussianEvent,
  laplaceEvent,
  poissonSampledEvent,
  selfComposedEvent,
  type DpEvent,
} from '../../src/privacy/index.js';

describe('DpEvent constructors', () => {
  it('build frozen, validated events', () => {
    const e = selfComposedEvent(poissonSampledEvent(0.01, gaussianEvent(1.1)), 100);
    expect(e).toEqual({ kind: 'selfComposed', count: 100, event: { kind: 'poissonSampled', sampleRate: 0.01, event: { kind: 'gaussian', noiseMultiplier: 1.1 } } });
    expect(Object.isFrozen(e)).toBe(true);
    expect(composedEvent([laplaceEvent(2)]).events).toHaveLength(1);
    expect(() => gaussianEvent(0)).toThrow("gaussianEvent: argument 'noiseMultiplier'");
    expect(() => laplaceEvent(Number.NaN)).toThrow(InvalidArgumentError);
    expect(() => poissonSampledEvent(-0.5, gaussianEvent(1))).toThrow("argument 'sampleRate'");
    expect(() => selfComposedEvent(gaussianEvent(1), -1)).toThrow("argument 'count'");
    // sample rate 0 and count 0 are defined (no cost), see eventsRdp.test.ts
    expect(() => composedEvent([{ kind: 'gaussian', noiseMultiplier: -1 }])).toThrow("argument 'events[0].noiseMultiplier'");
  });

  it('accountants validate events given as plain objects', () => {
    const acc = new RdpAccountant();
    expect(() => acc.compose({ kind: 'bogus' } as unknown as DpEvent)).toThrow("argument 'event.kind'");
    expect(() => acc.compose({ kind: 'poissonSampled', sampleRate: 2, event: { kind: 'gaussian', noiseMultiplier: 1 } })).toThrow(
      "argument 'event.sampleRate'",
    );
    expect(() => acc.compose(gaussianEvent(1), 1.5)).toThrow("argument 'count'");
  });
});

describe('accountant interface', () => {
  it('createAccountant builds either kind; both share the interface', () => {
    for (const kind of ['rdp', 'pld'] as const) {
      const acc = createAccountant(kind);
      expect(acc.kind).toBe(kind);
      acc.step({ noiseMultiplier: 2, sampleRate: 0.05 }, 10).compose(gaussianEvent(10));
      const eps = acc.getEpsilon(1e-5);
      expect(eps).toBeGreaterThan(0);
      expect(acc.getDelta(eps)).toBeLessThanOrEqual(1e-5 * (1 + 1e-6));
      // the ledger replays into a fresh accountant of the other kind
      const other = createAccountant(kind === 'rdp' ? 'pld' : 'rdp').compose(acc.ledger);
      expect(other.getEpsilon(1e-5)).toBeGreaterThan(0);
    }
    expect(() => createAccountant('prv' as never)).toThrow("createAccountant: argument 'kind'");
  });

  it('ledger is run-length and replays to the same epsilon', () => {
    const acc = new RdpAccountant();
    for (let i = 0; i < 500; i++) acc.step({ noiseMultiplier: 1, sampleRate: 0.01 });
    acc.compose(laplaceEvent(5), 2);
    expect(acc.ledger).toEqual({
      kind: 'composed',
      events: [
        { kind: 'selfComposed', count: 500, event: { kind: 'poissonSampled', sampleRate: 0.01, event: { kind: 'gaussian', noiseMultiplier: 1 } } },
        { kind: 'selfComposed', count: 2, event: { kind: 'laplace', noiseMultiplier: 5 } },
      ],
    });
    expect(new RdpAccountant().compose(acc.ledger).getEpsilon(1e-5)).toBe(acc.getEpsilon(1e-5));
  });

  it('unsupported events throw UnsupportedEventError with code UNSUPPORTED_EVENT', () => {
    const ev = poissonSampledEvent(0.1, composedEvent([gaussianEvent(1), laplaceEvent(1)]));
    for (const acc of [new RdpAccountant(), new PldAccountant()]) {
      expect(acc.supports(ev)).toBe(false);
      expect(() => acc.compose(ev)).toThrow(UnsupportedEventError);
    }
    // RDP takes a subsampled nest of Gaussians (one equivalent Gaussian); PLD does not
    const nest = poissonSampledEvent(0.1, composedEvent([gaussianEvent(2), gaussianEvent(2)]));
    expect(new RdpAccountant().supports(nest)).toBe(true);
    expect(new PldAccountant().supports(nest)).toBe(false);
  });
});

describe('supports() on malformed input', () => {
  it('returns false instead of throwing, on both accountants', () => {
    const cyclic: { kind: 'composed'; events: unknown[] } = { kind: 'composed', events: [] };
    cyclic.events.push(cyclic);
    const bad: unknown[] = [
      { kind: 'bogus' },
      null,
      undefined,
      42,
      'gaussian',
      {},
      { kind: 'gaussian' },
      { kind: 'gaussian', noiseMultiplier: -1 },
      { kind: 'poissonSampled', sampleRate: 0.1 },
      { kind: 'poissonSampled', event: { kind: 'gaussian', noiseMultiplier: 1 } },
      { kind: 'selfComposed', event: { kind: 'gaussian', noiseMultiplier: 1 } },
      { kind: 'composed' },
      { kind: 'composed', events: [{ kind: 'bogus' }] },
      cyclic,
    ];
    for (const acc of [new RdpAccountant(), new PldAccountant()]) {
      for (const e of bad) expect(acc.supports(e as DpEvent)).toBe(false);
      expect(acc.supports(gaussianEvent(1))).toBe(true);
    }
  });
});

describe('accountant state is private', () => {
  it('keeps the history in # fields: no enumerable or named state to rewrite from outside', () => {
    for (const acc of [new RdpAccountant(), new PldAccountant()]) {
      acc.step({ noiseMultiplier: 1, sampleRate: 0.01 }, 100);
      const eps = acc.getEpsilon(1e-5);
      const loose = acc as unknown as Record<string, unknown>;
      for (const name of ['segments', 'version', 'curveCache', 'total', 'totalVersion', 'cache']) expect(name in acc).toBe(false);
      // Own properties are public constants only: primitives or frozen (the orders).
      for (const v of Object.values(acc)) expect(typeof v !== 'object' || Object.isFrozen(v)).toBe(true);
      loose.segments = [];
      expect(acc.getEpsilon(1e-5)).toBe(eps);
      expect(acc.segmentCount).toBe(1);
    }
  });

  it('copies events on compose: changing the caller object afterwards does not rewrite the history', () => {
    const ev = { kind: 'gaussian', noiseMultiplier: 2 } as { kind: 'gaussian'; noiseMultiplier: number };
    const acc = new RdpAccountant().compose(ev);
    const eps = acc.getEpsilon(1e-5);
    ev.noiseMultiplier = 0.01;
    expect(acc.clone().getEpsilon(1e-5)).toBe(eps);
    expect(acc.ledger).toEqual({ kind: 'composed', events: [{ kind: 'gaussian', noiseMultiplier: 2 }] });
    const ledger = acc.ledger;
    const inner = ledger.kind === 'composed' ? ledger.events[0] : undefined;
    expect(Object.isFrozen(inner)).toBe(true);
  });

  it('clones stay independent in both directions and keep the public API', () => {
    for (const make of [() => new RdpAccountant(), () => new PldAccountant({ valueDiscretizationInterval: 1e-3 })]) {
      const a = make().step({ noiseMultiplier: 1, sampleRate: 0.01 }, 50);
      const before = a.getEpsilon(1e-5);
      const b = a.clone();
      expect(b.getEpsilon(1e-5)).toBe(before);
      b.step({ noiseMultiplier: 1, sampleRate: 0.01 }, 50);
      a.compose(gaussianEvent(3));
      expect(b.getEpsilon(1e-5)).toBeGreaterThan(before);
      expect(a.getEpsilon(1e-5)).toBeGreaterThan(before);
      expect(a.segmentCount).toBe(2);
      expect(b.segmentCount).toBe(1);
    }
  });
});

/**
 * One reading of a noise multiplier under both neighbouring relations, in both accountants: it is
 * relative to one record's contribution, and replaced records are twice that apart. dp_accounting's
 * PLD accountant reads a Gaussian this way and its RDP accountant does not, so its two accountants
 * disagree under REPLACE_ONE by a factor 2 in the noise; ours must not.
 */
import { describe, expect, it } from 'vitest';
import { expectInvalidArgument } from '../helpers/errors.js';
import {
  PldAccountant,
  RdpAccountant,
  composedEvent,
  mixtureOfGaussiansEvent,
  type DpEvent,
  gaussianEvent,
  laplaceEvent,
  sampledWithoutReplacementEvent,
  selfComposedEvent,
} from '../../src/privacy/index.js';

const DELTA = 1e-6;

describe('neighbouring relations: one meaning of noiseMultiplier', () => {
  it('a Gaussian under replaceOne costs what a Gaussian with half the noise costs under add/remove, in both accountants', () => {
    for (const sigma of [1, 3, 20]) {
      for (const count of [1, 10, 100]) {
        const e = selfComposedEvent(gaussianEvent(sigma), count);
        const half = selfComposedEvent(gaussianEvent(sigma / 2), count);
        const rdpReplace = new RdpAccountant({ neighboringRelation: 'replaceOne' }).compose(e).getEpsilon(DELTA);
        const rdpHalf = new RdpAccountant().compose(half).getEpsilon(DELTA);
        expect(rdpReplace).toBeCloseTo(rdpHalf, 12);
        const pldReplace = new PldAccountant({ neighboringRelation: 'replaceOne' }).compose(e).getEpsilon(DELTA);
        const pldHalf = new PldAccountant().compose(half).getEpsilon(DELTA);
        expect(Math.abs(pldReplace - pldHalf)).toBeLessThanOrEqual(1e-3 * pldHalf + 1e-9);
      }
    }
  });

  it('under replaceOne the RDP bound is never below the tight PLD bound (they read the same event the same way)', () => {
    for (const sigma of [0.8, 1.1, 2, 5]) {
      const e = selfComposedEvent(gaussianEvent(sigma), 50);
      const rdp = new RdpAccountant({ neighboringRelation: 'replaceOne' }).compose(e).getEpsilon(DELTA);
      const pld = new PldAccountant({ neighboringRelation: 'replaceOne' }).compose(e).getEpsilon(DELTA);
      expect(rdp).toBeGreaterThanOrEqual(pld);
      expect(rdp).toBeLessThan(2 * pld); // the same mechanism: RDP is looser, not a different scale
    }
  });

  it('sampling without replacement of the full dataset costs the unsampled Gaussian under replaceOne', () => {
    const full = sampledWithoutReplacementEvent({ sourceDatasetSize: 500, sampleSize: 500, event: gaussianEvent(2) });
    const acc = (): RdpAccountant => new RdpAccountant({ neighboringRelation: 'replaceOne' });
    expect(acc().compose(full, 20).getEpsilon(DELTA)).toBeCloseTo(acc().compose(gaussianEvent(2), 20).getEpsilon(DELTA), 9);
    // and that is the add/remove Gaussian with noise 1: DP-SGD's noiseMultiplier needs no rescaling
    expect(acc().compose(full, 20).getEpsilon(DELTA)).toBeCloseTo(new RdpAccountant().compose(gaussianEvent(1), 20).getEpsilon(DELTA), 9);
  });

  it('a Laplace under replaceOne (RDP) costs twice its add/remove epsilon for one release', () => {
    const one = new RdpAccountant({ neighboringRelation: 'replaceOne', orders: [1e6] }).compose(laplaceEvent(4)).getEpsilon(1e-300);
    const aor = new RdpAccountant({ orders: [1e6] }).compose(laplaceEvent(2)).getEpsilon(1e-300);
    expect(one).toBeCloseTo(aor, 9);
  });
});

describe('events with holes are refused, not accounted as free', () => {
  it('sparse sensitivities, probabilities and composed events give a typed error naming the element', () => {
    // eslint-disable-next-line no-sparse-arrays
    const holeySens = [, 5] as unknown as number[];
    // eslint-disable-next-line no-sparse-arrays
    const holeyProbs = [, 1] as unknown as number[];
    expectInvalidArgument(() => mixtureOfGaussiansEvent({ standardDeviation: 1, sensitivities: holeySens, samplingProbs: [0.5, 0.5] }), 'mixtureOfGaussiansEvent', 'options.sensitivities[0]', /finite number/);
    const literal = { kind: 'mixtureOfGaussians', standardDeviation: 1, sensitivities: [20, 0], samplingProbs: holeyProbs } as unknown as DpEvent;
    expectInvalidArgument(() => new PldAccountant().compose(literal), 'PldAccountant.compose', 'event.samplingProbs[0]', /./);
    // eslint-disable-next-line no-sparse-arrays
    const holeyEvents = [, gaussianEvent(1)] as unknown as DpEvent[];
    expectInvalidArgument(() => composedEvent(holeyEvents), 'composedEvent', 'events[0]', /./);
    expectInvalidArgument(() => new RdpAccountant().compose({ kind: 'composed', events: holeyEvents } as DpEvent), 'RdpAccountant.compose', 'event.events[0]', /./);
  });
});

describe('compositions too long for a PLD grid', () => {
  it('give the typed grid error, not a raw FFT error', () => {
    const huge = selfComposedEvent(selfComposedEvent(laplaceEvent(1), 2 ** 53 - 1), 2 ** 53 - 1);
    expect(() => new PldAccountant().compose(huge).getEpsilon(1e-6)).toThrow(/PldAccountant: argument 'options.valueDiscretizationInterval'.*composed privacy-loss grid/);
  });
});

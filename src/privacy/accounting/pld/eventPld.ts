/**
 * Privacy loss distribution of a {@link DpEvent} (internal), exhaustive over the event union.
 */
import type { DpEvent } from '../dpEvent.js';
import { assertNever } from '../rdp/eventRdp.js';
import { SubsampledLoss, gaussianNoise, laplaceNoise, type Noise } from './additiveNoise.js';
import { connectDotsPmf } from './connectDots.js';
import { IDENTITY_PMF, composePmf, pmfDelta, pmfEpsilon, selfComposePmf, selfComposePmfPair, type Pmf } from './pmf.js';

/** A PLD for add/remove adjacency: one PMF per direction (`add` undefined when symmetric). */
export interface Pld {
  readonly remove: Pmf;
  readonly add?: Pmf;
}

/** The PLD of no mechanism. */
export const IDENTITY_PLD: Pld = { remove: IDENTITY_PMF };

/** Why the PLD accountant cannot take an event, or undefined if it can. */
export function pldUnsupportedReason(event: DpEvent): string | undefined {
  switch (event.kind) {
    case 'gaussian':
    case 'laplace':
      return undefined;
    case 'poissonSampled':
      if (event.event.kind === 'gaussian' || event.event.kind === 'laplace') return undefined;
      if (event.sampleRate === 1) return pldUnsupportedReason(event.event);
      return 'PLD accounts for Poisson subsampling of a single Gaussian or Laplace mechanism only';
    case 'selfComposed':
      return pldUnsupportedReason(event.event);
    case 'composed':
      for (const e of event.events) {
        const r = pldUnsupportedReason(e);
        if (r !== undefined) return r;
      }
      return undefined;
    default:
      return assertNever(event);
  }
}

function noiseOf(event: DpEvent): Noise {
  if (event.kind === 'gaussian') return gaussianNoise(event.noiseMultiplier);
  if (event.kind === 'laplace') return laplaceNoise(event.noiseMultiplier);
  throw new Error('unreachable');
}

function mechanismPld(noise: Noise, q: number, count: number, interval: number): Pld {
  const removeOne = connectDotsPmf(new SubsampledLoss(noise, q, 'remove'), interval);
  if (q === 1) return { remove: selfComposePmf(removeOne, count) };
  const addOne = connectDotsPmf(new SubsampledLoss(noise, q, 'add'), interval);
  const [remove, add] = selfComposePmfPair(removeOne, addOne, count);
  return { remove, add };
}

/** Composition of two PLDs (direction by direction). */
export function composePld(a: Pld, b: Pld): Pld {
  const remove = composePmf(a.remove, b.remove);
  if (a.add === undefined && b.add === undefined) return { remove };
  return { remove, add: composePmf(a.add ?? a.remove, b.add ?? b.remove) };
}

/** The PLD of `count` repetitions of an event, composed onto `acc`. */
export function composeEvent(acc: Pld, event: DpEvent, count: number, interval: number): Pld {
  switch (event.kind) {
    case 'gaussian':
      // k Gaussians compose exactly into one with noise σ/√k (as dp_accounting does).
      return composePld(acc, mechanismPld(gaussianNoise(event.noiseMultiplier / Math.sqrt(count)), 1, 1, interval));
    case 'laplace':
      return composePld(acc, mechanismPld(laplaceNoise(event.noiseMultiplier), 1, count, interval));
    case 'poissonSampled':
      if (event.sampleRate === 1) return composeEvent(acc, event.event, count, interval);
      return composePld(acc, mechanismPld(noiseOf(event.event), event.sampleRate, count, interval));
    case 'selfComposed':
      return composeEvent(acc, event.event, count * event.count, interval);
    case 'composed': {
      if (count === 1) {
        let out = acc;
        for (const e of event.events) out = composeEvent(out, e, 1, interval);
        return out;
      }
      // One round from the identity, then an FFT self-composition of the round.
      const round = composeEvent(IDENTITY_PLD, event, 1, interval);
      if (round.add === undefined) return composePld(acc, { remove: selfComposePmf(round.remove, count) });
      const [remove, add] = selfComposePmfPair(round.remove, round.add, count);
      return composePld(acc, { remove, add });
    }
    default:
      return assertNever(event);
  }
}

/** ε(δ) of a PLD: the larger over both directions. */
export function pldEpsilon(p: Pld, interval: number, delta: number): number {
  const r = pmfEpsilon(p.remove, interval, delta);
  return p.add === undefined ? r : Math.max(r, pmfEpsilon(p.add, interval, delta));
}

/** δ(ε) of a PLD: the larger over both directions. */
export function pldDelta(p: Pld, interval: number, epsilon: number): number {
  const r = pmfDelta(p.remove, interval, epsilon);
  return p.add === undefined ? r : Math.max(r, pmfDelta(p.add, interval, epsilon));
}
